"""Kernel dump (Keras model -> W in correlation orientation), validation, sampling, and the scan."""

import hashlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py
import numpy as np
import pytest

from danqmotifs.core.alphabet import codes_to_onehot
from danqmotifs.core.errors import InputError
from danqmotifs.model.kernels import (check_kernel_tensor, check_sequence_tensor, read_kernels_file, read_sample,
                                read_tensor, sample_rows, write_kernels_file)
from danqmotifs.model.modelio import load_model_kernels
from danqmotifs.motifs.scoring import numba_available, read_scores, scan_max, write_scores
from danqmotifs.sources.datafile import DataReader
from helpers.data import write_split

ENGINES = ["blas"] + (["numba"] if numba_available() else [])


def all_scores(codes, W):
    """Every window score (n, P, K) by direct summation, with N scoring 0."""
    K, L, _ = W.shape
    P = codes.shape[1] - L + 1
    W5 = np.concatenate([W, np.zeros((K, L, 1))], axis=-1)
    out = np.zeros((codes.shape[0], P, K))
    for j in range(L):
        out += W5[:, j, :].T[codes[:, j:j + P]]
    return out


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_scan_matches_direct_summation_both_strands(engine, batch_size):
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(23, 57)).astype(np.uint8)
    codes[3, 10:20] = 4                                              # N run
    W = rng.standard_normal((6, 13, 4))
    ref = all_scores(codes, W)
    ref_rc = all_scores(codes, W[:, ::-1, ::-1])
    scan = scan_max(codes, W, both_strands=True, batch_size=batch_size, engine=engine)
    np.testing.assert_allclose(scan.m, ref.max(axis=1), atol=1e-12)
    np.testing.assert_array_equal(scan.pos, ref.argmax(axis=1))
    np.testing.assert_allclose(scan.m_rc, ref_rc.max(axis=1), atol=1e-12)
    np.testing.assert_array_equal(scan.pos_rc, ref_rc.argmax(axis=1))
    np.testing.assert_allclose(scan.best(True), np.maximum(ref.max(1), ref_rc.max(1)), atol=1e-12)
    fwd = scan_max(codes, W, batch_size=batch_size, engine=engine)
    assert fwd.m_rc is None
    np.testing.assert_array_equal(fwd.m, scan.m)


def test_minus_strand_score_is_the_reverse_complement_window_score():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 4, size=(5, 40)).astype(np.uint8)
    W = rng.standard_normal((3, 9, 4))
    scan = scan_max(codes, W, both_strands=True, engine="blas")
    x = codes_to_onehot(codes, dtype=np.float64)
    for s in range(5):
        for t in range(3):
            p = scan.pos_rc[s, t]
            window_minus = x[s, p:p + 9][::-1, ::-1]                  # read on the minus strand
            assert np.sum(window_minus * W[t]) == pytest.approx(scan.m_rc[s, t], abs=1e-12)


def test_scan_rejects_short_sequences():
    with pytest.raises(ValueError, match="shorter than the kernels"):
        scan_max(np.zeros((2, 5), np.uint8), np.zeros((1, 6, 4)))


def test_scores_file_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 4, size=(8, 30)).astype(np.uint8)
    scan = scan_max(codes, rng.standard_normal((4, 5, 4)), both_strands=True, engine="blas")
    write_scores(tmp_path / "s.h5", scan)
    back = read_scores(tmp_path / "s.h5", n=8, K=4)
    np.testing.assert_array_equal(back.m_rc, scan.m_rc)
    np.testing.assert_array_equal(back.pos, scan.pos)
    with pytest.raises(InputError, match="expected"):
        read_scores(tmp_path / "s.h5", n=9, K=4)


# --- the Keras model -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    import keras

    keras.utils.set_random_seed(0)
    inp = keras.Input((40, 4))
    h = keras.layers.Conv1D(5, 7, activation="relu", name="conv")(inp)
    h = keras.layers.GlobalMaxPooling1D()(h)
    out = keras.layers.Dense(2, activation="sigmoid")(h)
    model = keras.Model(inp, out)
    conv = model.get_layer("conv")
    rng = np.random.default_rng(3)
    conv.set_weights([rng.standard_normal((7, 4, 5)).astype("float32"),
                      rng.standard_normal(5).astype("float32")])
    path = tmp_path_factory.mktemp("model") / "best.keras"
    model.save(path)
    return path, model


