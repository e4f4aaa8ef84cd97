"""The deepsea source: DeepSEA's .mat layouts in, A,C,G,T codes in the files' sample order out.

Fixtures mimic DeepSEA's files exactly: train.mat is HDF5 with a 512-byte user block and the sample
axis last (h5py order (L, 4, N) and (T, N)); valid/test.mat are MATLAB v5 from scipy.io.savemat
((N, 4, L) and (N, T)); one-hot channels are A, G, C, T.
"""

import hashlib
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.io
import yaml

from danqmotifs.core.alphabet import decode, encode, reverse_complement_codes
from danqmotifs.core.errors import InputError
from danqmotifs.sources.datafile import DataReader
from danqmotifs.sources.deepsea import SPLITS, MatSplit, convert_deepsea, deepsea_onehot_to_codes, read_target_names
from helpers.deepsea import codes_to_deepsea_onehot, small_chunks, write_mat5, write_mat73

ROOT = Path(__file__).resolve().parents[1]
L, T = 40, 7
KNOWN = "GATTACANNCCGGTTAACGTACGTTTTGGGGCCCCAAAAC"      # 40 bp, N included
# DeepSEA's column order: A, G, C, T
AGCT = {"A": [1, 0, 0, 0], "G": [0, 1, 0, 0], "C": [0, 0, 1, 0], "T": [0, 0, 0, 1], "N": [0, 0, 0, 0]}


def _agct_onehot(seq):
    """(L, 4) one-hot in DeepSEA's A,G,C,T column order, written out by hand."""
    return np.array([AGCT[b] for b in seq], dtype=np.uint8)


def _dataset(n_fwd, seed):
    """Forward sequences (the first is KNOWN) then their reverse complements; targets shared."""
    rng = np.random.default_rng(seed)
    fwd = rng.integers(0, 5, size=(n_fwd, L), dtype=np.uint8)
    fwd[0] = encode(KNOWN)
    codes = np.concatenate([fwd, reverse_complement_codes(fwd)])
    y = (rng.random((n_fwd, T)) < 0.4).astype(np.uint8)
    return codes, np.concatenate([y, y])


def _write_train_h5(path, codes, y, chunks=None, compression=None, xname="trainxdata", yname="traindata",
                    sample_first=False):
    """train.mat as MATLAB v7.3 writes it, by hand with h5py: sample axis last, A,G,C,T."""
    onehot = np.stack([_agct_onehot(decode(c)) for c in codes])          # (N, L, 4)
    x = onehot.transpose(0, 2, 1) if sample_first else onehot.transpose(1, 2, 0)   # (N,4,L) | (L,4,N)
    with h5py.File(path, "w", userblock_size=512) as f:
        f.create_dataset(xname, data=x, chunks=chunks, compression=compression)
        f.create_dataset(yname, data=y if sample_first else y.T)
    with open(path, "r+b") as fh:
        # MATLAB's 128-byte header: text, subsystem offset, version 0x0200, endian indicator
        fh.write(b"MATLAB 7.3 MAT-file, HDF5 schema 1.00 .".ljust(116, b" ") + bytes(8) + b"\x00\x02IM")


def _write_v5(path, split, codes, y, **override):
    onehot = np.stack([_agct_onehot(decode(c)) for c in codes])          # (N, L, 4)
    d = {f"{split}xdata": onehot.transpose(0, 2, 1), f"{split}data": y}  # (N, 4, L), (N, T)
    d.update(override)
    scipy.io.savemat(str(path), d)


@pytest.fixture()
def files(tmp_path):
    data = {"train": _dataset(9, 0), "valid": _dataset(3, 1), "test": _dataset(4, 2)}
    _write_train_h5(tmp_path / "train.mat", *data["train"], chunks=(L, 4, 2), compression="gzip")
    _write_v5(tmp_path / "valid.mat", "valid", *data["valid"])
    _write_v5(tmp_path / "test.mat", "test", *data["test"])
    inputs = {s: tmp_path / f"{s}.mat" for s in SPLITS}
    outputs = {s: tmp_path / "out" / f"{s}.h5" for s in SPLITS}
    return data, inputs, outputs


def test_fixture_has_deepsea_layout(files):
    data, inputs, _ = files
    with h5py.File(inputs["train"], "r") as f:
        assert f.userblock_size == 512
        assert f["trainxdata"].shape == (L, 4, 18) and f["traindata"].shape == (T, 18)
        assert f["trainxdata"][0, :, 0].tolist() == [0, 1, 0, 0]       # first base G, channel 1
    with pytest.raises(NotImplementedError):
        scipy.io.loadmat(str(inputs["train"]))                          # v7.3 is not scipy's
    m = scipy.io.loadmat(str(inputs["valid"]))
    assert m["validxdata"].shape == (6, 4, L) and m["validdata"].shape == (6, T)


