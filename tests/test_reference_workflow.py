"""A bad reference AUC table fails in the workflow's first light rule (check_reference), before
the data are simulated into a model: no training starts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def run(work: Path, *targets: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(work),
           "--configfile", str(work / "cfg.yaml"), "--cores", "1", "--nolock", *targets]
    env = dict(os.environ, PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.parametrize("table,problem", [
    ("target\troc_auc\nx\tNA (No positive in Test region)\n", "no AUC cell of the table holds a number"),
    ("roc_auc\n0.5\n0.6\n0.7\n", "3 rows, but the model has 1 targets"),
])
def test_bad_reference_fails_before_training(tmp_path, table, problem):
    (tmp_path / "ref.tsv").write_text(table)
    cfg = {"results": "out", "train": {"threads": 1},
           "data": {"simulate": {"motif_ids": ["MA0139.2"], "length": 60, "n_train": 20, "n_valid": 10,
                                 "n_test": 10, "pairs": []}},
           "evaluate": {"reference_auc": str(tmp_path / "ref.tsv")}}
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    res = run(tmp_path, "out/eval/test_auc.tsv")
    assert res.returncode != 0
    log = (tmp_path / "out/logs/check_reference_evaluate.log").read_text()
    assert problem in log and "Fix:" in log
    assert not (tmp_path / "out/logs/train.log").exists()          # training never started
    assert not (tmp_path / "out/model/best.keras").exists()
    assert not (tmp_path / "out/checks/reference_evaluate.json").exists()   # no partial output


def test_good_reference_is_checked_before_train_and_figures(tmp_path):
    (tmp_path / "ref.tsv").write_text("roc_auc\n0.5\n")
    cfg = {"results": "out", "evaluate": {"reference_auc": str(tmp_path / "ref.tsv")},
           "figures": {"danq": {"enabled": True, "reference": str(tmp_path / "ref.tsv")}}}
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    res = run(tmp_path, "-n", "--printshellcmds", "out/danq/danq_figures.json")
    assert res.returncode == 0, res.stderr
    out = res.stdout + res.stderr
    assert "rule check_reference" in out
    assert "out/checks/reference_evaluate.json" in out and "out/checks/reference_danq.json" in out