def test_dump_gives_correlation_orientation_matching_keras(tiny_model):
    import keras

    path, model = tiny_model
    ks = load_model_kernels(path)
    conv = model.get_layer("conv")
    kernel, bias = conv.get_weights()
    assert ks.W.shape == (5, 7, 4) and ks.W.dtype == np.float32 and ks.layer == "conv"
    np.testing.assert_array_equal(ks.W, kernel.transpose(2, 0, 1))
    np.testing.assert_array_equal(ks.bias, bias)
    # the layer's pre-activation output at position i equals our window score + bias
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 4, size=(6, 40)).astype(np.uint8)
    pre = keras.Model(model.input, conv.output)
    act = pre.predict(codes_to_onehot(codes), verbose=0)              # ReLU(score + bias)
    scores = all_scores(codes, ks.W.astype(np.float64)) + bias[None, None, :]
    np.testing.assert_allclose(act, np.maximum(scores, 0), atol=1e-5)
    scan = scan_max(codes, ks.W, engine="blas")
    np.testing.assert_allclose(np.maximum(scan.m + bias, 0), act.max(axis=1), atol=1e-5)


def test_model_errors(tmp_path):
    import keras

    with pytest.raises(InputError, match="does not exist"):
        load_model_kernels(tmp_path / "none.keras")
    bad = tmp_path / "bad.keras"
    bad.write_text("not a model")
    with pytest.raises(InputError, match="not a readable Keras model"):
        load_model_kernels(bad)
    inp = keras.Input((10, 4))
    m = keras.Model(inp, keras.layers.Dense(1)(keras.layers.Flatten()(inp)))
    m.save(tmp_path / "dense.keras")
    with pytest.raises(InputError, match="no Conv1D"):
        load_model_kernels(tmp_path / "dense.keras")
    inp = keras.Input((10, 5))
    m = keras.Model(inp, keras.layers.Conv1D(2, 3)(inp))
    m.save(tmp_path / "five.keras")
    with pytest.raises(InputError, match="5 input channels"):
        load_model_kernels(tmp_path / "five.keras")
    inp = keras.Input((20, 4))
    m = keras.Model(inp, keras.layers.Conv1D(2, 3, dilation_rate=2)(inp))
    m.save(tmp_path / "dil.keras")
    with pytest.raises(InputError, match="dilated"):
        load_model_kernels(tmp_path / "dil.keras")


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,match", [((7, 4), "rank 2"), ((2, 3, 4, 1), "rank 4"),
                                         ((2, 7, 3), "3 channels"), ((2, 7, 5), "5 channels")])
def test_kernel_tensor_shape_errors(shape, match):
    with pytest.raises(InputError, match=match):
        check_kernel_tensor(np.zeros(shape), "k.h5")


def test_kernel_tensor_non_finite():
    W = np.zeros((3, 5, 4))
    W[1, 2, 0] = np.nan
    with pytest.raises(InputError, match="NaN or Inf.*kernel 1, row 2"):
        check_kernel_tensor(W, "k.h5")
    W[1, 2, 0] = np.inf
    with pytest.raises(InputError, match="NaN or Inf"):
        check_kernel_tensor(W, "k.h5")


def test_sequence_tensor_checks():
    x = codes_to_onehot(np.array([[0, 1, 2, 3, 4, 0]]), dtype=np.uint8)
    np.testing.assert_array_equal(check_sequence_tensor(x, 4, "s.h5"), [[0, 1, 2, 3, 4, 0]])
    with pytest.raises(InputError, match="shorter than the kernels"):
        check_sequence_tensor(x, 7, "s.h5")
    with pytest.raises(InputError, match="5 channels"):
        check_sequence_tensor(np.zeros((1, 6, 5)), 4, "s.h5")
    with pytest.raises(InputError, match="rank 2"):
        check_sequence_tensor(np.zeros((6, 4)), 4, "s.h5")
    soft = x.astype(float)
    soft[0, 2] = [0.25, 0.25, 0.25, 0.25]
    with pytest.raises(InputError, match="not one-hot: sequence 0, position 2"):
        check_sequence_tensor(soft, 4, "s.h5")
    two = x.copy()
    two[0, 1] = [1, 1, 0, 0]
    with pytest.raises(InputError, match="2 ones"):
        check_sequence_tensor(two, 4, "s.h5")


