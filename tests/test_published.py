"""DanQ's published weights file (Keras 0.2 / Theano layout) -> Keras 3 model.

The reference below is an independent plain-numpy forward pass of what Keras 0.2 computed, read
straight from the HDF5 file with h5py: a true convolution (np.convolve flips the taps, as Theano
did) on A, G, C, T input, ReLU, max-pooling, two LSTMs with the hard sigmoid clip(0.2 x + 0.5, 0, 1)
and the arrays in the order i, c, f, o, both running forward in time (seya reversed the "backward"
one along the batch axis), concatenation, time-major flatten, dense + ReLU, dense + sigmoid.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from danqmotifs.core.alphabet import codes_to_onehot
from danqmotifs.core.errors import InputError
from danqmotifs.model import ModelSpec, build_model
from danqmotifs.model.kernels import kernels_from_layer, write_kernels_file
from danqmotifs.model.kernels import CONV_NAME
from danqmotifs.model.modelio import first_conv_layer, load_any_model, read_kernel_file
from danqmotifs.model.published import PublishedWeights, is_published_danq, load_published_danq, resolve_pool
from helpers.published import random_published_weights, write_published_weights

SMALL = dict(kernels=8, kernel_width=11, lstm_units=6, pooled_length=9, dense_units=10, n_targets=5)
SMALL_LENGTH = 46                                         # 36 conv steps, pool 4 -> 9 steps


# ----------------------------------------------------------------------------------- the reference

def _hard_sigmoid(z):
    return np.clip(0.2 * z + 0.5, 0.0, 1.0)


def _lstm(xs, arrays, reverse_time=False):
    """Keras 0.2's LSTM over xs (steps, inputs); arrays = [W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f,
    b_f, W_o, U_o, b_o]. ``reverse_time`` runs it backward (what seya did NOT do)."""
    Wi, Ui, bi, Wc, Uc, bc, Wf, Uf, bf, Wo, Uo, bo = arrays
    h = np.zeros(Ui.shape[0])
    c = np.zeros(Ui.shape[0])
    out = np.zeros((xs.shape[0], Ui.shape[0]))
    steps = range(xs.shape[0])
    for t in (reversed(steps) if reverse_time else steps):
        x = xs[t]
        i = _hard_sigmoid(x @ Wi + bi + h @ Ui)
        f = _hard_sigmoid(x @ Wf + bf + h @ Uf)
        c = f * c + i * np.tanh(x @ Wc + bc + h @ Uc)
        o = _hard_sigmoid(x @ Wo + bo + h @ Uo)
        h = o * np.tanh(c)
        out[t] = h
    return out


def reference_predictions(path, onehot_acgt, pool, backward_reversed=False):
    """Plain-numpy Keras 0.2 forward pass of the file at ``path`` on (N, Ls, 4) A,C,G,T one-hot."""
    with h5py.File(path, "r") as f:
        p = {(l, i): f[f"layer_{l}/param_{i}"][()].astype(np.float64)
             for l in (0, 3, 6, 8) for i in range(f[f"layer_{l}"].attrs["nb_params"])}
    conv, conv_b = p[0, 0], p[0, 1]
    K = conv.shape[0]
    x_agct = np.asarray(onehot_acgt, dtype=np.float64)[..., [0, 2, 1, 3]]    # the file's channel order
    out = []
    for seq in x_agct:
        y = np.stack([sum(np.convolve(seq[:, c], conv[k, c, :, 0], mode="valid") for c in range(4))
                      for k in range(K)], axis=1) + conv_b
        y = np.maximum(y, 0.0)
        steps = y.shape[0] // pool
        y = y[:steps * pool].reshape(steps, pool, K).max(axis=1)
        fw = _lstm(y, [p[3, i] for i in range(12)])
        bw = _lstm(y, [p[3, i] for i in range(12, 24)], reverse_time=backward_reversed)
        h = np.concatenate([fw, bw], axis=1).reshape(-1)                     # time-major flatten
        h = np.maximum(h @ p[6, 0] + p[6, 1], 0.0)
        out.append(1.0 / (1.0 + np.exp(-(h @ p[8, 0] + p[8, 1]))))
    return np.array(out)


def _sequences(rng, n, length):
    codes = rng.integers(0, 4, size=(n, length)).astype(np.uint8)
    codes[0, 5:9] = 4                                     # a few N (all-zero rows)
    return codes_to_onehot(codes)


@pytest.fixture()
def small_file(tmp_path):
    path = tmp_path / "DanQ_small.hdf5"
    write_published_weights(path, random_published_weights(np.random.default_rng(1), **SMALL))
    return path


def _predict(model, x):
    return np.asarray(model(x, training=False), dtype=np.float64)


# ----------------------------------------------------------------------------------- equivalence

@pytest.mark.parametrize("pool, extra", [(4, 0), (3, 2)])
def test_predictions_equal_the_numpy_keras02_forward_pass(tmp_path, pool, extra):
    rng = np.random.default_rng(pool)
    path = tmp_path / "w.hdf5"
    write_published_weights(path, random_published_weights(rng, **SMALL))
    length = SMALL["pooled_length"] * pool + SMALL["kernel_width"] - 1 + extra
    model = load_published_danq(path, length=length)          # the pool is inferred
    assert model.inputs[0].shape[1] == length and model.get_layer("pool").pool_size == (pool,)
    x = _sequences(rng, 6, length)
    ref = reference_predictions(path, x, pool)
    got = _predict(model, x)
    assert got.shape == (6, SMALL["n_targets"])
    assert np.abs(got - ref).max() < 1e-5
    assert ref.std() > 1e-3                                # not saturated: the comparison means something
    # the test can tell the published quirk apart: a backward-in-time second LSTM differs clearly
    assert np.abs(got - reference_predictions(path, x, pool, backward_reversed=True)).max() > 1e-3


def test_keras3_hard_sigmoid_would_differ(small_file):
    """The recurrent activation is Keras 0.2's (slope 0.2), not Keras 3's hard_sigmoid (slope 1/6)."""
    model = load_published_danq(small_file, SMALL_LENGTH)
    for name in ("lstm_forward", "lstm_backward"):
        z = np.linspace(-4, 4, 81).astype("float32")
        act = np.asarray(model.get_layer(name).recurrent_activation(z))
        assert np.allclose(act, np.clip(0.2 * z + 0.5, 0, 1), atol=1e-7)
        assert np.abs(act - np.asarray(keras.activations.hard_sigmoid(z))).max() > 0.05


def test_dumped_kernels_are_param0_flipped_and_reordered(small_file):
    model = load_published_danq(small_file, SMALL_LENGTH)
    with h5py.File(small_file, "r") as f:
        p0, p1 = f["layer_0/param_0"][()], f["layer_0/param_1"][()]
    expected = p0[:, :, ::-1, 0][:, [0, 2, 1, 3]].transpose(0, 2, 1)     # (K, L, 4), A,C,G,T, correlation
    ks = kernels_from_layer(first_conv_layer(model))
    assert ks.layer == CONV_NAME
    W, b = ks.W, ks.bias
    np.testing.assert_array_equal(W, expected)
    np.testing.assert_array_equal(b, p1)
    # correlation orientation: kernel row j faces base i + j of the window starting at i
    x = _sequences(np.random.default_rng(5), 1, model.inputs[0].shape[1])
    conv = keras.Model(model.input, model.get_layer(CONV_NAME).output)
    i = 3
    score = (W[:, :, :] * x[0, i:i + W.shape[1]][None]).sum(axis=(1, 2)) + b
    np.testing.assert_allclose(np.asarray(conv(x))[0, i], np.maximum(score, 0), atol=1e-5)


def test_saved_model_loads_again_with_the_same_predictions(small_file, tmp_path):
    model = load_published_danq(small_file, SMALL_LENGTH)
    out = tmp_path / "published.keras"
    model.save(out)
    again = load_any_model(out)
    x = _sequences(np.random.default_rng(2), 3, model.inputs[0].shape[1])
    np.testing.assert_allclose(_predict(again, x), _predict(model, x), atol=1e-7)
    assert not is_published_danq(out) and is_published_danq(small_file)
    via_any = load_any_model(small_file, SMALL_LENGTH)
    np.testing.assert_allclose(_predict(via_any, x), _predict(model, x), atol=1e-7)


def test_papers_shapes(tmp_path):
    """The published file's exact shapes: 320 x 26 kernels, 2 x 320 LSTM units, 48000 -> 925 -> 919,
    1000 bp input, 46,926,479 parameters like danqmotifs.model's danq preset."""
    rng = np.random.default_rng(7)
    path = tmp_path / "DanQ_bestmodel.hdf5"
    write_published_weights(path, random_published_weights(rng))
    model = load_published_danq(path)
    assert model.inputs[0].shape[1] == 1000 and model.get_layer("pool").pool_size == (13,)
    assert model.count_params() == 46_926_479
    x = _sequences(rng, 2, 1000)
    ref = reference_predictions(path, x, 13)
    assert np.abs(_predict(model, x) - ref).max() < 1e-5


