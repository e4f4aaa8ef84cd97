"""The data layout and the alphabet: round trip, N handling, reverse complement, DeepSEA reorder."""

import hashlib

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danqmotifs.core.alphabet import (DEEPSEA_TO_ACGT, N_CODE, base_frequencies, codes_to_onehot, decode,
                                 encode, onehot_to_codes, reverse_complement_codes,
                                 reverse_complement_onehot)
from danqmotifs.core.errors import InputError
from danqmotifs.sources.datafile import CHUNK_ROWS, DataReader, DataWriter, data_base_frequencies
from helpers.data import write_split

codes_strategy = st.lists(st.integers(0, 4), min_size=1, max_size=60).map(lambda v: np.array(v, np.uint8))


# ---- alphabet ------------------------------------------------------------------------------
def test_encode_decode_and_soft_masking():
    assert encode("ACGTN").tolist() == [0, 1, 2, 3, 4]
    assert encode("acgtn").tolist() == [0, 1, 2, 3, 4]
    assert encode(b"GattACA").tolist() == [2, 0, 3, 3, 0, 1, 0]
    assert decode(encode("ACGTNacgtn")) == "ACGTNACGTN"


@pytest.mark.parametrize("seq,letter,pos", [("ACGR", "R", 4), ("XACG", "X", 1), ("AC-G", "-", 3), ("AC G", " ", 3)])
def test_encode_rejects_other_letters(seq, letter, pos):
    with pytest.raises(ValueError, match=f"letter '{letter}' at position {pos}"):
        encode(seq)


def test_n_is_an_all_zero_row_and_back():
    codes = encode("ANT")
    oh = codes_to_onehot(codes)
    assert oh.dtype == np.float32 and oh.shape == (3, 4)
    np.testing.assert_array_equal(oh, [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]])
    np.testing.assert_array_equal(onehot_to_codes(oh), codes)
    with pytest.raises(ValueError, match="not one-hot"):
        onehot_to_codes(np.array([[1, 1, 0, 0]]))
    with pytest.raises(ValueError, match="not one-hot"):
        onehot_to_codes(np.array([[0.5, 0.5, 0, 0]]))


@settings(max_examples=60, deadline=None)
@given(codes_strategy)
def test_reverse_complement_codes_and_onehot_agree(codes):
    rc = reverse_complement_codes(codes)
    np.testing.assert_array_equal(codes_to_onehot(rc), reverse_complement_onehot(codes_to_onehot(codes)))
    np.testing.assert_array_equal(reverse_complement_codes(rc), codes)
    # complement pairs A-T, C-G, N-N, read backwards
    comp = {"A": "T", "C": "G", "G": "C", "T": "A", "N": "N"}
    assert decode(rc) == "".join(comp[b] for b in reversed(decode(codes)))


def test_reverse_complement_batch_axis():
    codes = np.array([encode("AACGN"), encode("TTTGC")])
    np.testing.assert_array_equal(reverse_complement_codes(codes), [encode("NCGTT"), encode("GCAAA")])


def test_deepsea_reorder():
    # DeepSEA one-hot columns are A, G, C, T
    agct = {"A": [1, 0, 0, 0], "G": [0, 1, 0, 0], "C": [0, 0, 1, 0], "T": [0, 0, 0, 1], "N": [0, 0, 0, 0]}
    seq = "GATTACANC"
    x = np.array([agct[b] for b in seq])
    acgt = x[:, DEEPSEA_TO_ACGT]
    assert decode(onehot_to_codes(acgt)) == seq
    np.testing.assert_array_equal(DEEPSEA_TO_ACGT[DEEPSEA_TO_ACGT], np.arange(4))   # its own inverse


def test_base_frequencies_ignore_n():
    np.testing.assert_allclose(base_frequencies(encode("AACNNNNG")), [0.5, 0.25, 0.25, 0])
    np.testing.assert_allclose(base_frequencies(encode("NNN")), [0.25] * 4)


# ---- data files ------------------------------------------------------------------------------
def _data(rng, n=700, L=33, T=5):
    codes = rng.integers(0, 5, size=(n, L), dtype=np.uint8)
    y = (rng.random((n, T)) < 0.3).astype(np.uint8)
    return codes, y


