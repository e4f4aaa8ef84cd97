"""The k2p fidelity test: exact and heuristic substitute models on a tiny random DanQ."""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from danqmotifs.core.alphabet import codes_to_onehot
from helpers.data import write_split
from helpers.keras_model import sharp_danq
from danqmotifs.core.errors import InputError
from danqmotifs.core.pwm import kernel_to_pwm
from danqmotifs.model import ModelSpec, build_model
from danqmotifs.model.kernels import kernels_from_layer, write_kernels_file
from danqmotifs.model.modelio import first_conv_layer
from danqmotifs.motifs.heuristic import heuristic_counts
from danqmotifs.motifs.mle import estimate_base
from danqmotifs.motifs.scoring import scan_max
from danqmotifs.papers.k2p.fidelity import (FIDELITY_COLUMNS, exact_substitute, fidelity_summary, fidelity_test,
                                 fit_heuristic, heuristic_substitute, log_pfm, read_fidelity_table,
                                 sample_windows, swapped_kernels, write_fidelity_json, write_fidelity_table)
from danqmotifs.papers.k2p.fidelity_plot import plot_fidelity

SPEC = ModelSpec(kernels=6, kernel_width=8, pool=4, lstm_units=4, dense_units=6, n_targets=3, length=60)
DEAD = 5                                                    # a kernel that is never activated


def _write_h5(path, **datasets):
    with h5py.File(path, "w") as f:
        for k, v in datasets.items():
            f.create_dataset(k, data=v)