def test_known_sequence_comes_out_in_acgt_and_order_kept(files):
    data, inputs, outputs = files
    summaries = convert_deepsea(inputs, outputs, block_size=4)
    assert [s["n"] for s in summaries] == [18, 6, 8]
    for split in SPLITS:
        codes, y = data[split]
        with DataReader(outputs[split]) as r:
            x, t = r.read(0, r.n)
            a = r._f.attrs
            assert a["source"] == "deepsea" and a["split"] == split and a["alphabet"] == "ACGT"
            assert "reverse complements" in a["sample_order"]
            assert bool(a["second_half_reverse_complement"])
            assert r.target_names == [f"target_{i:04d}" for i in range(T)]
        assert decode(x[0]) == KNOWN
        half = x.shape[0] // 2
        assert decode(x[half]) == decode(reverse_complement_codes(encode(KNOWN)))
        np.testing.assert_array_equal(x[half:], reverse_complement_codes(x[:half]))
        np.testing.assert_array_equal(x, codes)
        np.testing.assert_array_equal(t, y)


@pytest.mark.parametrize("chunks,block", [(None, 1), (None, 5), ((L, 4, 2), 7), ((8, 4, 16), 3), ((L, 4, 18), 100)])
def test_blocks_and_chunking_do_not_change_the_result(tmp_path, chunks, block):
    codes, y = _dataset(9, 5)
    _write_train_h5(tmp_path / "train.mat", codes, y, chunks=chunks, compression="gzip" if chunks else None)
    with MatSplit(tmp_path / "train.mat", "train") as m:
        eff = m.block_size(block)
        if chunks:
            assert eff % chunks[2] == 0 or eff == block      # aligned to the source chunks
        got = np.concatenate([m.read(a, min(a + eff, m.n))[0] for a in range(0, m.n, eff)])
    np.testing.assert_array_equal(got, codes)


def test_onehot_to_codes_directly():
    x = np.stack([_agct_onehot("ACGTN"), _agct_onehot("TTGCA")])            # (2, 5, 4)
    assert deepsea_onehot_to_codes(x, channel_axis=2).tolist() == [encode("ACGTN").tolist(), encode("TTGCA").tolist()]
    assert deepsea_onehot_to_codes(x.astype(np.float64), channel_axis=2).tolist()[1] == encode("TTGCA").tolist()
    np.testing.assert_array_equal(codes_to_deepsea_onehot(encode("ACGTN")[None]), x[:1].transpose(0, 2, 1))


def test_matlab_double_arrays_are_accepted(tmp_path, files):
    data, inputs, outputs = files
    codes, y = data["valid"]
    onehot = np.stack([_agct_onehot(decode(c)) for c in codes]).transpose(0, 2, 1)
    scipy.io.savemat(str(inputs["valid"]), {"validxdata": onehot.astype(np.float64), "validdata": y.astype(np.float64)})
    convert_deepsea(inputs, outputs)
    with DataReader(outputs["valid"]) as r:
        np.testing.assert_array_equal(r.read(0, r.n)[0], codes)


def test_target_names_file(tmp_path, files):
    data, inputs, outputs = files
    names = [f"cell{i}|DNase" for i in range(T)]
    (tmp_path / "names.txt").write_text("\n".join(names) + "\n\n")
    convert_deepsea(inputs, outputs, target_names_file=tmp_path / "names.txt")
    with DataReader(outputs["test"]) as r:
        assert r.target_names == names
    (tmp_path / "short.txt").write_text("\n".join(names[:-1]))
    with pytest.raises(InputError, match=r"short.txt: 6 target names for 7 targets"):
        read_target_names(tmp_path / "short.txt", T)
    (tmp_path / "dup.txt").write_text("\n".join(names[:-1] + names[:1]))
    with pytest.raises(InputError, match="duplicate target names"):
        read_target_names(tmp_path / "dup.txt", T)


def _no_outputs(outputs):
    return not any(Path(p).exists() for p in outputs.values()) and not any(
        Path(outputs["train"]).parent.glob("*.tmp*"))


def test_missing_dataset_names_file_and_dataset(tmp_path, files):
    data, inputs, outputs = files
    _write_train_h5(inputs["train"], *data["train"], yname="trainlabels")
    with pytest.raises(InputError, match=r"train.mat: dataset 'traindata' is missing \(found: trainlabels, trainxdata\)"):
        convert_deepsea(inputs, outputs)
    assert _no_outputs(outputs)
    codes, y = data["test"]
    _write_train_h5(inputs["train"], *data["train"])
    _write_v5(inputs["test"], "valid", codes, y)               # the valid arrays in test.mat
    with pytest.raises(InputError, match=r"test.mat: dataset 'testxdata' is missing \(found: validdata, validxdata\)"):
        convert_deepsea(inputs, outputs)
    assert _no_outputs(outputs)