def test_round_trip_with_ids_and_attributes(tmp_path):
    rng = np.random.default_rng(0)
    codes, y = _data(rng)
    ids = [f"chr1:{i}-{i + 33}" for i in range(len(codes))]
    names = ["t0", "t1", "t2", "t3", "t4"]
    p = tmp_path / "train.h5"
    write_split(p, codes, y, names, "fasta", "train", ids=ids, attrs={"width": 33})
    with DataReader(p) as r:
        assert (r.n, r.length, r.n_targets) == codes.shape[:1] + (33, 5)
        assert r.target_names == names and r.source == "fasta"
        x, t = r.read(0, r.n)
        np.testing.assert_array_equal(x, codes)
        np.testing.assert_array_equal(t, y)
        assert list(r.ids.asstr()[:]) == ids
        x1, _ = r.read(10, 12, onehot=True)
        np.testing.assert_array_equal(x1, codes_to_onehot(codes[10:12]))
        assert x1[codes[10:12] == N_CODE].sum() == 0      # N: all-zero rows
        a = r._f.attrs
        assert a["alphabet"] == "ACGT" and a["encoding"] == "codes" and a["split"] == "train"
        assert a["width"] == 33
        assert r.sequences.chunks == (CHUNK_ROWS, 33) and r.sequences.compression is None
    np.testing.assert_allclose(data_base_frequencies(p), base_frequencies(codes))


def test_same_input_same_bytes(tmp_path):
    rng = np.random.default_rng(1)
    codes, y = _data(rng, n=300)
    digests = []
    for k in range(2):
        p = tmp_path / f"d{k}.h5"
        write_split(p, codes, y, list("abcde"), "simulate", "test")
        digests.append(hashlib.sha256(p.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_appending_in_blocks_equals_one_write(tmp_path):
    rng = np.random.default_rng(2)
    codes, y = _data(rng, n=1000)
    with DataWriter(tmp_path / "b.h5", 33, list("abcde"), "deepsea", "train") as w:
        for s in range(0, 1000, 137):
            w.append(codes[s:s + 137], y[s:s + 137])
    with DataReader(tmp_path / "b.h5") as r:
        np.testing.assert_array_equal(r.read(0, 1000)[0], codes)
        blocks = list(r.iter_blocks(300))
        assert [s for s, _, _ in blocks] == [0, 300, 600, 900]
        np.testing.assert_array_equal(np.concatenate([c for _, c, _ in blocks]), codes)


def test_writer_checks_and_failure_leaves_nothing(tmp_path):
    p = tmp_path / "x.h5"
    with pytest.raises(ValueError, match="codes must be"):
        with DataWriter(p, 10, ["t"], "fasta", "train") as w:
            w.append(np.zeros((3, 9), np.uint8), np.zeros((3, 1), np.uint8))
    with pytest.raises(ValueError, match="0..4"):
        with DataWriter(p, 10, ["t"], "fasta", "train") as w:
            w.append(np.full((3, 10), 7, np.uint8), np.zeros((3, 1), np.uint8))
    with pytest.raises(ValueError, match="targets must be"):
        with DataWriter(p, 10, ["t"], "fasta", "train") as w:
            w.append(np.zeros((3, 10), np.uint8), np.zeros((3, 2), np.uint8))
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    data = _data(np.random.default_rng(3), n=1000)
    path = tmp_path_factory.mktemp("shared") / "valid.h5"
    write_split(path, *data, list("abcde"), "simulate", "valid")
    return path, data


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.integers(0, 999), min_size=0, max_size=50), gap=st.integers(0, 40))
def test_read_rows_any_order_with_repeats(shared, rows, gap):
    path, (codes, y) = shared
    with DataReader(path) as r:
        x, t = r.read_rows(np.array(rows, dtype=np.int64), max_gap=gap)
        idx = np.array(rows, dtype=np.int64)
        assert x.shape == (len(rows), 33) and t.shape == (len(rows), 5)
        np.testing.assert_array_equal(x, codes[idx])
        np.testing.assert_array_equal(t, y[idx])
        xo, _ = r.read_rows(rows, onehot=True)
        np.testing.assert_array_equal(xo, codes_to_onehot(codes[idx]))


def test_read_rows_out_of_range(shared):
    with DataReader(shared[0]) as r:
        with pytest.raises(IndexError):
            r.read_rows([0, 1000])
        with pytest.raises(IndexError):
            r.read_rows([-1])


def test_reader_rejects_missing_and_foreign_files(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        DataReader(tmp_path / "nope.h5")
    (tmp_path / "junk.h5").write_bytes(b"not hdf5 at all")
    with pytest.raises(InputError, match="not a readable HDF5"):
        DataReader(tmp_path / "junk.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = np.zeros(3)
    with pytest.raises(InputError, match="not a danqmotifs data file"):
        DataReader(tmp_path / "other.h5")
