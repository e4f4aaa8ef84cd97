"""Unlabelled one-hot sequences in DeepSEA's layout (danqmotifs.sources.onehot): a file laid out as
DanQ's data/example.h5 (one uint8 dataset 'testxdata' (N, 4, L), channels A,G,C,T, the second half
the reverse complements of the first), MATLAB v7.3 and v5 files, `predict --onehot` with --resize,
and the motif stages' sample."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py
import numpy as np
import pytest
from scipy.io import savemat

from danqmotifs.core.alphabet import N_CODE, decode, reverse_complement_codes
from danqmotifs.core.errors import InputError
from danqmotifs.sources.onehot import OneHotFile, sample_onehot
from helpers.deepsea import codes_to_deepsea_onehot, write_mat73

L = 40


def example_like(path, codes):
    """DanQ's example.h5 layout: 'testxdata' (N, 4, L) uint8, forward then reverse complements."""
    both = np.concatenate([codes, reverse_complement_codes(codes)])
    with h5py.File(path, "w") as f:
        f.create_dataset("testxdata", data=codes_to_deepsea_onehot(both))
    return both


@pytest.fixture
def codes():
    c = np.random.default_rng(0).integers(0, 4, size=(6, L)).astype(np.uint8)
    c[2, 5] = N_CODE
    return c


def test_example_layout_is_read_in_agct_order(tmp_path, codes):
    both = example_like(tmp_path / "example.h5", codes)
    with OneHotFile(tmp_path / "example.h5") as f:
        assert (f.n, f.length, f.name, f.kind) == (12, L, "testxdata", "hdf5")
        got = np.concatenate([c for _, c in f.blocks(5)])
        names = [n for ns, _ in f.blocks(5) for n in ns]
    np.testing.assert_array_equal(got, both)
    assert names[0] == "testxdata:0" and names[-1] == "testxdata:11"
    # A,G,C,T channels: a one in channel 1 is G (code 2), in channel 2 C (code 1)
    with h5py.File(tmp_path / "one.h5", "w") as f:
        x = np.zeros((1, 4, 4), np.uint8)
        x[0, [0, 1, 2, 3], [0, 1, 2, 3]] = 1
        f.create_dataset("x", data=x)
    with OneHotFile(tmp_path / "one.h5", layout="NCL") as f:     # (1, 4, 4): the layout must be given
        assert decode(f.read(0, 1)[0]) == "AGCT"


def test_matlab_files_without_labels(tmp_path, codes):
    write_mat73(tmp_path / "train.mat", "train", len(codes), L, 2, [(codes, np.zeros((len(codes), 2)))])
    with OneHotFile(tmp_path / "train.mat") as f:
        assert f.kind == "mat73" and f.n == 6
        np.testing.assert_array_equal(f.read(0, 6), codes)
        np.testing.assert_array_equal(f.take(np.array([1, 4])), codes[[1, 4]])
    savemat(tmp_path / "test.mat", {"testxdata": codes_to_deepsea_onehot(codes)})
    with OneHotFile(tmp_path / "test.mat") as f:
        assert f.kind == "v5"
        np.testing.assert_array_equal(f.read(2, 5), codes[2:5])


@pytest.mark.parametrize("make,match", [
    (lambda f: f.create_dataset("x", data=np.zeros((2, 5, 3), np.uint8)), "no \\(N, 4, L\\) arrays"),
    (lambda f: f.create_dataset("x", data=np.full((2, 4, 3), 2, np.uint8)), "not one-hot"),
    (lambda f: f.create_dataset("testxdata", data=np.zeros((0, 4, 3), np.uint8)), "no sequences"),
])
def test_bad_onehot_files(tmp_path, make, match):
    with h5py.File(tmp_path / "bad.h5", "w") as f:
        make(f)
    with pytest.raises(InputError, match=match):
        with OneHotFile(tmp_path / "bad.h5") as f:
            f.read(0, f.n)


