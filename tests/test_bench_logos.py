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


def test_whole_runs_shares_per_run_and_their_spread(tmp_path):
    runs = []
    for i, logos_s in enumerate([10.0, 30.0, 20.0]):
        d = tmp_path / f"run{i}"
        _bench(d, "train.tsv", ["150.0\t0:02:30\t800\t1\t1\t1\t0\t0\t95.0\t85.0"])
        _bench(d, "match.tsv", ["40.0\t0:00:40\t800\t1\t1\t1\t0\t0\t95.0\t35.0"])
        _bench(d, "logos.tsv", [f"{logos_s}\t0:00:10\t300\t1\t1\t1\t0\t0\t180.0\t20.0"])
        runs.append(d)
    rows = bench_logos.run_shares(runs)
    shares = [100 * 10 / 200, 100 * 30 / 220, 100 * 20 / 210]
    assert [r["value"] for r in rows[:3]] == shares
    assert f"whole run 2 ({runs[1]}): logos rule 30.0 s of 220.0 s summed" in rows[1]["what"]
    spread = {r["what"].rsplit(", ", 1)[1]: r["value"] for r in rows[3:]}
    assert spread == {"min": shares[0], "median": shares[2], "max": shares[1]}


def test_whole_runs_are_checked_before_anything_is_drawn(tmp_path):
    bench = [sys.executable, str(_HERE / "bench_logos.py"), "--results", f"ctcf={tmp_path}"]
    r = subprocess.run([*bench, "--whole-runs", f"other={tmp_path}"], capture_output=True, text=True, timeout=300)
    assert r.returncode != 0 and "--whole-runs: ['other'] name no --results LABEL" in r.stderr
    (tmp_path / "match").mkdir()
    (tmp_path / "match" / "best_matches.tsv").write_text("query\n")
    # the --results run itself, counted first, is checked before anything is drawn
    r = subprocess.run([*bench, "--whole-runs", f"ctcf={tmp_path}/none"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode != 0 and f"{tmp_path}: no finished run there (no match/jaspar.meme)" in r.stderr
    (tmp_path / "match" / "jaspar.meme").write_text("MEME version 4\n")
    r = subprocess.run([*bench, "--whole-runs", f"ctcf={tmp_path}/none"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode != 0 and f"{tmp_path}: no finished run there (no benchmarks/logos.tsv" in r.stderr
    _bench(tmp_path, "train.tsv", ["150.0\t0:02:30\t800\t1\t1\t1\t0\t0\t95.0\t85.0"])
    _bench(tmp_path, "logos.tsv", ["10.0\t0:00:10\t300\t1\t1\t1\t0\t0\t180.0\t20.0"])
    r = subprocess.run([*bench, "--whole-runs", f"ctcf={tmp_path}/none"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode != 0
    assert f"{tmp_path}/none: no finished run there (no benchmarks/logos.tsv" in r.stderr
    # a whole run must name one --results run: no label, or a label given to two runs, is refused
    for args in (["--whole-runs", str(tmp_path)],
                 ["--results", f"ctcf={tmp_path}", f"ctcf={tmp_path}", "--whole-runs", f"ctcf={tmp_path}"]):
        cmd = [*bench, *args] if args[0] == "--whole-runs" else [sys.executable, str(_HERE / "bench_logos.py"), *args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert r.returncode != 0 and "--whole-runs: give each --results run a label of its own" in r.stderr