# ----------------------------------------------------------------------------------- bad files

def _rewrite(path, edit):
    with h5py.File(path, "r+") as f:
        edit(f)
    return path


@pytest.mark.parametrize("edit, match", [
    (lambda f: f.__delitem__("layer_8"), "group layer_8 is missing"),
    (lambda f: f["layer_3"].__delitem__("param_7"), r"layer_3/param_7 \(forward LSTM U_f\) is missing"),
    (lambda f: f.attrs.__setitem__("nb_layers", 9), "9 layers"),
    (lambda f: f["layer_3"].attrs.__setitem__("nb_params", 12), "12 parameter arrays"),
    (lambda f: (f["layer_0"].__delitem__("param_0"),
                f["layer_0"].create_dataset("param_0", data=np.zeros((8, 5, 11, 1), "f4"))),
     r"layer_0/param_0 .* has shape \(8, 5, 11, 1\), expected \(\*, 4, \*, 1\)"),
    (lambda f: (f["layer_3"].__delitem__("param_13"),
                f["layer_3"].create_dataset("param_13", data=np.zeros((7, 7), "f4"))),
     r"layer_3/param_13 \(backward LSTM U_i\) has shape \(7, 7\), expected \(6, 6\)"),
    (lambda f: (f["layer_6"].__delitem__("param_0"),
                f["layer_6"].create_dataset("param_0", data=np.zeros((100, 10), "f4"))),
     "100 inputs, not a multiple"),
    (lambda f: (f["layer_8"].__delitem__("param_0"),
                f["layer_8"].create_dataset("param_0", data=np.zeros((11, 5), "f4"))),
     r"layer_8/param_0 .* expected \(10, \*\)"),
    (lambda f: f["layer_0/param_1"].__setitem__(0, np.nan), "not finite"),
])
def test_wrong_layout_is_a_clear_error(small_file, edit, match):
    _rewrite(small_file, edit)
    with pytest.raises(InputError, match=match) as err:
        load_published_danq(small_file, SMALL_LENGTH)
    assert str(small_file) in str(err.value) and "Fix:" in str(err.value)