def test_sample_is_seeded_and_in_file_order(tmp_path, codes):
    both = example_like(tmp_path / "example.h5", codes)
    a, rows, info = sample_onehot(tmp_path / "example.h5", 5, seed=3)
    b, rows2, _ = sample_onehot(tmp_path / "example.h5", 5, seed=3)
    assert rows.tolist() == rows2.tolist() and list(rows) == sorted(rows) and info["n_candidates"] == 12
    np.testing.assert_array_equal(a, both[rows])
    np.testing.assert_array_equal(a, b)


def test_predict_onehot_equals_predict_fasta(tmp_path, codes):
    keras = pytest.importorskip("keras")
    from danqmotifs.cli.predict import main as predict_main
    from danqmotifs.model import ModelSpec, build_model

    keras.utils.set_random_seed(0)
    model = build_model(ModelSpec(kernels=4, kernel_width=6, pool=5, lstm_units=3, dense_units=5, n_targets=2,
                                  length=L))
    model.save(tmp_path / "m.keras")
    both = example_like(tmp_path / "example.h5", codes)
    (tmp_path / "in.fa").write_text("".join(f">s{i}\n{decode(c)}\n" for i, c in enumerate(both)))
    for flag, src in (("--onehot", "example.h5"), ("--fasta", "in.fa")):
        assert predict_main(["--model", str(tmp_path / "m.keras"), flag, str(tmp_path / src),
                             "--out", str(tmp_path / f"{src}.tsv"), "--batch-size", "5"]) == 0
    oh = (tmp_path / "example.h5.tsv").read_text().splitlines()
    fa = (tmp_path / "in.fa.tsv").read_text().splitlines()
    assert oh[1].startswith("testxdata:0\t") and len(oh) == 13
    assert [r.split("\t", 1)[1] for r in oh[1:]] == [r.split("\t", 1)[1] for r in fa[1:]]
    # another length: refused without --resize, centred with it once the layout is given (a plain
    # HDF5 (12, 4, 30) could be 30 sequences of 12 bp: issue 28 item 2)
    short = tmp_path / "short.h5"
    with h5py.File(short, "w") as f:
        f.create_dataset("testxdata", data=codes_to_deepsea_onehot(both[:, 3:33]))
    assert predict_main(["--model", str(tmp_path / "m.keras"), "--onehot", str(short), "--out",
                         str(tmp_path / "s.tsv")]) == 2
    assert not (tmp_path / "s.tsv").exists()
    assert predict_main(["--model", str(tmp_path / "m.keras"), "--onehot", str(short), "--out",
                         str(tmp_path / "s.tsv"), "--resize", "center", "--onehot-layout", "NCL"]) == 0
    assert len((tmp_path / "s.tsv").read_text().splitlines()) == 13


def test_motif_stage_samples_an_unlabelled_file(tmp_path, codes):
    """model.source: kernels + motifs.sample_file: dump_kernels samples the one-hot file (no data
    stage), seeded, in file order."""
    import subprocess
    import sys
    from pathlib import Path

    import yaml

    repo = Path(__file__).resolve().parents[1]
    both = example_like(tmp_path / "example.h5", codes)
    rng = np.random.default_rng(1)
    with h5py.File(tmp_path / "k.h5", "w") as f:
        f["kernels"] = rng.normal(size=(3, 8, 4)).astype(np.float32)
        f["biases"] = np.zeros(3, np.float32)
    cfg = {"results": "out", "model": {"source": "kernels", "file": str(tmp_path / "k.h5")},
           "motifs": {"sample_file": str(tmp_path / "example.h5"), "n_sequences": 7}}
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    res = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(repo / "Snakefile"), "-d", str(tmp_path),
                          "--configfile", str(tmp_path / "cfg.yaml"), "--cores", "1", "--nolock",
                          "out/motifs/kernels.h5"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    _, rows, _ = sample_onehot(tmp_path / "example.h5", 7, seed=1)
    from danqmotifs.model.kernels import read_kernels_file

    np.testing.assert_array_equal(read_kernels_file(tmp_path / "out/motifs/kernels.h5").codes, both[rows])
    assert not (tmp_path / "out/data").exists()