# --- sampling and the kernel file ----------------------------------------------------------------


@pytest.fixture
def split_file(tmp_path):
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 4, size=(300, 30)).astype(np.uint8)
    targets = np.zeros((300, 3), np.uint8)
    targets[::10, 1] = 1                                              # 30 positives for "b"
    targets[5::50, 2] = 1                                             # 6 positives for "c"
    path = tmp_path / "test.h5"
    write_split(path, codes, targets, ["a", "b", "c"], "simulate", "test")
    return path, codes, targets


def test_sampling_is_seeded_and_filters_positives(split_file):
    path, codes, targets = split_file
    with DataReader(path) as r:
        rows1, info = sample_rows(r, 100, seed=1)
        rows2, _ = sample_rows(r, 100, seed=1)
        rows3, _ = sample_rows(r, 100, seed=2)
        assert info["n_used"] == 100 and np.all(np.diff(rows1) > 0)
        np.testing.assert_array_equal(rows1, rows2)
        assert not np.array_equal(rows1, rows3)
        pos, info = sample_rows(r, 20, seed=1, positive_for=["b"])
        assert pos.size == 20 and np.all(targets[pos, 1] == 1)
        few, info = sample_rows(r, 20, seed=1, positive_for=["c", "b"])
        assert few.size == 20 and np.all(targets[few][:, 1:].any(axis=1))
        only_c, info = sample_rows(r, 20, seed=1, positive_for=["c"])
        assert only_c.size == 6 and "using all" in info["note"]
        with pytest.raises(InputError, match="not in"):
            sample_rows(r, 20, seed=1, positive_for=["zzz"])
        with pytest.raises(InputError, match="no sequence"):
            sample_rows(r, 20, seed=1, positive_for=["a"])
    c, rows, _ = read_sample(path, 50, seed=3)
    np.testing.assert_array_equal(c, codes[rows])


def test_kernel_file_round_trip_and_deterministic_bytes(tmp_path, split_file):
    path, codes, _ = split_file
    rng = np.random.default_rng(6)
    W = rng.standard_normal((4, 8, 4)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    c, rows, _ = read_sample(path, 40, seed=1)
    attrs = {"source_model": "m.keras", "split": "test", "positive_for": []}
    write_kernels_file(tmp_path / "k1.h5", W, b, c, rows, attrs)
    write_kernels_file(tmp_path / "k2.h5", W, b, c, rows, attrs)
    digest = [hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for f in ("k1.h5", "k2.h5")]
    assert digest[0] == digest[1]
    kf = read_kernels_file(tmp_path / "k1.h5")
    np.testing.assert_array_equal(kf.W, W)
    np.testing.assert_array_equal(kf.codes, c)
    assert kf.attrs["orientation"] == "correlation" and kf.attrs["alphabet"] == "ACGT"
    with h5py.File(tmp_path / "k1.h5") as f:
        assert f["sequences"].shape == (40, 30, 4) and f["sequences"].dtype == np.uint8
        assert f["kernels"].shape == (4, 8, 4)
    # the k2p-style reader picks the kernel and sequence tensors of this file by default
    k, name, _ = read_tensor(tmp_path / "k1.h5", None, "kernel tensor", preferred="kernels")
    s, sname, _ = read_tensor(tmp_path / "k1.h5", None, "sequence tensor", preferred="sequences")
    assert name == "kernels" and sname == "sequences"
    with pytest.raises(InputError, match="no dataset named"):
        read_tensor(tmp_path / "k1.h5", "nope", "kernel tensor")
