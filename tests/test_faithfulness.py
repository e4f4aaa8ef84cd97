"""Per-kernel faithfulness on a tiny random DanQ: the exact PWMs correlate 1 with their kernels and
swapping one kernel for its exact substitute changes nothing; the heuristic is judged kernel by kernel."""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from danqmotifs.core.pwm import kernel_to_pwm
from danqmotifs.model import ModelSpec
from danqmotifs.model.kernels import kernels_from_layer, write_kernels_file
from danqmotifs.motifs.heuristic import heuristic_counts
from danqmotifs.motifs.mle import estimate_base
from danqmotifs.motifs.scoring import scan_max
from danqmotifs.trust.faithfulness import faithfulness_columns, kernel_faithfulness, score_correlations
from helpers.data import write_split
from helpers.keras_model import sharp_danq

SPEC = ModelSpec(kernels=5, kernel_width=8, pool=4, lstm_units=4, dense_units=6, n_targets=3, length=60)
DEAD = 4


def test_score_correlations_signs_and_constants():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 6, 4))
    windows = rng.integers(0, 4, size=(500, 6)).astype(np.uint8)
    lnP = np.stack([2 * W[0] + 1.0, -W[1], np.zeros((6, 4))])     # affine, reversed, constant
    r = score_correlations(W, lnP, windows)
    assert r[0] == pytest.approx(1.0, abs=1e-12) and r[1] == pytest.approx(-1.0, abs=1e-12)
    assert np.isnan(r[2])
    assert np.isnan(score_correlations(W, lnP, windows, keep=[False, True, True])[0])


def test_exact_is_faithful_kernel_by_kernel(tmp_path):
    rng = np.random.default_rng(2)
    model, conv = sharp_danq(SPEC, 5, rng, DEAD)
    sample = rng.integers(0, 4, size=(200, SPEC.length)).astype(np.uint8)
    ks = kernels_from_layer(conv)
    W = ks.W.astype(np.float64)
    write_kernels_file(tmp_path / "kernels.h5", ks.W, ks.bias, sample)
    scan = scan_max(sample, W)
    v = estimate_base(W, scan.m, ks.bias, "all", "shared").ln_b
    (tmp_path / "base.json").write_text(json.dumps({"ln_b": float(v[0])}))
    with h5py.File(tmp_path / "exact.h5", "w") as f:
        f["PWM_tensor"], f["ln_b"], f["nsites"] = kernel_to_pwm(W, v), v, np.full(len(v), 200)
    h = heuristic_counts(sample, W.shape[1], ks.bias, scan.m, scan.pos)
    with h5py.File(tmp_path / "heuristic.h5", "w") as f:
        f["PWM_tensor"], f["nsites"], f["dead"], f["counts"] = h.pwm, h.nsites, h.dead, h.counts
    test = rng.integers(0, 4, size=(120, SPEC.length)).astype(np.uint8)
    labels = (rng.random((120, 3)) < 0.3).astype(np.uint8)
    write_split(tmp_path / "test.h5", test, labels, ["a", "b", "c"], source="simulate", split="test")
    rows, summ = kernel_faithfulness(model, tmp_path / "kernels.h5", tmp_path / "base.json",
                                     {"exact": tmp_path / "exact.h5", "heuristic": tmp_path / "heuristic.h5"},
                                     tmp_path / "test.h5", n_sequences=100, seed=0, n_windows=3000,
                                     batch_size=50, log=lambda m: None)
    assert [r["kernel"] for r in rows] == list(range(SPEC.kernels))
    assert set(rows[0]) == set(faithfulness_columns(["exact", "heuristic"]))
    for r in rows:
        assert r["corr_exact"] == pytest.approx(1.0, abs=1e-9)          # the identity, kernel by kernel
        assert abs(r["d_roc_auc_exact"]) < 2e-3                        # float32 ties at most
    assert np.isnan(rows[DEAD]["corr_heuristic"])                         # no motif for the dead kernel
    live = [r["corr_heuristic"] for r in rows if r["kernel"] != DEAD]
    assert all(-1 <= c <= 1 for c in live) and max(live) < 1 - 1e-6      # not the identity
    assert summ["methods"]["heuristic"]["kernels_without_motif"] == 1
    assert summ["methods"]["exact"]["median_corr"] == pytest.approx(1.0, abs=1e-9)
