"""End-to-end: the whole workflow on a tiny config in a temporary directory, twice.

Checks the chain from simulation to report, that the MEME files pass MEME's own parser, that the
exact identity holds, and that two runs from scratch give byte-identical results (CPU).
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

TINY = {
    "seed": 3,
    "results": "out",
    "data": {"simulate": {"motif_ids": ["MA0139.2", "MA0080.7", "MA0506.3"], "length": 100,
                          "n_train": 600, "n_valid": 200, "n_test": 200, "motif_density": 0.4,
                          "pairs": [["MA0139.2", "MA0080.7"]]}},
    "model": {"preset": "small", "kernels": 8, "kernel_width": 12, "pool": 5, "lstm_units": 4,
              "dense_units": 8},
    "train": {"max_epochs": 2, "patience": 1, "threads": 1},
    "motifs": {"n_sequences": 150, "threads": 1},
}

# outputs compared byte for byte between two runs
DETERMINISTIC = ["data/train.h5", "data/truth.meme", "model/history.tsv", "eval/test_auc.tsv",
                 "motifs/kernels.h5", "motifs/exact.h5", "motifs/heuristic.h5", "motifs/base.json",
                 "motifs/kernel_table.tsv", "motifs/exact.meme", "motifs/heuristic.meme",
                 "match/matches.tsv", "match/best_matches.tsv", "summary.json",
                 "eval/influence.tsv", "eval/faithfulness.tsv", "motif_table.tsv", "match/filter_metrics.tsv"]


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(workdir),
           "--configfile", str(workdir / "tiny.yaml"), "--cores", "2", *args]
    env = dict(os.environ, PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env)


def _setup(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    return path


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_dry_run_lists_the_whole_chain(tmp_path):
    wd = _setup(tmp_path / "dry")
    r = snakemake(wd, "-n")
    assert r.returncode == 0, r.stderr + r.stdout
    for rule in ("load_data", "train", "evaluate", "dump_kernels", "estimate_base",
                 "motif_method", "kernel_table", "write_meme", "jaspar_db", "match_method",
                 "match_summary", "logos", "planted_benchmark"):
        assert f"rule {rule}:" in r.stdout, rule


def test_bad_config_key_stops_before_any_job(tmp_path):
    wd = _setup(tmp_path / "bad")
    cfg = yaml.safe_load((wd / "tiny.yaml").read_text())
    cfg["train"]["epochs"] = 3  # the key is max_epochs
    (wd / "tiny.yaml").write_text(yaml.safe_dump(cfg))
    r = snakemake(wd, "-n")
    assert r.returncode != 0
    assert "epochs" in r.stderr + r.stdout
    assert not (wd / "out").exists()


@pytest.mark.slow
def test_whole_workflow_twice_same_bytes(tmp_path):
    workdirs, runs = [], []
    for i in range(2):
        wd = _setup(tmp_path / f"run{i}")
        r = snakemake(wd)
        assert r.returncode == 0, r.stderr[-5000:]
        workdirs.append(wd)
        runs.append(wd / "out")
    out = runs[0]

    # every stage's products
    for rel in DETERMINISTIC + ["model/best.keras", "motifs/exact.json", "match/jaspar.meme",
                                "match/planted.tsv", "match/planted.png", "eval/auc.png"]:
        assert (out / rel).exists(), rel
    assert sorted(p.name for p in (out / "logos").glob("*.png"))

    # the exact identity held
    ex = json.loads((out / "motifs/exact.json").read_text())
    assert ex["max_abs_error"] <= 1e-9

    # MEME's own parser reads every motif back
    from pymemesuite.common import MotifFile

    with MotifFile(str(out / "motifs/exact.meme")) as mf:
        motifs = list(mf)
    assert len(motifs) == TINY["model"]["kernels"]

    summary = json.loads((out / "summary.json").read_text())
    assert summary["planted"] == 3
    assert 0 <= summary["recovered_exact"] <= 3 and 0 <= summary["recovered_heuristic"] <= 3

    # same config and seed: same bytes
    for rel in DETERMINISTIC:
        assert _digest(runs[0] / rel) == _digest(runs[1] / rel), rel

    # the report builds
    r = snakemake(workdirs[0], "--report", str(out / "report.html"))
    assert r.returncode == 0, r.stderr[-3000:]
    assert (out / "report.html").stat().st_size > 10_000
