"""Evaluation: AUC definitions, per-target tables with NA, streaming predictions with reverse-complement
averaging, model/data mismatches, figures, and the predict command."""

import gzip
import itertools
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")

from danqmotifs.cli.predict import main as predict_main
from danqmotifs.core.alphabet import codes_to_onehot, decode
from danqmotifs.core.errors import InputError
from danqmotifs.formats.fasta import iter_fasta
from danqmotifs.model import ModelSpec, build_model
from danqmotifs.model.evaluate import (auc_table, average_precision, evaluate_split, read_auc_table,
                                 roc_auc, spill_predictions, summary, write_auc_table)
from danqmotifs.model.modelio import load_model
from danqmotifs.model.predict import predict_fasta
from danqmotifs.formats.reference import read_reference
from danqmotifs.report.plot.training import plot_auc, plot_training_curves
from helpers.data import write_split


# ----------------------------------------------------------------------------------------- metrics

def _roc_pairs(y, s):
    """ROC AUC by its definition: P(score of a positive > score of a negative), ties counting 1/2."""
    pos, neg = s[y == 1], s[y == 0]
    tot = sum((p > n) + 0.5 * (p == n) for p, n in itertools.product(pos, neg))
    return tot / (len(pos) * len(neg))


def _ap_by_threshold(y, s):
    """Average precision by its definition: sum over thresholds t (distinct scores, high to low) of
    (recall(t) - recall(previous t)) * precision(t), predicting positive when score >= t."""
    ap, prev_recall = 0.0, 0.0
    for t in sorted(set(s), reverse=True):
        pred = s >= t
        tp = np.sum(pred & (y == 1))
        recall = tp / np.sum(y == 1)
        ap += (recall - prev_recall) * tp / np.sum(pred)
        prev_recall = recall
    return ap


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 6)), min_size=2, max_size=40))
def test_auc_definitions(pairs):
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs], dtype=np.float64) / 6.0       # few values: many ties
    if 0 < y.sum() < y.size:
        assert roc_auc(y, s) == pytest.approx(_roc_pairs(y, s), abs=1e-12)
    else:
        assert np.isnan(roc_auc(y, s))
    if y.sum() > 0:
        assert average_precision(y, s) == pytest.approx(_ap_by_threshold(y, s), abs=1e-12)
    else:
        assert np.isnan(average_precision(y, s))


