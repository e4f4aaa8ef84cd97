"""benchmarks/bench_logos.py's inputs: a run's Snakemake benchmark files read once
(result_file.job_times), and a labelled results directory without a run refused, not replaced by
the random stand-in under the run's label."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(_HERE))

import bench_logos  # noqa: E402
from result_file import job_times  # noqa: E402


def _bench(results: Path, name: str, rows: list[str]) -> None:
    (results / "benchmarks").mkdir(parents=True, exist_ok=True)
    head = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time"
    (results / "benchmarks" / name).write_text("\n".join([head, *rows]) + "\n")


def test_the_rule_shares_come_from_the_runs_benchmark_files(tmp_path):
    _bench(tmp_path, "train.tsv", ["90.5\t0:01:30\t800\t1\t1\t1\t0\t0\t95.0\t85.0"])
    _bench(tmp_path, "match.tsv", ["9.5\t0:00:09\t-\t-\t-\t-\t-\t-\t-\t-"])         # Snakemake's "-": 0
    _bench(tmp_path, "logos.tsv", ["11.0\t0:00:11\t300\t1\t1\t1\t0\t0\t180.0\t20.0"])
    _bench(tmp_path, "empty.tsv", [])                                                # no row: no job
    times = job_times(tmp_path)
    assert sorted(times) == ["logos.tsv", "match.tsv", "train.tsv"]
    assert times["match.tsv"] == {"s": 9.5, "max_rss": 0.0, "cpu_time": 0.0, "mean_load": 0.0}
    assert bench_logos.other_rules_s(tmp_path) == (100.0, 2)
    assert bench_logos.rule_in_run(tmp_path) == 11.0
    (tmp_path / "benchmarks" / "logos.tsv").unlink()
    assert bench_logos.rule_in_run(tmp_path) is None


def test_a_labelled_directory_without_a_run_is_refused(tmp_path):
    out = _HERE / "out" / "logos.json"
    before = out.read_bytes() if out.exists() else None
    r = subprocess.run([sys.executable, str(_HERE / "bench_logos.py"), "--results", f"ctcf={tmp_path}/none"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode != 0
    assert f"{tmp_path}/none: no finished run there (no match/best_matches.tsv)" in r.stderr
    assert (out.read_bytes() if out.exists() else None) == before               # nothing written
