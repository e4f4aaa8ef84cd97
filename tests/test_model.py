"""The DanQ model: presets, parameter counts, kernel orientation, DanQ-JASPAR initialisation."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from danqmotifs.core.alphabet import codes_to_onehot, encode
from danqmotifs.core.errors import InputError
from danqmotifs.core.motif import Motif
from danqmotifs.model import PRESETS, ModelSpec, build_model, count_params, init_kernels_from_motifs, spec_from_config
from danqmotifs.model.modelio import first_conv_layer
from danqmotifs.sources.jaspar import jaspar_init_motifs, motifs_with_reverse_complements
from helpers.keras_model import kernels


def test_danq_has_the_papers_parameter_count():
    spec = spec_from_config({"preset": "danq"}, length=1000, n_targets=919)
    assert count_params(spec) == 46_926_479
    model = build_model(spec)
    assert model.count_params() == 46_926_479
    dense = model.get_layer("dense")
    assert dense.count_params() == 75 * 640 * 925 + 925          # the 44.4 M of the first dense layer
    conv = first_conv_layer(model)
    assert conv.kernel.shape == (26, 4, 320)
    assert model.outputs[0].shape[-1] == 919


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_formula_matches_keras_for_every_preset(preset):
    spec = spec_from_config({"preset": preset}, length=300, n_targets=7)
    assert build_model(spec).count_params() == count_params(spec)


def test_overrides_and_defaults():
    spec = spec_from_config({"preset": "small", "kernels": 5, "pool": 0, "dropout_conv": 0.0,
                             "dropout_lstm": None}, length=120, n_targets=3)
    small = PRESETS["small"]
    assert spec.kernels == 5 and spec.pool == small["pool"]
    assert spec.dropout_conv == 0.0 and spec.dropout_lstm == small["dropout_lstm"]
    assert spec.length == 120 and spec.n_targets == 3


def test_too_short_sequences_are_a_clear_error():
    with pytest.raises(InputError, match="too short"):
        spec_from_config({"preset": "danq"}, length=30, n_targets=2)
    with pytest.raises(InputError, match="unknown preset"):
        spec_from_config({"preset": "huge"}, length=1000, n_targets=2)


def test_kernels_are_in_correlation_orientation():
    """out[i, k] = bias[k] + sum_j W[k, j, x[i + j]]: row j of W faces base i + j."""
    keras.utils.set_random_seed(3)
    spec = ModelSpec(kernels=6, kernel_width=7, pool=2, lstm_units=2, dense_units=3, n_targets=2, length=40)
    model = build_model(spec)
    conv = first_conv_layer(model)
    conv.bias.assign(np.linspace(-0.3, 0.2, 6).astype("float32"))
    W, b = kernels(model)
    assert W.shape == (6, 7, 4) and b.shape == (6,)
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(3, 40)).astype(np.uint8)
    x = codes_to_onehot(codes)
    pre = np.asarray(keras.ops.conv(x, conv.kernel, strides=1, padding="valid")) + b
    for s in range(3):
        for i in range(40 - 7 + 1):
            expect = b + W[:, np.arange(7), codes[s, i:i + 7]].sum(axis=1)
            np.testing.assert_allclose(pre[s, i], expect, rtol=1e-5, atol=1e-5)
    # the layer itself applies ReLU to the same scores
    np.testing.assert_allclose(np.asarray(conv(x)), np.maximum(pre, 0), rtol=1e-5, atol=1e-5)


def _consensus(pwm):
    return "".join("ACGT"[i] for i in np.argmax(pwm, axis=1))


def test_jaspar_init_best_window_is_the_consensus_not_its_reverse():
    """Every JASPAR2016-initialised kernel of DanQ-JASPAR scores the motif's consensus best where
    its motif rows face it, and scores the consensus above the reversed consensus."""
    motifs = jaspar_init_motifs("JASPAR2016", "CORE", "vertebrates")
    assert len(motifs) == 519
    keras.utils.set_random_seed(0)
    spec = spec_from_config({"preset": "danq_jaspar"}, length=100, n_targets=2)
    model = build_model(spec)
    placed = init_kernels_from_motifs(model, motifs, np.random.default_rng(1))
    conv = first_conv_layer(model)
    W, b = kernels(model)
    L = spec.kernel_width
    assert len(placed) == 519
    fwd, rev = [], []
    for rec, m in zip(placed, motifs):
        o, w = rec["offset"], rec["width"]
        assert 3 <= o and o + w <= L - 3                       # margin of 3 rows on each side
        assert -1.0 <= b[rec["kernel"]] <= 0.0
        np.testing.assert_allclose(W[rec["kernel"], o:o + w], m.pwm - 0.25, atol=1e-6)
        cons = _consensus(m.pwm)
        pos = 40
        for store, s in ((fwd, cons), (rev, cons[::-1])):
            codes = np.full(100, 4, np.uint8)                  # N everywhere (all-zero rows) ...
            codes[pos:pos + len(s)] = encode(s)                # ... but the site
            store.append(codes)
    fwd_x, rev_x = codes_to_onehot(np.stack(fwd)), codes_to_onehot(np.stack(rev))
    k = np.arange(519)
    act_f = np.asarray(keras.ops.conv(fwd_x, conv.kernel))[k, :, k] + b[:519, None]   # (519, positions)
    act_r = np.asarray(keras.ops.conv(rev_x, conv.kernel))[k, :, k] + b[:519, None]
    for i, (rec, m) in enumerate(zip(placed, motifs)):
        # the best window starts where kernel row `offset` meets the first base of the consensus
        assert int(np.argmax(act_f[i])) == 40 - rec["offset"], m.id
        cons = _consensus(m.pwm)
        if cons != cons[::-1]:
            assert act_f[i].max() > act_r[i].max(), m.id


def test_wide_motif_is_cut_to_its_most_informative_window():
    rng = np.random.default_rng(0)
    flat = np.full((10, 4), 0.25)
    core = np.eye(4)[rng.integers(0, 4, 8)] * 0.97 + 0.0075
    m = Motif("MA9999.1", np.vstack([flat, core, flat]), name="wide")
    keras.utils.set_random_seed(0)
    model = build_model(ModelSpec(kernels=2, kernel_width=14, pool=2, lstm_units=2, dense_units=2,
                                  n_targets=1, length=40))
    rec = init_kernels_from_motifs(model, [m], np.random.default_rng(0))[0]
    assert rec["width"] == 14 - 6
    assert rec["motif_start"] == 10                               # the 8 informative rows
    W, _ = kernels(model)
    np.testing.assert_allclose(W[0, rec["offset"]:rec["offset"] + 8], core - 0.25, atol=1e-6)


def test_too_many_motifs_is_a_clear_error():
    model = build_model(ModelSpec(kernels=1, kernel_width=10, pool=2, lstm_units=2, dense_units=2,
                                  n_targets=1, length=30))
    ms = [Motif(f"MA000{i}.1", np.full((4, 4), 0.25)) for i in range(2)]
    with pytest.raises(InputError, match="more motifs"):
        init_kernels_from_motifs(model, ms, np.random.default_rng(0))


def test_reverse_complements_are_appended():
    a = Motif("MA0001.2", np.eye(4)[[0, 0, 1, 2]] * 0.9 + 0.025, name="A")
    out = motifs_with_reverse_complements([a], ["MA0001"])
    assert [m.id for m in out] == ["MA0001.2", "MA0001.2_rc"]
    np.testing.assert_allclose(out[1].pwm, a.pwm[::-1, ::-1])
    with pytest.raises(InputError):
        motifs_with_reverse_complements([a], ["MA0002.1"])


def test_saved_model_loads_in_a_fresh_model_without_custom_objects(tmp_path):
    keras.utils.set_random_seed(0)
    spec = ModelSpec(kernels=4, kernel_width=5, pool=3, lstm_units=2, dense_units=3, n_targets=2, length=30)
    model = build_model(spec, mixed_precision=True)
    path = tmp_path / "m.keras"
    model.save(path)
    again = keras.models.load_model(path, compile=False)
    W0, b0 = kernels(model)
    W1, b1 = kernels(again)
    np.testing.assert_array_equal(W0, W1)
    np.testing.assert_array_equal(b0, b1)
    assert again.get_layer("output").dtype_policy.compute_dtype == "float32"
    assert again.get_layer("dense").dtype_policy.compute_dtype == "float16"
