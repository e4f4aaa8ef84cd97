"""model.source (train | file | kernels) through snakemake, `predict --model` on the published file,
and the whole chain from a synthetic published-layout DanQ file on a tiny DeepSEA-layout set:
import -> evaluate -> kernels -> motifs -> matching -> fidelity -> the DanQ paper's figures."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from helpers.deepsea import write_mat5, write_mat73

REPO = Path(__file__).resolve().parents[1]
L, T, POOL = 100, 5, 10                 # 100 bp, kernels of 10: 91 conv steps, pool 10 -> 9 steps
MARKS = ["DNase", "DNase", "CTCF", "CTCF", "H3K27ac"]
NO_POSITIVE = "NA (No positive in Test region)"


def snakemake(work: Path, *args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-d", str(work),
           "--configfile", str(work / "cfg.yaml"), "--cores", "2", "--nolock", *args]
    env = dict(os.environ, PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=env, timeout=timeout)


def write_config(work: Path, **sections) -> None:
    cfg = {"results": "out", "train": {"threads": 1}, "motifs": {"n_sequences": 100, "threads": 1},
           "data": {"simulate": {"motif_ids": ["MA0139.2"], "length": L, "n_train": 40, "n_valid": 20,
                                 "n_test": 30, "pairs": []}}}
    for k, v in sections.items():
        cfg.setdefault(k, {}).update(v)
    (work / "cfg.yaml").write_text(yaml.safe_dump(cfg))


def published_file(path: Path, seed: int = 0):
    from helpers.published import random_published_weights, write_published_weights

    w = random_published_weights(np.random.default_rng(seed), kernels=6, kernel_width=10, lstm_units=4,
                                 pooled_length=(L - 10 + 1) // POOL, dense_units=8, n_targets=T)
    write_published_weights(path, w)
    return w


def flipped_reordered(conv_kernel: np.ndarray) -> np.ndarray:
    """(K, 4, L, 1) Theano kernels, channels A,G,C,T -> (K, L, 4) correlation kernels, A,C,G,T
    (written out here independently of danqmotifs.model.published)."""
    K, _, width, _ = conv_kernel.shape
    out = np.empty((K, width, 4), dtype=conv_kernel.dtype)
    for acgt, agct in enumerate((0, 2, 1, 3)):          # A<-A, C<-C (index 2), G<-G (index 1), T<-T
        for j in range(width):
            out[:, j, acgt] = conv_kernel[:, agct, width - 1 - j, 0]
    return out


def deepsea_fixture(work: Path) -> None:
    """train.mat (v7.3), valid.mat and test.mat (v5) of L bp and T targets (random labels, 30%
    positive, so every AUC is defined), and a 5-row aucs.txt (2 DNase, 2 TF, 1 histone mark) with the
    quirks of DanQ's: a treatment that reads NA, one triple on two rows, and a row (the histone
    mark) whose AUC cells hold an explanation instead of a number."""
    rng = np.random.default_rng(1)

    def split(n):
        codes = rng.integers(0, 4, size=(n, L)).astype(np.uint8)
        y = (rng.random((n, T)) < 0.3).astype(np.uint8)
        return codes, y

    tr, va, te = split(160), split(40), split(80)
    write_mat73(work / "train.mat", "train", 160, L, T, [tr])
    write_mat5(work / "valid.mat", "valid", *va)
    write_mat5(work / "test.mat", "test", *te)
    rows = [("Cell Type\tTF/DNase/HistoneMark\tTreatment\tDeepSEA ROC AUC\tDanQ ROC AUC\tDanQ-JASPAR ROC AUC\t"
             "DeepSEA PR AUC\tDanQ PR AUC\tDanQ-JASPAR PR AUC")]
    for i, mark in enumerate(MARKS):
        a = 0.5 + 0.05 * i
        cell, treatment = f"cell{min(i, 2)}", ("NA" if i == 1 else "None")       # rows 2 and 3: one triple
        aucs = "\t".join([NO_POSITIVE] * 6) if i == 4 else f"{a:.2f}\t{a + 0.01:.2f}\t{a + 0.02:.2f}\t0.30\t0.31\t0.32"
        rows.append(f"{cell}\t{mark}\t{treatment}\t{aucs}")
    (work / "aucs.txt").write_text("\n".join(rows) + "\n")


def read_tsv(path):
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


# --------------------------------------------------------------------------------- dry runs, errors

def jobs(res) -> set:
    """Rule names of a dry run's job table."""
    out, table = set(), False
    for line in res.stdout.splitlines():
        if line.startswith("job "):
            table = True
        elif table and line.strip() and not line.startswith("-"):
            name = line.split()[0]
            if name == "total":
                break
            out.add(name)
    return out