def test_other_files_are_clear_errors(tmp_path, small_file):
    # a Keras 3 model of another architecture
    other = keras.Sequential([keras.Input((10,)), keras.layers.Dense(3)])
    other.save(tmp_path / "other.keras")
    with pytest.raises(InputError, match="Keras 3 .keras model, not the published"):
        load_published_danq(tmp_path / "other.keras")
    with pytest.raises(InputError, match=r"input has shape \(None, 10\)"):
        load_any_model(tmp_path / "other.keras")
    # an HDF5 file of another kind, a truncated file, a missing file, a length that does not fit
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f.create_dataset("kernels", data=np.zeros((2, 3, 4)))
    with pytest.raises(InputError, match="no nb_layers attribute"):
        load_published_danq(tmp_path / "x.h5")
    with pytest.raises(InputError, match="not a readable Keras model.*DanQ's published"):
        load_any_model(tmp_path / "x.h5")
    (tmp_path / "cut.hdf5").write_bytes(small_file.read_bytes()[:3000])
    with pytest.raises(InputError, match="not a readable HDF5 file"):
        load_published_danq(tmp_path / "cut.hdf5")
    with pytest.raises(InputError, match="does not exist"):
        load_any_model(tmp_path / "missing.hdf5")
    with pytest.raises(InputError, match="pooling of 4: the dense layer reads 9 steps, which pool sizes 10 give"):
        load_published_danq(small_file, length=101, pool=4)
    with pytest.raises(InputError, match="no pool size given: the dense layer reads 9 steps, which pool "
                                         "sizes 100, 101, .*, 110 give"):
        load_published_danq(small_file)                      # 1000 bp by default: ambiguous here
    assert load_published_danq(small_file, 46, pool=4).inputs[0].shape[1] == 46