def _motif_stage(tmp_path, model, codes, base="shared", zero_base=()):
    """kernels.h5, base.json, exact.h5 and heuristic.h5 for ``model`` on the sample ``codes``."""
    ks = kernels_from_layer(first_conv_layer(model))
    W = ks.W.astype(np.float64)
    write_kernels_file(tmp_path / "kernels.h5", ks.W, ks.bias, codes)
    scan = scan_max(codes, W)
    v = estimate_base(W, scan.m, ks.bias, "all", base).ln_b
    v[list(zero_base)] = 0.0
    (tmp_path / "base.json").write_text(json.dumps({"ln_b": float(v[0]) if base == "shared" else v.tolist()}))
    _write_h5(tmp_path / "exact.h5", PWM_tensor=kernel_to_pwm(W, v), ln_b=v, nsites=np.full(len(v), len(codes)))
    h = heuristic_counts(codes, W.shape[1], ks.bias, scan.m, scan.pos)
    _write_h5(tmp_path / "heuristic.h5", counts=h.counts, PWM_tensor=h.pwm, nsites=h.nsites, dead=h.dead)
    return [tmp_path / n for n in ("kernels.h5", "base.json", "exact.h5", "heuristic.h5")], v, h


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny random DanQ with sharper kernels, one dead one, a sample and a test split."""
    rng = np.random.default_rng(4)
    model, conv = sharp_danq(SPEC, 11, rng, DEAD)
    d = tmp_path_factory.mktemp("fidelity")
    sample = rng.integers(0, 4, size=(300, SPEC.length)).astype(np.uint8)
    test = rng.integers(0, 4, size=(160, SPEC.length)).astype(np.uint8)
    labels = (rng.random((160, SPEC.n_targets)) < 0.3).astype(np.uint8)
    write_split(d / "test.h5", test, labels, ["t0", "t1", "t2"], source="simulate", split="test")
    test[:10, 20:23] = 4                                    # 10 sequences with N
    write_split(d / "test_n.h5", test, labels, ["t0", "t1", "t2"], source="simulate", split="test")
    return model, sample, d


@pytest.mark.parametrize("base, zero_base, split", [("shared", (), "test"), ("per_kernel", (2,), "test_n")])
def test_exact_substitute_reproduces_the_predictions(tiny, tmp_path, base, zero_base, split):
    model, sample, d = tiny
    before = kernels_from_layer(first_conv_layer(model))
    paths, v, h = _motif_stage(tmp_path, model, sample, base, zero_base)
    assert h.dead[DEAD] and h.dead.sum() == 1
    rows, summary = fidelity_test(model, *paths, d / f"{split}.h5", batch_size=64, tmp_dir=tmp_path,
                                  log=lambda m: None)
    with_n = 10 if split == "test_n" else 0
    assert summary["n_sequences"] == 160 and summary["n_sequences_with_n"] == with_n
    assert summary["max_abs_diff_exact_without_n"] < 1e-5
    # an N row scores 0 in both kernels but its row constant stays in the folded bias
    assert (summary["max_abs_diff_exact"] > 1e-4) == bool(with_n)
    assert summary["max_abs_diff_heuristic"] > 1e-4       # the heuristic is not exact
    assert summary["exact"]["kernels_kept_original"] == list(zero_base)
    assert summary["heuristic"]["dead_kernels"] == [DEAD]
    assert summary["heuristic"]["a"][DEAD] is None
    assert [r["target"] for r in rows] == ["t0", "t1", "t2"]
    for r in rows:
        assert set(FIDELITY_COLUMNS) <= set(r)
        if not with_n:
            assert r["roc_auc_exact"] == pytest.approx(r["roc_auc_original"], abs=1e-3)
    for key in ("max_abs_diff_exact", "mean_roc_auc_drop_heuristic", "mean_pr_auc_drop_heuristic"):
        assert summary[key] is not None
    after = kernels_from_layer(first_conv_layer(model))         # weights restored
    np.testing.assert_array_equal(after.W, before.W)
    np.testing.assert_array_equal(after.bias, before.bias)


def test_exact_kernels_give_the_same_preactivation_without_n():
    rng = np.random.default_rng(0)
    W = rng.normal(0, 1, size=(4, 9, 4))
    bias = rng.normal(size=4)
    v = np.array([0.7, 2.0, 3000.0, 1.1])          # 3000: some PWM entries underflow to 0 in float64
    sub = exact_substitute(W, bias, kernel_to_pwm(W, v), v)
    assert 2 in sub.info["kernels_from_log_pwm"]
    x = codes_to_onehot(rng.integers(0, 4, size=(500, 9)), dtype=np.float64)
    z = np.einsum("nlc,klc->nk", x, W) + bias
    z_sub = np.einsum("nlc,klc->nk", x, sub.W.astype(np.float64)) + sub.bias
    assert np.abs(z - z_sub).max() < 1e-5 * (1 + np.abs(z).max())
    with pytest.raises(InputError, match="not the exact PWMs of these kernels"):
        exact_substitute(W, bias, kernel_to_pwm(W, v * 1.01), v, where="exact.h5")


def test_heuristic_fit_recovers_a_and_c():
    rng = np.random.default_rng(1)
    K, L = 3, 6
    Q = rng.dirichlet(np.ones(4), size=(K, L))                 # no zero entry
    a = np.array([1.7, 0.4, -0.8])
    rows = rng.normal(size=(K, L, 1))                          # per-row constants: sum into c
    W = a[:, None, None] * np.log(Q) + rows
    bias = np.array([0.5, -1.0, 2.0])
    windows = sample_windows(rng.integers(0, 4, size=(50, 40)).astype(np.uint8), L, 1000, seed=3)
    assert windows.shape == (1000, L)
    fit = fit_heuristic(W, bias, log_pfm(Q), windows, batch=128)
    np.testing.assert_allclose(fit.a, a, atol=1e-9)
    np.testing.assert_allclose(fit.c, rows.sum(axis=(1, 2)) + bias, atol=1e-9)
    np.testing.assert_allclose(fit.r2, 1.0, atol=1e-9)


def test_pseudocount_and_dead_kernels():
    Q = np.full((3, 4, 4), 0.25)
    Q[0, 1] = [0.5, 0.5, 0.0, 0.0]                             # zeros: a tenth of the smallest positive
    lnQ = log_pfm(Q)
    np.testing.assert_allclose(lnQ[0, 1], np.log([0.5, 0.5, 0.025, 0.025]))
    np.testing.assert_allclose(lnQ[1], np.log(0.25))
    rng = np.random.default_rng(2)
    W = rng.normal(size=(3, 4, 4))
    bias = np.array([0.0, -50.0, 0.3])
    windows = sample_windows(rng.integers(0, 4, size=(30, 20)).astype(np.uint8), 4, 10**6)
    assert windows.shape == (30 * 17, 4)                        # all windows when fewer than asked
    dead = np.array([False, True, True])                       # kernel 2 is flagged but does fire
    sub = heuristic_substitute(W, bias, Q, dead, windows)
    assert np.all(sub.W[dead] == 0)
    x = codes_to_onehot(windows, dtype=np.float64)
    act = np.maximum(np.einsum("nlc,klc->nk", x, W) + bias, 0).mean(axis=0)
    np.testing.assert_allclose(sub.bias[dead], act[dead], rtol=1e-6)
    assert sub.bias[1] == 0.0 and sub.bias[2] > 0
    assert sub.info["dead_kernels"] == [1, 2] and sub.info["r2"][1] is None
    assert "smallest positive" in sub.info["pseudocount"]


def test_swapped_kernels_restore_on_error():
    model = build_model(SPEC)
    conv = first_conv_layer(model)
    old = conv.kernel.numpy().copy()
    with pytest.raises(RuntimeError):
        with swapped_kernels(model, np.zeros((SPEC.kernels, SPEC.kernel_width, 4)), np.zeros(SPEC.kernels)):
            assert np.all(conv.kernel.numpy() == 0)
            raise RuntimeError("boom")
    np.testing.assert_array_equal(conv.kernel.numpy(), old)


def test_kernel_file_of_another_model_is_an_error(tiny, tmp_path):
    model, sample, d = tiny
    paths, _, _ = _motif_stage(tmp_path, build_model(SPEC), sample)
    with pytest.raises(InputError, match="not the model's first-layer kernels"):
        fidelity_test(model, *paths, d / "test.h5", log=lambda m: None)


def test_table_summary_and_figure(tmp_path):
    rows = [dict(target="a", roc_auc_original=0.9, roc_auc_exact=0.9, roc_auc_heuristic=0.8,
                 pr_auc_original=0.5, pr_auc_exact=0.5, pr_auc_heuristic=0.3, n_pos=4),
            dict(target="b", roc_auc_original=float("nan"), roc_auc_exact=float("nan"),
                 roc_auc_heuristic=float("nan"), pr_auc_original=0.7, pr_auc_exact=0.7,
                 pr_auc_heuristic=0.6, n_pos=0)]
    write_fidelity_table(rows, tmp_path / "fidelity.tsv")
    lines = (tmp_path / "fidelity.tsv").read_text().splitlines()
    assert lines[0].split("\t") == ["target", "roc_auc_original", "roc_auc_exact", "roc_auc_heuristic",
                                    "pr_auc_original", "pr_auc_exact", "pr_auc_heuristic"]
    assert lines[2].split("\t")[1] == "NA"
    back = read_fidelity_table(tmp_path / "fidelity.tsv")
    assert back[0]["pr_auc_heuristic"] == pytest.approx(0.3) and np.isnan(back[1]["roc_auc_exact"])
    s = fidelity_summary(back, {"exact": {"max": 1e-7, "mean": 1e-8, "max_without_n": 1e-7}})
    assert s["mean_roc_auc_drop_heuristic"] == pytest.approx(0.1)
    assert s["mean_pr_auc_drop_heuristic"] == pytest.approx(0.15)
    assert s["mean_roc_auc_drop_exact"] == pytest.approx(0.0) and s["max_abs_diff_exact"] == 1e-7
    write_fidelity_json(s, tmp_path / "fidelity.json")
    assert json.loads((tmp_path / "fidelity.json").read_text())["n_targets"] == 2
    plot_fidelity(back, tmp_path / "fidelity.png", s)
    assert (tmp_path / "fidelity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_published_model_goes_through_the_fidelity_test(tmp_path):
    """A model imported from the published layout is dumped, turned into motifs and substituted
    like a trained one (its first Conv1D is the motif layer; its LSTMs use a custom activation)."""
    from danqmotifs.model.published import load_published_danq
    from helpers.published import random_published_weights, write_published_weights

    rng = np.random.default_rng(8)
    write_published_weights(tmp_path / "w.hdf5", random_published_weights(rng, 5, 7, 3, 6, 4, 2))
    model = load_published_danq(tmp_path / "w.hdf5", length=40)            # pool 5 inferred
    test = rng.integers(0, 4, size=(80, 40)).astype(np.uint8)
    write_split(tmp_path / "test.h5", test, (rng.random((80, 2)) < 0.4).astype(np.uint8), ["a", "b"],
                source="simulate", split="test")
    paths, _, _ = _motif_stage(tmp_path, model, rng.integers(0, 4, size=(100, 40)).astype(np.uint8))
    rows, summary = fidelity_test(model, *paths, tmp_path / "test.h5", batch_size=32, log=lambda m: None)
    assert summary["max_abs_diff_exact"] < 1e-5 and len(rows) == 2