def test_sources_choose_the_rules(tmp_path):
    published_file(tmp_path / "danq.hdf5")
    write_config(tmp_path, model={"source": "file", "file": "danq.hdf5", "pool": POOL})
    res = snakemake(tmp_path, "-n")
    assert res.returncode == 0, res.stderr[-3000:]
    got = jobs(res)
    assert {"import_model", "evaluate", "dump_kernels", "fidelity"} <= got and "train" not in got
    write_config(tmp_path, model={"source": "kernels", "file": "danq.hdf5"})
    got = jobs(snakemake(tmp_path, "-n"))
    assert "dump_kernels" in got and "match_summary" in got
    assert not got & {"train", "import_model", "evaluate", "fidelity"}
    write_config(tmp_path, motifs={"methods": ["exact"]})              # fidelity needs both methods
    got = jobs(snakemake(tmp_path, "-n"))
    assert "train" in got and "fidelity" not in got


@pytest.mark.parametrize("sections,message", [
    ({"model": {"source": "file"}}, "model.file is empty"),
    ({"model": {"source": "kernels", "file": "k.h5"}, "evaluate": {"predict": ["x.fa"]}},
     "model.source: kernels gives no model"),
    ({"figures": {"danq": {"enabled": True}}}, "figures.danq.reference is empty"),
    ({"model": {"source": "somewhere"}}, "somewhere"),
])
def test_config_errors(tmp_path, sections, message):
    write_config(tmp_path, **sections)
    res = snakemake(tmp_path, "-n")
    assert res.returncode != 0 and message in res.stdout + res.stderr, res.stderr[-2000:]


def test_kernels_alone_feed_the_motif_stage(tmp_path):
    rng = np.random.default_rng(3)
    W = rng.standard_normal((4, 8, 4)).astype(np.float32)                 # Theano / k2p orientation
    with h5py.File(tmp_path / "k.h5", "w") as f:
        f["weights"] = W
        f["b"] = np.array([-1.0, 0.0, -0.5, -2.0], dtype=np.float32)
    write_config(tmp_path, model={"source": "kernels", "file": "k.h5", "kernel_convention": "convolution",
                                  "kernel_dataset": "weights", "bias_dataset": "b"})
    res = snakemake(tmp_path, "out/motifs/kernels.h5")
    assert res.returncode == 0, res.stderr[-3000:]
    with h5py.File(tmp_path / "out/motifs/kernels.h5") as f:
        np.testing.assert_array_equal(f["kernels"][()], W[:, ::-1, :])
        np.testing.assert_array_equal(f["biases"][()], [-1.0, 0.0, -0.5, -2.0])
    assert not (tmp_path / "out/model").exists()


# ------------------------------------------------------------------------------------------ predict

def test_predict_accepts_the_published_file(tmp_path, capsys):
    from danqmotifs.cli.predict import main
    from danqmotifs.model.modelio import load_model

    published_file(tmp_path / "DanQ_bestmodel.hdf5")
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 4, size=(3, L))
    (tmp_path / "x.fa").write_text("".join(f">s{i}\n{''.join('ACGT'[c] for c in row)}\n"
                                           for i, row in enumerate(codes)))
    out = tmp_path / "p.tsv"
    assert main(["--model", str(tmp_path / "DanQ_bestmodel.hdf5"), "--fasta", str(tmp_path / "x.fa"),
                 "--out", str(out), "--length", str(L), "--pool", str(POOL), "--no-reverse-complement"]) == 0
    rows = read_tsv(out)
    assert list(rows[0]) == ["id"] + [f"target_{i:04d}" for i in range(T)]
    got = np.array([[float(r[f"target_{i:04d}"]) for i in range(T)] for r in rows])
    x = np.eye(4, dtype=np.float32)[codes]
    want = np.asarray(load_model(tmp_path / "DanQ_bestmodel.hdf5", length=L, pool=POOL)(x))
    np.testing.assert_allclose(got, want, atol=1e-6)
    capsys.readouterr()
    assert main(["--model", str(tmp_path / "DanQ_bestmodel.hdf5"), "--fasta", str(tmp_path / "x.fa"),
                 "--out", str(out), "--length", "120", "--pool", str(POOL)]) == 2
    assert "pooling of 10" in capsys.readouterr().err                    # 120 bp need a pool of 12