def test_any_model_accepts_a_trained_danq(tmp_path):
    spec = ModelSpec(kernels=4, kernel_width=5, pool=3, lstm_units=2, dense_units=3, n_targets=2, length=30)
    build_model(spec).save(tmp_path / "best.keras")
    model = load_any_model(tmp_path / "best.keras")
    assert model.inputs[0].shape[1:] == (30, 4)


# ----------------------------------------------------------------------------------- kernels alone

def test_read_kernel_file_either_convention(tmp_path):
    rng = np.random.default_rng(3)
    W = rng.normal(size=(5, 7, 4)).astype(np.float32)
    b = rng.normal(size=5).astype(np.float32)
    with h5py.File(tmp_path / "k2p.h5", "w") as f:                  # a k2p-style file: Theano kernels
        f.create_dataset("W", data=W[:, ::-1, :])
        f.create_dataset("bias", data=b)
    Wc, bc = read_kernel_file(tmp_path / "k2p.h5", "convolution", biases="bias")
    np.testing.assert_array_equal(Wc, W)
    np.testing.assert_array_equal(bc, b)
    Wn, bn = read_kernel_file(tmp_path / "k2p.h5", "convolution", biases=None)
    assert np.all(bn == 0) and Wn.shape == (5, 7, 4)
    with pytest.raises(InputError, match="no dataset 'biases'"):
        read_kernel_file(tmp_path / "k2p.h5", "convolution")
    # our own kernel file says it is in correlation orientation
    write_kernels_file(tmp_path / "kernels.h5", W, b, rng.integers(0, 4, size=(3, 20)))
    Wk, bk = read_kernel_file(tmp_path / "kernels.h5", "correlation")
    np.testing.assert_array_equal(Wk, W)
    np.testing.assert_allclose(bk, b)
    with pytest.raises(InputError, match="correlation orientation, but convolution was asked"):
        read_kernel_file(tmp_path / "kernels.h5", "convolution")
    with pytest.raises(InputError, match="unknown kernel convention"):
        read_kernel_file(tmp_path / "kernels.h5", "theano")


def test_weights_object_round_trips(small_file, tmp_path):
    from danqmotifs.model.published import read_published_weights

    w = read_published_weights(small_file)
    assert isinstance(w, PublishedWeights)
    assert (w.kernels, w.kernel_width, w.lstm_units, w.pooled_length) == (8, 11, 6, 9)
    write_published_weights(tmp_path / "again.hdf5", w)
    w2 = read_published_weights(tmp_path / "again.hdf5")
    for a, b in zip(w.arrays(), w2.arrays()):
        np.testing.assert_array_equal(a, b)


def test_pool_is_inferred_from_the_length():
    """DanQ: 1000 bp, kernels of 26, 75 steps -> 13; DanQ-JASPAR's sizes: kernels of 30, 64 steps -> 15."""
    rng = np.random.default_rng(0)
    danq = random_published_weights(rng, 2, 26, 1, 75, 1, 1)
    jaspar = random_published_weights(rng, 2, 30, 1, 64, 1, 1)
    assert resolve_pool(danq) == 13 and resolve_pool(jaspar) == 15
    with pytest.raises(InputError, match="pooling of 13: .* which pool sizes 15 give"):
        resolve_pool(jaspar, 1000, 13)