def test_auc_extremes():
    y = np.array([0, 0, 1, 1])
    assert roc_auc(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert roc_auc(y, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert roc_auc(y, np.full(4, 0.5)) == 0.5
    assert average_precision(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert average_precision(y, np.full(4, 0.5)) == 0.5                  # one threshold: precision = prevalence
    assert average_precision(np.ones(3), np.array([0.1, 0.5, 0.2])) == 1.0


def test_table_round_trip_with_na_and_summary(tmp_path):
    rows = [dict(target="a", roc_auc=0.8, pr_auc=0.5, n_pos=10),
            dict(target="b", roc_auc=float("nan"), pr_auc=float("nan"), n_pos=0),
            dict(target="c", roc_auc=0.6, pr_auc=0.3, n_pos=4)]
    write_auc_table(rows, tmp_path / "t.tsv")
    lines = (tmp_path / "t.tsv").read_text().splitlines()
    assert lines[0] == "target\troc_auc\tpr_auc\tn_pos"
    assert lines[2] == "b\tNA\tNA\t0"
    back = read_auc_table(tmp_path / "t.tsv")
    assert back[0] == rows[0] and np.isnan(back[1]["roc_auc"]) and back[1]["n_pos"] == 0
    s = summary(rows)
    assert s["mean_roc_auc"] == pytest.approx(0.7) and s["mean_pr_auc"] == pytest.approx(0.4)
    assert s["n_na_roc"] == 1 and s["n_targets"] == 3


# ----------------------------------------------------------------------------------------- predictions

@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("eval")
    keras.utils.set_random_seed(0)
    spec = ModelSpec(kernels=4, kernel_width=5, pool=3, lstm_units=2, dense_units=3, n_targets=3, length=30)
    model = build_model(spec)
    model.get_layer("output").bias.assign(np.array([0.5, -0.5, 0.0], np.float32))
    model.save(d / "m.keras")
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 5, size=(157, 30)).astype(np.uint8)          # some N too
    y = (rng.random((157, 3)) < 0.3).astype(np.uint8)
    y[:, 2] = 0                                                           # a target without positives
    write_split(d / "test.h5", codes, y, ["t_a", "t_b", "t_none"], "simulate", "test")
    return dict(dir=d, model=model, codes=codes, y=y, path=d / "m.keras", data=d / "test.h5")


def _direct(model, codes, rc):
    x = codes_to_onehot(codes)
    p = np.asarray(model(x, training=False))
    if rc:
        p = (p + np.asarray(model(x[:, ::-1, ::-1], training=False))) / 2
    return p


@pytest.mark.parametrize("rc", [True, False])
def test_evaluate_split_equals_a_direct_computation(setup, rc, tmp_path):
    rows = evaluate_split(setup["path"], setup["data"], batch_size=20, average_rc=rc, tmp_dir=tmp_path,
                          log=lambda m: None)
    p = _direct(setup["model"], setup["codes"], rc)
    y = setup["y"]
    assert [r["target"] for r in rows] == ["t_a", "t_b", "t_none"]
    for t in range(2):
        assert rows[t]["roc_auc"] == pytest.approx(roc_auc(y[:, t], p[:, t]), abs=1e-6)
        assert rows[t]["pr_auc"] == pytest.approx(average_precision(y[:, t], p[:, t]), abs=1e-6)
        assert rows[t]["n_pos"] == int(y[:, t].sum())
    assert np.isnan(rows[2]["roc_auc"]) and np.isnan(rows[2]["pr_auc"]) and rows[2]["n_pos"] == 0
    assert list(tmp_path.iterdir()) == []                                   # the spill file is gone


def test_spill_is_target_major_and_blocks_do_not_matter(setup, tmp_path):
    spill_predictions(setup["model"], setup["data"], tmp_path / "s.h5", batch_size=16, block=32,
                      log=lambda m: None)
    with h5py.File(tmp_path / "s.h5") as f:
        assert f["pred"].shape == (3, 157)
        np.testing.assert_allclose(f["pred"][()].T, _direct(setup["model"], setup["codes"], True), atol=1e-5)
        np.testing.assert_array_equal(f["labels"][()].T, setup["y"])
    small = auc_table(tmp_path / "s.h5", ["t_a", "t_b", "t_none"], group=1)
    big = auc_table(tmp_path / "s.h5", ["t_a", "t_b", "t_none"], group=16)
    assert [r["roc_auc"] for r in small[:2]] == [r["roc_auc"] for r in big[:2]]


def test_model_data_mismatch_corrupt_model_and_empty_split(setup, tmp_path):
    rng = np.random.default_rng(0)
    write_split(tmp_path / "long.h5", rng.integers(0, 4, (10, 40)), np.zeros((10, 3)), ["a", "b", "c"],
                "simulate", "test")
    with pytest.raises(InputError, match="40 bp but the model"):
        evaluate_split(setup["path"], tmp_path / "long.h5")
    write_split(tmp_path / "few.h5", rng.integers(0, 4, (10, 30)), np.zeros((10, 2)), ["a", "b"],
                "simulate", "test")
    with pytest.raises(InputError, match="2 targets but the model"):
        evaluate_split(setup["path"], tmp_path / "few.h5")
    bad = tmp_path / "bad.keras"
    bad.write_bytes(setup["path"].read_bytes()[:500])
    with pytest.raises(InputError, match="not a readable Keras model"):
        load_model(bad)
    with pytest.raises(InputError, match="does not exist"):
        load_model(tmp_path / "missing.keras")
    write_split(tmp_path / "empty.h5", np.zeros((0, 30)), np.zeros((0, 3)), ["a", "b", "c"], "simulate", "test")
    with pytest.raises(InputError, match="no sequences"):
        evaluate_split(setup["path"], tmp_path / "empty.h5")


def test_reference_and_figures(setup, tmp_path):
    rows = [dict(target="t_a", roc_auc=0.7, pr_auc=0.4, n_pos=3), dict(target="t_b", roc_auc=0.9, pr_auc=0.6, n_pos=5),
            dict(target="t_none", roc_auc=float("nan"), pr_auc=float("nan"), n_pos=0)]
    (tmp_path / "ref.tsv").write_text("target\troc_auc\tpr_auc\nt_b\t0.8\t0.5\nt_a\t0.75\t0.3\nother\t0.5\t0.1\n")
    ref = read_reference(tmp_path / "ref.tsv", ["t_a", "t_b", "t_none"]).as_dict(["t_a", "t_b", "t_none"])
    assert ref == {"t_b": {"roc_auc": 0.8, "pr_auc": 0.5}, "t_a": {"roc_auc": 0.75, "pr_auc": 0.3}}
    plot_auc(rows, tmp_path / "a.png", ref, title="t")
    plot_auc(rows, tmp_path / "b.png")
    hist = [dict(epoch=e, loss=1 / e, auc=0.5 + e / 20, val_loss=1.1 / e, val_auc=0.5 + e / 25) for e in (1, 2, 3)]
    plot_training_curves(hist, tmp_path / "c.png", best_epoch=3)
    for name in ("a.png", "b.png", "c.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the same figure twice gives the same bytes (no timestamps)
    plot_auc(rows, tmp_path / "a2.png", ref, title="t")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "a2.png").read_bytes()


# ----------------------------------------------------------------------------------------- predict

def _fasta(path, codes, width=None):
    lines = []
    for i, c in enumerate(codes):
        s = decode(c)
        lines.append(f">seq{i} some description")
        lines += [s[k:k + 13] for k in range(0, len(s), 13)] if width else [s]
    text = "\n".join(lines) + "\n"
    if str(path).endswith(".gz"):
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)


def test_predict_tsv_and_h5(setup, tmp_path):
    codes = setup["codes"][:23]
    _fasta(tmp_path / "in.fa.gz", codes, width=13)
    assert [r for r, _, _ in iter_fasta(tmp_path / "in.fa.gz")][:2] == ["seq0", "seq1"]
    (setup["dir"] / "targets.txt").write_text("t_a\nt_b\nt_none\n")
    n = predict_fasta(setup["path"], tmp_path / "in.fa.gz", tmp_path / "out.tsv", batch_size=10)
    assert n == 23
    lines = (tmp_path / "out.tsv").read_text().splitlines()
    assert lines[0] == "id\tt_a\tt_b\tt_none" and len(lines) == 24
    got = np.array([[float(v) for v in l.split("\t")[1:]] for l in lines[1:]])
    np.testing.assert_allclose(got, _direct(setup["model"], codes, True), atol=2e-6)
    assert predict_main(["--model", str(setup["path"]), "--fasta", str(tmp_path / "in.fa.gz"),
                         "--out", str(tmp_path / "out.h5"), "--no-reverse-complement", "--batch-size", "7"]) == 0
    with h5py.File(tmp_path / "out.h5") as f:
        np.testing.assert_allclose(f["probabilities"][()], _direct(setup["model"], codes, False), atol=1e-6)
        assert [i.decode() for i in f["ids"][()]] == [f"seq{i}" for i in range(23)]
        assert [t.decode() for t in f["target_names"][()]] == ["t_a", "t_b", "t_none"]


def test_predict_bad_input(setup, tmp_path, capsys):
    (tmp_path / "short.fa").write_text(">a\nACGT\n")
    with pytest.raises(InputError, match="record a is 4 bp but the model takes 30 bp"):
        predict_fasta(setup["path"], tmp_path / "short.fa", tmp_path / "o.tsv")
    assert not (tmp_path / "o.tsv").exists()
    assert predict_main(["--model", str(setup["path"]), "--fasta", str(tmp_path / "short.fa"),
                         "--out", str(tmp_path / "o.tsv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--resize center" in err
    n = predict_fasta(setup["path"], tmp_path / "short.fa", tmp_path / "o.tsv", resize="center")
    assert n == 1 and not (tmp_path / "o.tsv").with_name("o.tsv.tmp").exists()
    (tmp_path / "bad.fa").write_text(">a\n" + "ACGTR" * 6 + "\n")
    with pytest.raises(InputError, match="record 'a': letter 'R'"):
        predict_fasta(setup["path"], tmp_path / "bad.fa", tmp_path / "o2.tsv")
    (tmp_path / "nohead.fa").write_text("ACGT\n")
    with pytest.raises(InputError, match="before the first"):
        predict_fasta(setup["path"], tmp_path / "nohead.fa", tmp_path / "o3.tsv")
    (tmp_path / "empty.fa").write_text("")
    with pytest.raises(InputError, match="no FASTA records"):
        predict_fasta(setup["path"], tmp_path / "empty.fa", tmp_path / "o4.tsv")
    assert not any(p.name.startswith("o") and p.name != "o.tsv" for p in tmp_path.iterdir())