def test_axis_order_that_does_not_fit(tmp_path, files):
    data, inputs, outputs = files
    # train.mat written sample-first (as numpy would, not as MATLAB v7.3 does)
    _write_train_h5(inputs["train"], *data["train"], sample_first=True)
    with pytest.raises(InputError, match="axis order does not fit.*sample axis is not where it should be"):
        convert_deepsea(inputs, outputs)
    _write_train_h5(inputs["train"], *data["train"])
    # valid.mat with the sample axis last, as h5py would show it
    codes, y = data["valid"]
    onehot = np.stack([_agct_onehot(decode(c)) for c in codes])
    _write_v5(inputs["valid"], "valid", codes, y, validxdata=onehot.transpose(1, 2, 0))
    with pytest.raises(InputError, match=r"valid.mat: the axis order does not fit"):
        convert_deepsea(inputs, outputs)
    # channels last: (N, L, 4)
    _write_v5(inputs["valid"], "valid", codes, y, validxdata=onehot)
    with pytest.raises(InputError, match=r"the middle axis must be the 4 bases"):
        convert_deepsea(inputs, outputs)
    # targets transposed: (T, N)
    _write_v5(inputs["valid"], "valid", codes, y.T.copy())
    with pytest.raises(InputError, match=r"valid.mat: the axis order does not fit: 'validxdata' has shape "
                                         r"\(6, 4, 40\) and 'validdata' \(7, 6\); the sample axis"):
        convert_deepsea(inputs, outputs)
    assert _no_outputs(outputs)


def test_files_of_different_data_sets(tmp_path, files):
    data, inputs, outputs = files
    codes, y = data["test"]
    _write_v5(inputs["test"], "test", codes, y[:, :T - 1])
    with pytest.raises(InputError, match=r"test.mat: 40 bp x 6 targets, but .*train.mat has 40 bp x 7 targets"):
        convert_deepsea(inputs, outputs)
    assert _no_outputs(outputs)


def test_not_onehot_names_the_sample(tmp_path, files):
    data, inputs, outputs = files
    codes, y = data["train"]
    onehot = np.stack([_agct_onehot(decode(c)) for c in codes]).transpose(1, 2, 0).copy()   # (L, 4, N)
    onehot[7, :, 13] = [0, 1, 1, 0]
    with h5py.File(inputs["train"], "w", userblock_size=512) as f:
        f["trainxdata"] = onehot
        f["traindata"] = y.T
    with pytest.raises(InputError, match=r"'trainxdata' sample 13 position 7 \(0-based\) is not one-hot"):
        convert_deepsea(inputs, outputs, block_size=4)
    onehot[7, :, 13] = [0, 2, 0, 0]
    with h5py.File(inputs["train"], "w", userblock_size=512) as f:
        f["trainxdata"] = onehot
        f["traindata"] = y.T
    with pytest.raises(InputError, match=r"sample 13 position 7"):
        convert_deepsea(inputs, outputs, block_size=4)
    assert not outputs["train"].exists()


def test_labels_must_be_binary(tmp_path, files):
    data, inputs, outputs = files
    codes, y = data["valid"]
    y = y.copy()
    y[4, 2] = 3
    _write_v5(inputs["valid"], "valid", codes, y)
    with pytest.raises(InputError, match=r"'validdata' has the value 3 \(sample 4, target 2"):
        convert_deepsea(inputs, outputs)


def test_not_a_mat_file(tmp_path, files):
    data, inputs, outputs = files
    inputs["valid"].write_text("hello")
    with pytest.raises(InputError, match="valid.mat: not a MATLAB file"):
        convert_deepsea(inputs, outputs)
    inputs["valid"].unlink()
    with pytest.raises(InputError, match="valid.mat: the file does not exist"):
        convert_deepsea(inputs, outputs)


def test_library_writers_round_trip_and_same_bytes(tmp_path):
    codes, y = _dataset(50, 9)
    n = len(codes)
    assert small_chunks((1000, 4, 4_400_000)) == (512, 4, 2)
    write_mat73(tmp_path / "train.mat", "train", n, L, T, ((codes[a:a + 30], y[a:a + 30]) for a in range(0, n, 30)))
    write_mat5(tmp_path / "valid.mat", "valid", codes[:10], y[:10])
    write_mat5(tmp_path / "test.mat", "test", codes[:12], y[:12])
    with h5py.File(tmp_path / "train.mat", "r") as f:
        assert f.userblock_size == 512 and f["trainxdata"].chunks == small_chunks((L, 4, n))
    digests = []
    for k in range(2):
        outs = {s: tmp_path / f"o{k}" / f"{s}.h5" for s in SPLITS}
        convert_deepsea({s: tmp_path / f"{s}.mat" for s in SPLITS}, outs, block_size=16)
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in outs.values()])
        with DataReader(outs["train"]) as r:
            np.testing.assert_array_equal(r.read(0, n)[0], codes)
    assert digests[0] == digests[1]


