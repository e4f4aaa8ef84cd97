"""model.conv_activation: an exponential first layer (Koo & Ploenzke 2021) beside DanQ's ReLU.

The exact identity, the kernel dump, the MLE base's activated pairs, the methods' window threshold,
the kernel table, the fidelity test and influence, each under the exponential layer
(docs/design.md section 7b)."""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from danqmotifs.core.alphabet import codes_to_onehot
from danqmotifs.core.errors import InputError
from danqmotifs.core.pwm import kernel_to_pwm
from danqmotifs.model import ModelSpec, build_model, spec_from_config
from danqmotifs.model.kernels import kernels_from_layer, read_kernels_file, write_kernels_file
from danqmotifs.model.modelio import first_conv_layer, kernels_from_file, load_model_kernels
from danqmotifs.motifs import methods
from danqmotifs.motifs.heuristic import heuristic_counts
from danqmotifs.motifs.kernel_table import activation as table_activation
from danqmotifs.motifs.mle import base_report, estimate_base, used_pairs
from danqmotifs.motifs.refine import window_scores
from danqmotifs.motifs.scoring import scan_max
from danqmotifs.papers.k2p.fidelity import fidelity_test
from danqmotifs.trust.influence import kernel_influence, mean_activations
from helpers.data import write_split

SPEC = ModelSpec(kernels=6, kernel_width=8, pool=4, lstm_units=4, dense_units=6, n_targets=3, length=60,
                 conv_activation="exponential")
DEAD = 5


def _exp_model(seed=3, sd=0.4):
    """A tiny exponential-layer DanQ with kernels of sd ``sd``, biases around -1, kernel DEAD never above 0."""
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    model = build_model(SPEC)
    conv = first_conv_layer(model)
    conv.kernel.assign(rng.normal(0, sd, size=conv.kernel.shape).astype("float32"))
    bias = rng.normal(-1.0, 0.3, size=SPEC.kernels)
    bias[DEAD] = -100.0
    conv.bias.assign(bias.astype("float32"))
    return model, rng


def _preactivation(W, b, codes):
    """(n, npos, K) score + bias of every window, from the dumped kernels (numpy, float64)."""
    return np.stack([window_scores(codes, W[k]) for k in range(W.shape[0])], axis=-1) + b[None, None, :]


def test_config_key_builds_an_exponential_he_normal_layer_and_keeps_relu_fingerprints():
    spec = spec_from_config({"preset": "small", "conv_activation": "exponential"}, 200, 1)
    assert spec.conv_activation == "exponential" and spec.to_dict()["conv_activation"] == "exponential"
    relu = spec_from_config({"preset": "small"}, 200, 1)
    assert relu.conv_activation == "relu" and "conv_activation" not in relu.to_dict()   # old fingerprints
    with pytest.raises(InputError, match="conv_activation"):
        spec_from_config({"preset": "small", "conv_activation": "tanh"}, 200, 1)
    conv = first_conv_layer(build_model(SPEC))
    assert conv.activation.__name__ == "exponential"
    assert conv.get_config()["kernel_initializer"]["class_name"] == "HeNormal"
    assert conv.get_config()["padding"] == "valid" and conv.use_bias


def test_exact_identity_and_kernel_dump_under_exp(tmp_path):
    """The layer's output is exp(score + bias) of the dumped W and b, and score = ln P / v + C."""
    model, rng = _exp_model()
    codes = rng.integers(0, 4, size=(20, SPEC.length)).astype(np.uint8)
    out = keras.Model(model.inputs, first_conv_layer(model).output).predict(codes_to_onehot(codes), verbose=0)
    ks = kernels_from_layer(first_conv_layer(model))
    assert ks.activation == "exponential"
    W, b = ks.W.astype(np.float64), ks.bias.astype(np.float64)
    z = _preactivation(W, b, codes)
    np.testing.assert_allclose(out, np.exp(z), rtol=1e-4, atol=1e-30)
    # section 5 at v = 1: exp(z) = exp(b + C) P_e(x), P_e the base-e softmax of W
    P = kernel_to_pwm(W, np.ones(len(W)))
    C = np.log(np.exp(W).sum(axis=2)).sum(axis=1)
    lnP = np.stack([window_scores(codes, np.log(P[k])) for k in range(len(W))], axis=-1)
    np.testing.assert_allclose(z, lnP + C + b, atol=1e-9)
    # the dump records the activation, and the file is read back with it
    write_kernels_file(tmp_path / "kernels.h5", ks.W, ks.bias, codes, attrs={"activation": ks.activation})
    assert read_kernels_file(tmp_path / "kernels.h5").attrs["activation"] == "exponential"
    assert kernels_from_file(tmp_path / "kernels.h5", "correlation").activation == "exponential"
    write_kernels_file(tmp_path / "old.h5", ks.W, ks.bias, codes)                  # older files: relu
    assert read_kernels_file(tmp_path / "old.h5").attrs["activation"] == "relu"
    write_kernels_file(tmp_path / "bad.h5", ks.W, ks.bias, codes, attrs={"activation": "tanh"})
    with pytest.raises(InputError, match="tanh"):
        read_kernels_file(tmp_path / "bad.h5")


