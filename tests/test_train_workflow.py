"""End to end through snakemake: simulate -> jaspar_init_motifs -> train (DanQ-JASPAR, tiny) ->
evaluate -> predict, then bad input stops evaluate with one clear message and no output."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from danqmotifs.sources.datafile import DataReader
from helpers.data import write_split

REPO = Path(__file__).resolve().parents[1]


def _snakemake(work: Path, targets, extra=()):
    cmd = [str(Path(sys.executable).parent / "snakemake"), "-s", str(REPO / "Snakefile"), "-d", str(work),
           "--cores", "2", "--nolock", *extra, "--", *targets]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(cmd, capture_output=True, text=True, cwd=work, env=env, timeout=1500)


@pytest.mark.slow
def test_train_evaluate_predict_end_to_end(tmp_path):
    work = tmp_path / "w"
    work.mkdir()
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["results"] = "results"
    cfg["data"]["simulate"].update(motif_ids=["MA0139.2", "MA0083.3"], pairs=[], length=60, n_train=400,
                                   n_valid=100, n_test=100, motif_density=0.4)
    cfg["model"].update(preset="danq_jaspar", kernels=522, lstm_units=4, dense_units=8,
                        jaspar_reverse_complements=["MA0139.1", "MA0083"])
    cfg["train"].update(max_epochs=2, batch_size=50)
    cfg["evaluate"].update(predict=["new.fa"], batch_size=64)
    (work / "config.yaml").write_text(yaml.safe_dump(cfg))
    (work / "new.fa").write_text(">one\n" + "ACGT" * 15 + "\n>two\n" + "GATTACA" * 8 + "GATT\n")

    targets = ["results/model/best.keras", "results/model/history.tsv", "results/model/training_curves.png",
               "results/eval/test_auc.tsv", "results/eval/auc.png", "results/predict/new.tsv"]
    res = _snakemake(work, targets)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    res_dir = work / "results"
    log = (res_dir / "logs" / "train.log").read_text()
    assert "initialised 521 of 522 kernels" in log                       # 519 JASPAR2016 + 2 rc
    assert "init kernel 520: MA0083.3_rc" in log
    assert not (res_dir / "model" / "checkpoint").exists()
    hist = (res_dir / "model" / "history.tsv").read_text().splitlines()
    assert hist[0].split("\t") == ["epoch", "loss", "auc", "val_loss", "val_auc", "learning_rate", "best"]
    assert len(hist) == 3
    table = (res_dir / "eval" / "test_auc.tsv").read_text().splitlines()
    assert table[0] == "target\troc_auc\tpr_auc\tn_pos"
    assert [r.split("\t")[0] for r in table[1:]] == ["MA0139.2_CTCF", "MA0083.3_SRF"]
    assert "mean ROC AUC" in (res_dir / "logs" / "evaluate.log").read_text()
    pred = (res_dir / "predict" / "new.tsv").read_text().splitlines()
    assert pred[0] == "id\tMA0139.2_CTCF\tMA0083.3_SRF" and [p.split("\t")[0] for p in pred[1:]] == ["one", "two"]
    assert all(0.0 <= float(v) <= 1.0 for p in pred[1:] for v in p.split("\t")[1:])
    for png in ("model/training_curves.png", "eval/auc.png"):
        assert (res_dir / png).read_bytes()[:4] == b"\x89PNG"

    # a test split of another length: evaluate fails with one clear message and leaves no output
    with DataReader(res_dir / "data" / "test.h5") as r:
        names = r.target_names
    rng = np.random.default_rng(0)
    os.remove(res_dir / "data" / "test.h5")
    write_split(res_dir / "data" / "test.h5", rng.integers(0, 4, (20, 80)), np.zeros((20, 2)), names,
                "simulate", "test")
    res = _snakemake(work, ["results/eval/test_auc.tsv"], extra=["--forcerun", "evaluate",
                                                                 "--allowed-rules", "evaluate"])
    assert res.returncode != 0
    assert "sequences are 80 bp but the model" in res.stdout + res.stderr
    assert not (res_dir / "eval" / "test_auc.tsv").exists() and not (res_dir / "eval" / "auc.png").exists()
