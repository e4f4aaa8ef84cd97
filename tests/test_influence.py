"""Kernel influence: a hand-built model whose kernels are wired to known targets, and the batched
computation against the plain one (one full model call per perturbed kernel) on a tiny DanQ."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from danqmotifs.core.errors import InputError
from danqmotifs.formats.influence_table import (INFLUENCE_COLUMNS, RANKED_COLUMNS, influence_rows, ranked_rows,
                                                read_influence_table, write_rows)
from danqmotifs.model import ModelSpec, build_model
from danqmotifs.model.modelio import first_conv_layer
from danqmotifs.trust.influence import kernel_influence, kernel_influence_plain, split_model

LENGTH, WIDTH, POOL = 40, 4, 4
MOTIFS = {0: [0, 1, 2, 3], 1: [3, 3, 0, 0], 2: [2, 2, 2, 2]}      # ACGT, TTAA, GGGG (codes)


def _wired_model():
    """Conv1D with 3 kernels (one motif each) -> max pool -> flatten -> Dense(2, sigmoid).

    Kernel 0 feeds only target 0, kernel 1 only target 1, kernel 2 nothing (its dense weights are 0).
    """
    conv_len = LENGTH - WIDTH + 1
    model = keras.Sequential([keras.Input(shape=(LENGTH, 4)),
                              keras.layers.Conv1D(3, WIDTH, activation="relu", name="motif_conv"),
                              keras.layers.MaxPooling1D(POOL, POOL),
                              keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="sigmoid")])
    W = np.full((WIDTH, 4, 3), -1.0, dtype="float32")
    for k, m in MOTIFS.items():
        W[np.arange(WIDTH), m, k] = 1.0
    model.layers[0].set_weights([W, np.full(3, -2.0, dtype="float32")])    # fires on >= 3 matching bases
    steps = conv_len // POOL
    dense = np.zeros((steps * 3, 2), dtype="float32")                      # flatten order: (step, kernel)
    dense[0::3, 0] = 1.0                                                   # kernel 0 -> target 0
    dense[1::3, 1] = 1.0                                                   # kernel 1 -> target 1
    model.layers[-1].set_weights([dense, np.array([-1.0, -1.0], dtype="float32")])
    return model


def _wired_data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, size=(n, LENGTH)).astype(np.uint8)
    labels = np.zeros((n, 2), dtype=np.uint8)
    for i in range(n):
        for k in (0, 1):
            if rng.random() < 0.5:
                p = rng.integers(0, LENGTH - WIDTH)
                codes[i, p:p + WIDTH] = MOTIFS[k]
                labels[i, k] = 1
        if rng.random() < 0.5:
            p = rng.integers(0, LENGTH - WIDTH)
            codes[i, p:p + WIDTH] = MOTIFS[2]
    return codes, labels


@pytest.mark.parametrize("average_rc", [False, True])
def test_a_kernel_wired_to_one_target_influences_only_that_target(average_rc):
    model = _wired_model()
    codes, labels = _wired_data()
    res = kernel_influence(model, codes, labels, ["t0", "t1"], batch_size=32, average_rc=average_rc,
                           log=lambda m: None)
    dp = res.mean_abs_dp
    assert dp[0, 0] > 0.01 and dp[1, 1] > 0.01
    assert dp[0, 1] == 0 and dp[1, 0] == 0                  # no path from kernel 0 to target 1
    assert np.all(dp[2] == 0) and np.all(res.mean_dlogit[2] == 0) and np.all(res.d_roc_auc[2] == 0)
    assert res.mean_dlogit[0, 0] < 0 and res.mean_dlogit[1, 1] < 0   # the motifs push their target up
    if not average_rc:                                      # the motif kernels carry the labels
        assert res.d_roc_auc[0, 0] < -0.1 and res.d_roc_auc[1, 1] < -0.1
        assert res.d_roc_auc[0, 1] == 0 and res.d_roc_auc[1, 0] == 0
    ranked = ranked_rows(res)
    assert [r["kernel"] for r in ranked][-1] == 2 and ranked[-1]["influence"] == 0
    assert {ranked[0]["top_target"], ranked[1]["top_target"]} == {"t0", "t1"}


def test_the_batched_way_equals_the_plain_way(tmp_path):
    spec = ModelSpec(kernels=5, kernel_width=6, pool=4, lstm_units=4, dense_units=6, n_targets=3, length=50)
    keras.utils.set_random_seed(3)
    model = build_model(spec)
    conv = first_conv_layer(model)
    rng = np.random.default_rng(1)
    conv.kernel.assign(rng.normal(0, 0.7, size=conv.kernel.shape).astype("float32"))
    codes = rng.integers(0, 4, size=(70, spec.length)).astype(np.uint8)
    codes[:5, 10:13] = 4                                    # N bases
    labels = (rng.random((70, 3)) < 0.4).astype(np.uint8)
    names = ["a", "b", "c"]
    before = conv.kernel.numpy().copy()
    # a small row budget: several chunks of perturbed copies per batch; a store on disk
    fast = kernel_influence(model, codes, labels, names, batch_size=16, row_budget_bytes=16 * 47 * 5 * 4 * 2,
                            store_budget_bytes=0, tmp_dir=tmp_path, log=lambda m: None)
    plain = kernel_influence_plain(model, codes, labels, names, batch_size=16)
    assert np.array_equal(conv.kernel.numpy(), before)     # the plain way restores the weights
    np.testing.assert_allclose(fast.mean_activation, plain.mean_activation, rtol=1e-5)
    np.testing.assert_allclose(fast.mean_abs_dp, plain.mean_abs_dp, atol=2e-6)
    np.testing.assert_allclose(fast.mean_dlogit, plain.mean_dlogit, atol=2e-5)
    np.testing.assert_allclose(fast.d_roc_auc, plain.d_roc_auc, atol=1e-3)
    assert fast.mean_abs_dp.max() > 1e-3                    # something was perturbed
    assert not list(tmp_path.iterdir())                     # the temporary store is gone
    sub = kernel_influence(model, codes, labels, names, batch_size=32, kernels=[3, 1], log=lambda m: None)
    assert sub.kernel_ids.tolist() == [3, 1]
    np.testing.assert_allclose(sub.mean_abs_dp, fast.mean_abs_dp[[3, 1]], atol=2e-6)
    np.testing.assert_allclose(sub.mean_activation, fast.mean_activation[[3, 1]], rtol=1e-6)
    # a substitute layer: the same weights change nothing; zero weights and the mean as bias are
    # the influence's perturbation
    from danqmotifs.model.kernels import kernels_from_layer
    ks = kernels_from_layer(conv)
    same = kernel_influence(model, codes, labels, names, batch_size=32, substitute=(ks.W, ks.bias), log=lambda m: None)
    assert np.abs(same.mean_abs_dp).max() < 1e-6 and np.nanmax(np.abs(same.d_roc_auc)) == 0
    flat = kernel_influence(model, codes, labels, names, batch_size=32, log=lambda m: None,
                            substitute=(np.zeros_like(ks.W), fast.mean_activation.astype(np.float32)))
    np.testing.assert_allclose(flat.mean_abs_dp, fast.mean_abs_dp, atol=2e-6)
    # the tables round-trip
    write_rows(influence_rows(fast), INFLUENCE_COLUMNS, tmp_path / "influence.tsv")
    write_rows(ranked_rows(fast), RANKED_COLUMNS, tmp_path / "ranked.tsv")
    back = read_influence_table(tmp_path / "influence.tsv")
    assert back.targets == names
    np.testing.assert_allclose(back.mean_abs_dp, fast.mean_abs_dp, rtol=1e-5)
    head = (tmp_path / "ranked.tsv").read_text().splitlines()
    assert head[0].split("\t") == list(RANKED_COLUMNS) and len(head) == 6
    # a damaged cell: one message naming the file, never a NaN or a bare ValueError
    lines = (tmp_path / "influence.tsv").read_text().splitlines()
    cells = lines[1].split("\t")
    cells[2] = "0.0x1"
    (tmp_path / "bad.tsv").write_text("\n".join([lines[0], "\t".join(cells), *lines[2:]]) + "\n")
    with pytest.raises(InputError, match="'0.0x1' is not a number") as exc:
        read_influence_table(tmp_path / "bad.tsv")
    assert "bad.tsv" in str(exc.value)


def test_a_model_without_a_path_from_the_conv_is_refused():
    x = keras.Input(shape=(20, 4))
    h = keras.layers.Conv1D(2, 3, activation="relu")(x)
    skip = keras.layers.Flatten()(x)                       # bypasses the Conv1D
    out = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Concatenate()([keras.layers.Flatten()(h), skip]))
    with pytest.raises(InputError, match="first Conv1D"):
        split_model(keras.Model(x, out), "m.keras")