def test_imported_model_keeps_its_own_activation(tmp_path):
    """model.source: file reads the activation from the model (no config is consulted)."""
    model, _ = _exp_model()
    model.save(tmp_path / "exp.keras")
    assert load_model_kernels(tmp_path / "exp.keras").activation == "exponential"
    relu = build_model(ModelSpec(**{**SPEC.__dict__, "conv_activation": "relu"}))
    relu.save(tmp_path / "relu.keras")
    assert load_model_kernels(tmp_path / "relu.keras").activation == "relu"
    inp = keras.Input((20, 4))
    keras.Model(inp, keras.layers.Conv1D(2, 3, activation="tanh")(inp)).save(tmp_path / "tanh.keras")
    with pytest.raises(InputError, match="activation 'tanh'"):
        load_model_kernels(tmp_path / "tanh.keras")


def test_one_threshold_selects_the_same_windows_under_both_activations():
    """score + bias > 0 is ReLU output > 0 and exp output > 1: the MLE's activated pairs, the
    heuristic's sites and the kernel table's dead flag are those windows under either layer."""
    model, rng = _exp_model()
    codes = rng.integers(0, 4, size=(150, SPEC.length)).astype(np.uint8)
    x = codes_to_onehot(codes)
    exp_out = keras.Model(model.inputs, first_conv_layer(model).output).predict(x, verbose=0)
    relu_model = build_model(ModelSpec(**{**SPEC.__dict__, "conv_activation": "relu"}))
    relu_conv = first_conv_layer(relu_model)
    relu_conv.set_weights(first_conv_layer(model).get_weights())
    relu_out = keras.Model(relu_model.inputs, relu_conv.output).predict(x, verbose=0)
    ks = kernels_from_layer(first_conv_layer(model))
    W, b = ks.W.astype(np.float64), ks.bias.astype(np.float64)
    scan = scan_max(codes, W)
    # best window per sequence: the same under both (monotone), and the MLE's activated pairs
    active_exp = exp_out.max(axis=1) > 1.0
    active_relu = relu_out.max(axis=1) > 0.0
    np.testing.assert_array_equal(active_exp, active_relu)
    np.testing.assert_array_equal(exp_out.argmax(axis=1)[active_exp], relu_out.argmax(axis=1)[active_exp])
    np.testing.assert_array_equal(used_pairs(scan.m, b, "activated"), active_exp)
    assert 0 < active_exp.sum() < active_exp.size and not active_exp[:, DEAD].any()
    # the heuristic's sites are those sequences
    h = heuristic_counts(codes, W.shape[1], b, scan.m, scan.pos)
    np.testing.assert_array_equal(h.nsites, active_exp.sum(axis=0))
    # the kernel table: max activation by the layer's function, the same dead kernels
    act_e, dead_e = table_activation(scan, b, function="exponential")
    act_r, dead_r = table_activation(scan, b, function="relu")
    np.testing.assert_allclose(act_e, exp_out.max(axis=(0, 1)), rtol=1e-4, atol=1e-30)
    np.testing.assert_allclose(act_r, relu_out.max(axis=(0, 1)), rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(dead_e, dead_r)
    assert dead_e[DEAD] and dead_e.sum() == 1


def test_mle_base_and_every_method_under_exp():
    """The base and the registered methods read W, b and the sample only: run on an exponential
    layer's kernels they give motifs, mark the dead kernel, and the exact PWM is softmax(v W)."""
    model, rng = _exp_model()
    codes = rng.integers(0, 4, size=(200, SPEC.length)).astype(np.uint8)
    ks = kernels_from_layer(first_conv_layer(model))
    W, b = ks.W.astype(np.float64), ks.bias.astype(np.float64)
    scan = scan_max(codes, W, both_strands=True)
    m = scan.best(False)
    fit = estimate_base(W, m, b, "activated", "shared")
    assert np.isfinite(fit.ln_b).all() and float(np.ravel(fit.ln_b)[0]) > 0
    opts = {"sequences": "activated", "base": "shared", "strands": "forward"}
    base = json.loads(json.dumps(base_report(fit, W, m, b, opts, len(codes))))
    options = {"heuristic_strands": "forward", "exactness_windows": 50, "seed": 1, "tolerance": 1e-9,
               "refine_iterations": 20, "refine_pseudocount": 0.25}
    inputs = methods.MethodInputs(W=W, bias=b, codes=codes, scan=scan, base=base, options=options)
    exact = methods.get("exact").compute(inputs).datasets["PWM_tensor"]
    np.testing.assert_allclose(exact, kernel_to_pwm(W, np.full(len(W), float(np.ravel(fit.ln_b)[0]))), atol=1e-12)
    for name in ("heuristic", "exact_oops", "refined"):
        d = methods.get(name).compute(inputs).datasets
        assert d["PWM_tensor"].shape == W.shape and np.allclose(d["PWM_tensor"].sum(axis=2), 1.0)
        assert d["dead"][DEAD] and d["dead"].sum() == 1, name


def test_fidelity_test_under_exp(tmp_path):
    """The exact substitute reproduces an exponential model's predictions; the heuristic
    substitute's dead kernel gets ln of its mean exp activation as bias."""
    model, rng = _exp_model(seed=5)
    sample = rng.integers(0, 4, size=(200, SPEC.length)).astype(np.uint8)
    test = rng.integers(0, 4, size=(120, SPEC.length)).astype(np.uint8)
    labels = (rng.random((120, SPEC.n_targets)) < 0.3).astype(np.uint8)
    write_split(tmp_path / "test.h5", test, labels, ["t0", "t1", "t2"], source="simulate", split="test")
    ks = kernels_from_layer(first_conv_layer(model))
    W = ks.W.astype(np.float64)
    write_kernels_file(tmp_path / "kernels.h5", ks.W, ks.bias, sample, attrs={"activation": ks.activation})
    scan = scan_max(sample, W)
    v = estimate_base(W, scan.m, ks.bias, "all", "shared").ln_b
    (tmp_path / "base.json").write_text(json.dumps({"ln_b": float(v[0])}))
    with h5py.File(tmp_path / "exact.h5", "w") as f:
        f["PWM_tensor"], f["ln_b"], f["nsites"] = kernel_to_pwm(W, v), v, np.full(len(v), len(sample))
    h = heuristic_counts(sample, W.shape[1], ks.bias, scan.m, scan.pos)
    with h5py.File(tmp_path / "heuristic.h5", "w") as f:
        f["counts"], f["PWM_tensor"], f["nsites"], f["dead"] = h.counts, h.pwm, h.nsites, h.dead
    assert h.dead[DEAD] and h.dead.sum() == 1
    paths = [tmp_path / n for n in ("kernels.h5", "base.json", "exact.h5", "heuristic.h5")]
    rows, summary = fidelity_test(model, *paths, tmp_path / "test.h5", batch_size=64, tmp_dir=tmp_path,
                                  log=lambda m: None)
    assert summary["max_abs_diff_exact_without_n"] < 1e-4
    for r in rows:
        assert r["roc_auc_exact"] == pytest.approx(r["roc_auc_original"], abs=1e-3)
    mean_act = summary["heuristic"]["dead_mean_activation"][0]
    assert 0 < mean_act < 1e-30                                   # exp(-100 + score): tiny, never 0 or ReLU's 0
    after = kernels_from_layer(first_conv_layer(model))
    np.testing.assert_array_equal(after.W, ks.W)


def test_influence_under_exp():
    """Influence replaces the layer's own (exp) activation by its mean: the mean is that of exp(z)."""
    model, rng = _exp_model(seed=7)
    codes = rng.integers(0, 4, size=(40, SPEC.length)).astype(np.uint8)
    labels = (rng.random((40, SPEC.n_targets)) < 0.4).astype(np.uint8)
    conv = first_conv_layer(model)
    ks = kernels_from_layer(conv)
    z = _preactivation(ks.W.astype(np.float64), ks.bias.astype(np.float64), codes)
    np.testing.assert_allclose(mean_activations(conv, codes, 16, False), np.exp(z).mean(axis=(0, 1)), rtol=1e-4,
                               atol=1e-30)
    res = kernel_influence(model, codes, labels, ["t0", "t1", "t2"], batch_size=16, average_rc=False,
                           log=lambda m: None)
    assert res.mean_abs_dp.shape == (SPEC.kernels, SPEC.n_targets)
    assert np.isfinite(res.mean_abs_dp).all() and res.mean_abs_dp.max() > 0