# ---- the workflow rule ----------------------------------------------------------------------------
def _snakemake(workdir, config, *args):
    (workdir / "cfg.yaml").write_text(yaml.safe_dump(config))
    targets = [f"results/data/{s}.h5" for s in SPLITS]
    return subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--configfile",
                           "cfg.yaml", "-c1", *args, *targets], cwd=workdir, capture_output=True, text=True)


def test_rule_converts_and_a_bad_input_leaves_no_output(tmp_path, files):
    data, inputs, _ = files
    cfg = {"data": {"source": "deepsea", "deepsea": {s + "_mat": str(p) for s, p in inputs.items()}}}
    r = _snakemake(tmp_path, cfg, "-n")
    assert r.returncode == 0, r.stderr
    assert "load_data" in r.stdout + r.stderr
    r = _snakemake(tmp_path, cfg)
    assert r.returncode == 0, r.stderr
    with DataReader(tmp_path / "results/data/train.h5") as rd:
        assert decode(rd.read(0, 1)[0][0]) == KNOWN
    log = (tmp_path / "results/logs/load_data.log").read_text()
    assert "train: 18 sequences x 40 bp" in log
    # test.mat breaks only when read (after train.h5 and valid.h5 were written): nothing may remain
    codes, y = data["test"]
    onehot = np.stack([_agct_onehot(decode(c)) for c in codes]).transpose(0, 2, 1).copy()
    onehot[5, :, 3] = 1
    scipy.io.savemat(str(inputs["test"]), {"testxdata": onehot, "testdata": y})
    r = _snakemake(tmp_path, cfg, "--forceall")
    assert r.returncode != 0
    assert "test.mat: 'testxdata' sample 5 position 3 (0-based) is not one-hot" in r.stderr
    assert not any((tmp_path / "results/data").glob("*.h5"))
    assert not any((tmp_path / "results/data").glob(".*tmp*"))


def test_rule_with_an_unset_path_says_which_key(tmp_path):
    r = _snakemake(tmp_path, {"data": {"source": "deepsea"}}, "-n")
    assert r.returncode != 0
    assert "data.deepsea.train_mat is empty" in r.stdout + r.stderr


def test_either_matlab_version_for_any_split(tmp_path):
    codes, y = _dataset(5, 11)
    write_mat5(tmp_path / "train.mat", "train", codes, y)                       # v5 train
    write_mat73(tmp_path / "valid.mat", "valid", len(codes), L, T, [(codes, y)], chunks=None)   # v7.3 valid
    write_mat5(tmp_path / "test.mat", "test", codes, y)
    outs = {s: tmp_path / "o" / f"{s}.h5" for s in SPLITS}
    summaries = convert_deepsea({s: tmp_path / f"{s}.mat" for s in SPLITS}, outs, block_size=3)
    assert [s["kind"] for s in summaries] == ["v5", "hdf5", "v5"]
    for s in SPLITS:
        with DataReader(outs[s]) as r:
            np.testing.assert_array_equal(r.read(0, r.n)[0], codes)
            np.testing.assert_array_equal(r.read(0, r.n)[1], y)


def test_chunking_is_described_and_bad_chunking_warned(tmp_path, monkeypatch):
    import danqmotifs.sources.deepsea as ds

    codes, y = _dataset(20, 12)
    write_mat73(tmp_path / "small.mat", "train", len(codes), L, T, [(codes, y)])
    with MatSplit(tmp_path / "small.mat", "train") as m:
        lines = ds.describe_source(m, m.block_size(7))
    assert "MATLAB v7.3 (HDF5), chunks" in lines[0] and "note: small chunks" in lines[1]
    write_mat73(tmp_path / "big.mat", "train", len(codes), L, T, [(codes, y)], chunks=(L, 4, 32))
    monkeypatch.setattr(ds, "_MAX_ALIGNED_BLOCK_BYTES", 1000)
    with MatSplit(tmp_path / "big.mat", "train") as m:
        assert m.block_size(7) == 7                      # chunk too big to align with
        lines = ds.describe_source(m, 7)
        assert "WARNING" in lines[1] and "chunks span 32 samples" in lines[1]
        got = np.concatenate([m.read(a, min(a + 7, m.n))[0] for a in range(0, m.n, 7)])
    np.testing.assert_array_equal(got, codes)