# --------------------------------------------------------------------------------- the whole chain

@pytest.mark.slow
def test_published_file_through_the_whole_chain(tmp_path):
    w = published_file(tmp_path / "DanQ_bestmodel.hdf5")
    deepsea_fixture(tmp_path)
    write_config(tmp_path, data={"source": "deepsea", "deepsea": {
                     "train_mat": "train.mat", "valid_mat": "valid.mat", "test_mat": "test.mat"}},
                 model={"source": "file", "file": "DanQ_bestmodel.hdf5", "pool": POOL},
                 figures={"danq": {"enabled": True, "reference": "aucs.txt", "published_meme": "DanQ.meme"}})
    from danqmotifs.core.motif import Motif
    from danqmotifs.formats.meme import write_meme

    write_meme(tmp_path / "DanQ.meme", [Motif(f"M{i}", np.random.default_rng(i).dirichlet(np.ones(4), 12))
                                        for i in range(3)])
    res = snakemake(tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    out = tmp_path / "out"
    assert not (out / "model/history.tsv").exists() and not (out / "logs/train.log").exists()
    assert (out / "model/targets.txt").read_text().split() == [f"target_{i:04d}" for i in range(T)]
    # the kernels dumped are the file's kernels, flipped and reordered
    with h5py.File(out / "motifs/kernels.h5") as f:
        np.testing.assert_array_equal(f["kernels"][()], flipped_reordered(w.conv_kernel))
        np.testing.assert_array_equal(f["biases"][()], w.conv_bias)
    # evaluation and the fidelity test ran on the imported model
    auc = read_tsv(out / "eval/test_auc.tsv")
    assert [r["target"] for r in auc] == [f"target_{i:04d}" for i in range(T)]
    fid = json.loads((out / "eval/fidelity.json").read_text())
    assert fid["n_targets"] == T and fid["max_abs_diff_exact"] < 1e-4
    fid_rows = read_tsv(out / "eval/fidelity.tsv")
    assert [float(r["roc_auc_original"]) for r in fid_rows] == pytest.approx([float(r["roc_auc"]) for r in auc],
                                                                            abs=1e-6)
    assert (out / "eval/fidelity.png").stat().st_size > 0
    # the DanQ paper's figures
    classes = read_tsv(out / "danq/auc_by_class.tsv")
    mine = {r["class"]: r for r in classes if r["model"] == "this model"}
    assert set(mine) == {"DNase", "TF", "histone", "all"}
    assert int(mine["DNase"]["n_roc_auc"]) == 2 and int(mine["histone"]["n_roc_auc"]) == 1
    danq = {r["class"]: r for r in classes if r["model"] == "DanQ" and r["source"] == "reference table"}
    # the explanatory text is missing: in neither the histone mean nor its count
    assert int(danq["histone"]["n_roc_auc"]) == 0 and danq["histone"]["mean_roc_auc"] == "NA"
    assert int(danq["all"]["n_roc_auc"]) == 4
    log = (out / "logs/check_reference_danq.log").read_text()
    assert "6 AUC cells on 1 rows are not numbers" in log and NO_POSITIVE in log
    want = np.mean([float(auc[i]["roc_auc"]) for i in (2, 3)])
    assert float(mine["TF"]["mean_roc_auc"]) == pytest.approx(want, abs=1e-6)
    assert {(r["model"], r["mean_roc_auc"]) for r in classes if r["source"].startswith("published")} == {
        ("DeepSEA", "0.9326"), ("DanQ", "0.9384"), ("DanQ-JASPAR", "0.9417")}
    summary = json.loads((out / "danq/danq_figures.json").read_text())
    assert summary["reference_layout"] == "aucs" and len(summary["above_diagonal"]) == 6
    ms = json.loads((out / "match/match_summary.json").read_text())
    motifs = read_tsv(out / "danq/motifs_matched.tsv")
    assert [r["method"] for r in motifs] == ["exact", "heuristic", "published motifs (DanQ.meme)", "heuristic"]
    assert motifs[2]["n_motifs"] == "3" and motifs[2]["database"] == motifs[0]["database"]
    assert int(motifs[0]["n_matched"]) == ms["methods"]["exact"]["n_matched"]
    assert motifs[-1]["n_matched"] == "163" and motifs[-1]["source"].startswith("published")
    assert (out / "danq/auc_scatter.png").stat().st_size > 0


@pytest.mark.slow
def test_keras_file_on_simulated_data_puts_fidelity_into_the_summary(tmp_path):
    from danqmotifs.model.modelio import load_model
    from helpers.published import random_published_weights, write_published_weights

    w = random_published_weights(np.random.default_rng(5), kernels=6, kernel_width=10, lstm_units=4,
                                 pooled_length=(L - 10 + 1) // POOL, dense_units=8, n_targets=1)
    write_published_weights(tmp_path / "p.hdf5", w)
    load_model(tmp_path / "p.hdf5", length=L, pool=POOL).save(tmp_path / "mine.keras")
    write_config(tmp_path, model={"source": "file", "file": "mine.keras"})
    res = snakemake(tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    out = tmp_path / "out"
    assert "(keras)" in (out / "logs/import_model.log").read_text()
    fid = json.loads((out / "eval/fidelity.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["fidelity"]["max_abs_diff_exact"] == fid["max_abs_diff_exact"] < 1e-4
    assert summary["fidelity"]["mean_roc_auc_drop_heuristic"] == fid["mean_roc_auc_drop_heuristic"]
    assert "planted" in summary


# ------------------------------------------------------------------------------- the papers' configs

@pytest.mark.parametrize("name,rule", [("danq_paper.yaml", "train"), ("danq_published.yaml", "import_model"),
                                       ("danq_jaspar_paper.yaml", "train")])
def test_paper_configs_plan_the_run(tmp_path, name, rule):
    """The shipped configs validate, carry the paper's settings, and plan the whole run once their
    FILL IN paths point to files."""
    cfg = yaml.safe_load((REPO / "config" / name).read_text())
    assert cfg["model"]["preset"] == ("danq_jaspar" if "jaspar" in name else "danq") and cfg["figures"]["danq"]["enabled"]
    assert cfg["evaluate"]["average_reverse_complement"] is False          # rows as given, as DanQ
    if "jaspar" in name:
        assert {k: cfg["train"][k] for k in ("optimizer", "batch_size", "max_epochs")} == {
            "optimizer": "rmsprop", "batch_size": 100, "max_epochs": 32}
        assert cfg["train"]["patience"] > cfg["train"]["max_epochs"]      # early stopping effectively off
        assert cfg["model"]["lstm_gates"] == "hard_sigmoid_keras02"
    elif rule == "train":
        assert {k: cfg["train"][k] for k in ("optimizer", "learning_rate", "batch_size", "max_epochs",
                                             "patience", "gpus")} == {
            "optimizer": "rmsprop", "learning_rate": 0.001, "batch_size": 100, "max_epochs": 60,
            "patience": 5, "gpus": 1}
    for key in ("train_mat", "valid_mat", "test_mat"):
        assert cfg["data"]["deepsea"][key].startswith("/path/to/")
        cfg["data"]["deepsea"][key] = str(tmp_path / f"{key}.mat")
    cfg["figures"]["danq"]["reference"] = str(tmp_path / "aucs.txt")
    if cfg["model"]["source"] == "file":
        cfg["model"]["file"] = str(tmp_path / "DanQ_bestmodel.hdf5")
    for p in [*cfg["data"]["deepsea"].values(), cfg["figures"]["danq"]["reference"], cfg["model"].get("file")]:
        if isinstance(p, str) and p.startswith(str(tmp_path)):
            Path(p).write_text("placeholder\n")
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    res = snakemake(tmp_path, "-n")
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    got = jobs(res)
    assert {rule, "evaluate", "fidelity", "danq_figures", "match_summary"} <= got
    assert ("import_model" in got) == (rule == "import_model") and ("train" in got) == (rule == "train")
