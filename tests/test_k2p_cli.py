"""The k2p-compatible console scripts: kernel2pwm, pwm2kernel, kernel2pwm-mle."""

import math
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

from danqmotifs.cli.k2p import kernel2pwm_main, kernel2pwm_mle_main, pwm2kernel_main
from danqmotifs.core.alphabet import codes_to_onehot
from danqmotifs.core.pwm import kernel_to_pwm
from danqmotifs.formats.meme import parse_single_pwm
from danqmotifs.model.kernels import write_kernels_file
from danqmotifs.motifs.mle import estimate_base
from danqmotifs.motifs.scoring import scan_max


def read_meme_matrices(text):
    """Matrix rows of every motif in a (possibly header-less) MEME text."""
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("letter-probability"):
            cur = []
            out.append(cur)
        elif cur is not None and line.strip():
            cur.append([float(x) for x in line.split()])
        elif cur is not None:
            cur = None
    return [np.array(m) for m in out]


def test_kernel2pwm_text_matches_library_with_convolution_flip(tmp_path, capsys):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((9, 4))
    np.savetxt(tmp_path / "k.txt", W)
    assert kernel2pwm_main([str(tmp_path / "k.txt"), str(tmp_path / "p.meme"), "--base", "3.5"]) == 0
    text = (tmp_path / "p.meme").read_text()
    assert text.startswith("MOTIF temp_motif\nletter-probability matrix: alength= 4 w= 9 nsites= 20 E= 0")
    assert "MEME version" not in text
    (P,) = read_meme_matrices(text)
    # default convention: a Theano convolution kernel, rows reversed before the softmax
    np.testing.assert_allclose(P, kernel_to_pwm(W[::-1], math.log(3.5)), rtol=1e-15)
    naive = 3.5 ** W[::-1]
    np.testing.assert_allclose(P, naive / naive.sum(axis=1, keepdims=True), rtol=1e-13)
    assert kernel2pwm_main([str(tmp_path / "k.txt"), str(tmp_path / "q.meme"), "--convention", "correlation",
                            "--use-meme-header", "--motif-name", "k7"]) == 0
    text = (tmp_path / "q.meme").read_text()
    assert text.startswith("MEME version 4") and "MOTIF k7\n" in text
    np.testing.assert_allclose(read_meme_matrices(text)[0], kernel_to_pwm(W, 1.0), rtol=1e-15)
    assert kernel2pwm_main([str(tmp_path / "k.txt"), "--save-matrix-only", "--use-meme-header"]) == 0
    out = capsys.readouterr().out
    assert "MOTIF" not in out and len(out.strip().splitlines()) == 9


def test_kernel2pwm_reads_an_hdf5_tensor_and_validates_it(tmp_path, capsys):
    rng = np.random.default_rng(1)
    W = rng.standard_normal((3, 6, 4))
    with h5py.File(tmp_path / "t.h5", "w") as f:
        f.create_dataset("anything", data=W)
    assert kernel2pwm_main([str(tmp_path / "t.h5"), str(tmp_path / "t.meme"), "--base", "2"]) == 0
    text = (tmp_path / "t.meme").read_text()
    mats = read_meme_matrices(text)
    assert [f"MOTIF temp_motif_{k}" in text for k in range(3)] == [True] * 3
    for k in range(3):
        np.testing.assert_allclose(mats[k], kernel_to_pwm(W[k, ::-1], math.log(2)), rtol=1e-15)
    with h5py.File(tmp_path / "bad.h5", "w") as f:
        f.create_dataset("k", data=np.zeros((2, 6, 5)))
    assert kernel2pwm_main([str(tmp_path / "bad.h5"), str(tmp_path / "bad.meme")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "5 channels" in err
    assert not (tmp_path / "bad.meme").exists()
    assert kernel2pwm_main([str(tmp_path / "t.h5"), "--base", "1"]) == 2
    assert "> 1" in capsys.readouterr().err


def test_kernel2pwm_warns_about_lossy_bases(tmp_path, capsys):
    np.savetxt(tmp_path / "k.txt", np.array([[0.0, 1.0, 2.0, 3.0], [0.1, 0.2, 0.3, 0.4]]))
    assert kernel2pwm_main([str(tmp_path / "k.txt"), str(tmp_path / "p.meme"), "--base", "1e300"]) == 0
    assert "too large" in capsys.readouterr().err
    (P,) = read_meme_matrices((tmp_path / "p.meme").read_text())
    assert np.all(np.isfinite(P))
    assert kernel2pwm_main([str(tmp_path / "k.txt"), str(tmp_path / "p.meme"), "--base", "1.0000000001"]) == 0
    assert "too close to 1" in capsys.readouterr().err


def test_pwm_kernel_pwm_round_trip_through_files(tmp_path):
    rng = np.random.default_rng(2)
    W = rng.standard_normal((12, 4))
    np.savetxt(tmp_path / "k.txt", W)
    for conv in ("convolution", "correlation"):
        assert kernel2pwm_main([str(tmp_path / "k.txt"), str(tmp_path / "p.meme"), "--base", "5",
                                "--convention", conv]) == 0
        assert pwm2kernel_main([str(tmp_path / "p.meme"), str(tmp_path / "k2.txt"), "--base", "5",
                                "--convention", conv]) == 0
        W2 = np.loadtxt(tmp_path / "k2.txt")
        d = W2 - W                                                    # equal up to a per-row constant
        np.testing.assert_allclose(d, d[:, :1].repeat(4, axis=1), atol=1e-12)
        assert kernel2pwm_main([str(tmp_path / "k2.txt"), str(tmp_path / "p2.meme"), "--base", "5",
                                "--convention", conv]) == 0
        np.testing.assert_allclose(read_meme_matrices((tmp_path / "p2.meme").read_text())[0],
                                   read_meme_matrices((tmp_path / "p.meme").read_text())[0], rtol=1e-12)


def test_pwm2kernel_delta_shift_and_convention(tmp_path, capsys):
    meme = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\n"
            "A 0.25 C 0.25 G 0.25 T 0.25\n\nMOTIF m1\nletter-probability matrix: alength= 4 w= 3\n"
            "0.5 0.5 0 0\n0.1 0.2 0.3 0.4\n0.25 0.25 0.25 0.25\n\n")
    (tmp_path / "m.meme").write_text(meme)
    assert pwm2kernel_main([str(tmp_path / "m.meme"), str(tmp_path / "k.txt"), "--base", "2"]) == 0
    assert "zero entries get delta = 0.01" in capsys.readouterr().err
    W = np.loadtxt(tmp_path / "k.txt")
    # convolution convention: the last PWM row comes first
    np.testing.assert_allclose(2 ** W[::-1], [[0.5, 0.5, 0.01, 0.01], [0.1, 0.2, 0.3, 0.4], [0.25] * 4])
    assert pwm2kernel_main([str(tmp_path / "m.meme"), str(tmp_path / "k.txt"), "--convention", "correlation",
                            "--delta", "0.001", "--shift-by-minimum"]) == 0
    W = np.loadtxt(tmp_path / "k.txt")
    assert W.min() == pytest.approx(0.0, abs=1e-12)
    raw = np.log([[0.5, 0.5, 0.001, 0.001], [0.1, 0.2, 0.3, 0.4], [0.25] * 4])
    np.testing.assert_allclose(W, raw - raw.min())
    assert pwm2kernel_main([str(tmp_path / "m.meme"), str(tmp_path / "k.txt"), "--convention", "correlation",
                            "--shift", "1.5"]) == 0
    np.testing.assert_allclose(np.loadtxt(tmp_path / "k.txt")[1], np.log([0.1, 0.2, 0.3, 0.4]) + 1.5)
    two = meme + "MOTIF m2\nletter-probability matrix: alength= 4 w= 1\n1 0 0 0\n"
    (tmp_path / "two.meme").write_text(two)
    assert pwm2kernel_main([str(tmp_path / "two.meme"), str(tmp_path / "o.txt")]) == 2
    assert "holds 2 motifs" in capsys.readouterr().err and not (tmp_path / "o.txt").exists()


def test_parse_single_pwm_accepts_bare_matrices_and_rejects_non_probabilities():
    np.testing.assert_allclose(parse_single_pwm("0.1 0.2 0.3 0.4\n1 0 0 0\n", "x"),
                               [[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0]])
    from danqmotifs.core.errors import InputError
    with pytest.raises(InputError, match="outside"):
        parse_single_pwm("MOTIF a\nletter-probability matrix: w= 1\n1.5 -0.5 0 0\n", "x")
    with pytest.raises(InputError, match="all zeros"):
        parse_single_pwm("0 0 0 0\n", "x")


def k2p_files(tmp_path, rng, K=4, L=8, n=120, Ls=40):
    """A k2p-style pair of files: one dataset each, kernels in convolution orientation."""
    W_conv = rng.standard_normal((K, L, 4))
    codes = rng.integers(0, 4, size=(n, Ls)).astype(np.uint8)
    with h5py.File(tmp_path / "kernel.tensor.hdf5", "w") as f:
        f.create_dataset("kernel_tensor", data=W_conv)
    with h5py.File(tmp_path / "sequence.tensor.hdf5", "w") as f:
        f.create_dataset("sequence_tensor", data=codes_to_onehot(codes, dtype=np.float64))
    return W_conv, codes


def test_kernel2pwm_mle_on_k2p_style_files(tmp_path):
    rng = np.random.default_rng(3)
    W_conv, codes = k2p_files(tmp_path, rng)
    out = tmp_path / "pwm.tensor.hdf5"
    assert kernel2pwm_mle_main([str(tmp_path / "kernel.tensor.hdf5"), str(tmp_path / "sequence.tensor.hdf5"),
                                str(out)]) == 0
    W = W_conv[:, ::-1, :]
    # straightforward reference: score every window of every sequence, shared base, all sequences
    m = np.array([[max(np.sum(codes_to_onehot(codes[s], np.float64)[i:i + 8] * W[t]) for i in range(33))
                   for t in range(4)] for s in range(codes.shape[0])])
    ref = estimate_base(W, m, sequences="all", base="shared")
    with h5py.File(out) as f:
        P = f["PWM_tensor"][()]
        v = f["ln_b"][()]
        assert f["nsites"][()].tolist() == [120] * 4
    np.testing.assert_allclose(v, ref.ln_b, rtol=1e-12)
    np.testing.assert_allclose(P, kernel_to_pwm(W, ref.ln_b), rtol=1e-12)
    # variant options and a named output dataset
    out2 = tmp_path / "pwm2.hdf5"
    assert kernel2pwm_mle_main([str(tmp_path / "kernel.tensor.hdf5"), str(tmp_path / "sequence.tensor.hdf5"),
                                str(out2), "--base", "per_kernel", "--strands", "both", "--PWM_tensor_name", "P",
                                "--engine", "blas"]) == 0
    scan = scan_max(codes, W, both_strands=True, engine="blas")
    ref2 = estimate_base(W, scan.best(True), sequences="all", base="per_kernel")
    with h5py.File(out2) as f:
        np.testing.assert_allclose(f["ln_b"][()], ref2.ln_b, rtol=1e-12)
        assert f["P"].shape == (4, 8, 4) and f.attrs["strands"] == "both"


def test_kernel2pwm_mle_on_the_workflows_kernel_file(tmp_path, capsys):
    rng = np.random.default_rng(4)
    W = rng.standard_normal((3, 6, 4)).astype(np.float32)
    bias = np.array([-1.0, 0.0, -2.0], dtype=np.float32)
    codes = rng.integers(0, 4, size=(80, 30)).astype(np.uint8)
    write_kernels_file(tmp_path / "kernels.h5", W, bias, codes)
    out = tmp_path / "pwms.h5"
    args = [str(tmp_path / "kernels.h5")] * 2 + [str(out), "--convention", "correlation",
                                                 "--sequences", "activated"]
    assert kernel2pwm_mle_main(args) == 0
    m = scan_max(codes, W, engine="blas").m
    ref = estimate_base(W, m, bias, "activated", "shared")
    with h5py.File(out) as f:
        np.testing.assert_allclose(f["ln_b"][()], ref.ln_b, rtol=1e-12)
        np.testing.assert_array_equal(f["nsites"][()], ((m + bias) > 0).sum(axis=0))
    assert "ln b =" in capsys.readouterr().err
    # without --convention the file's recorded orientation is used (the same numbers); the opposite
    # convention would reverse every motif, so it is refused
    assert kernel2pwm_mle_main([str(tmp_path / "kernels.h5")] * 2 + [str(tmp_path / "x.h5")]) == 0
    with h5py.File(out) as f, h5py.File(tmp_path / "x.h5") as g:
        np.testing.assert_array_equal(f["PWM_tensor"][()], g["PWM_tensor"][()])
    capsys.readouterr()
    assert kernel2pwm_mle_main([str(tmp_path / "kernels.h5")] * 2 + [str(tmp_path / "y.h5"),
                                "--convention", "convolution"]) == 2
    assert "correlation orientation" in capsys.readouterr().err and not (tmp_path / "y.h5").exists()


def test_kernel2pwm_mle_errors_leave_no_output(tmp_path, capsys):
    rng = np.random.default_rng(5)
    k2p_files(tmp_path, rng, L=50, Ls=40)                             # sequences shorter than kernels
    out = tmp_path / "o.h5"
    assert kernel2pwm_mle_main([str(tmp_path / "kernel.tensor.hdf5"), str(tmp_path / "sequence.tensor.hdf5"),
                                str(out)]) == 2
    assert "shorter than the kernels" in capsys.readouterr().err and not out.exists()
    with h5py.File(tmp_path / "soft.h5", "w") as f:
        f.create_dataset("x", data=np.full((2, 60, 4), 0.25))
    assert kernel2pwm_mle_main([str(tmp_path / "kernel.tensor.hdf5"), str(tmp_path / "soft.h5"), str(out)]) == 2
    assert "not one-hot" in capsys.readouterr().err and not out.exists()
    assert kernel2pwm_mle_main([str(tmp_path / "kernel.tensor.hdf5"), str(tmp_path / "sequence.tensor.hdf5"),
                                str(out), "--kernel-tensor-name", "nope"]) == 2
    assert "no dataset named 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("script", ["kernel2pwm", "pwm2kernel", "kernel2pwm-mle"])
def test_console_scripts_are_installed(script, tmp_path):
    exe = shutil.which(script) or str(__import__("pathlib").Path(sys.executable).parent / script)
    res = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    assert "--convention" in res.stdout and "convolution" in res.stdout


@pytest.mark.parametrize("script", ["kernel2pwm", "pwm2kernel", "kernel2pwm-mle", "motif-match", "predict"])
def test_every_console_script_has_version_and_one_error_pattern(script, tmp_path):
    from importlib.metadata import version

    exe = shutil.which(script) or str(__import__("pathlib").Path(sys.executable).parent / script)
    res = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == f"{script} (danqmotifs) {version('danqmotifs')}"
    missing = str(tmp_path / "missing.file")
    args = {"kernel2pwm": [missing], "pwm2kernel": [missing], "kernel2pwm-mle": [missing, missing, str(tmp_path / "o.h5")],
            "motif-match": [missing, "--db", missing, "--out", str(tmp_path / "o.tsv")],
            "predict": ["--model", missing, "--fasta", missing, "--out", str(tmp_path / "o.tsv")]}[script]
    res = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith(f"error: {missing}: ") and res.stderr.count("\n") == 1, res.stderr
    assert list(tmp_path.iterdir()) == []


def test_console_script_round_trip_via_stdin_stdout(tmp_path):
    exe = str(__import__("pathlib").Path(sys.executable).parent / "kernel2pwm")
    res = subprocess.run([exe, "--base", "2", "--use-meme-header"], input="0 1 0 0\n2 0 0 0\n",
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    (P,) = read_meme_matrices(res.stdout)
    np.testing.assert_allclose(P, [[4 / 7, 1 / 7, 1 / 7, 1 / 7], [0.2, 0.4, 0.2, 0.2]])  # rows flipped


# Golden outputs: the text files the k2p commands wrote before their MEME writer and matrix parsers
# moved to their owners (danqmotifs.formats.meme, danqmotifs.formats.kernel_text); the moved code must
# write the same bytes.
GOLDEN_KERNEL = "0.5 -0.25 1.0 0.0\n-1.5 0.75 0.25 0.5\n2.0 -1.0 0.0 -0.5\n0.1 0.2 0.3 -0.6\n"
GOLDEN_MEME = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\n"
               "A 0.25 C 0.25 G 0.25 T 0.25\n\nMOTIF golden\nletter-probability matrix: alength= 4 w= 4 "
               "nsites= 20 E= 0\n0.260685 0.279396 0.299449 0.160471\n0.644423 0.0805528 0.161106 0.113919\n"
               "0.0762171 0.362552 0.256363 0.304868\n0.269112 0.160015 0.380582 0.190291\n\n")
GOLDEN_BACK = ("-1.31263 -1.83249 -0.966054 -1.6592\n-2.57417 -1.01459 -1.36116 -1.18788\n"
               "-0.4394 -2.51884 -1.82569 -2.17227\n-1.34444 -1.27513 -1.20581 -1.82964\n")
GOLDEN_MATRIX = ("0.26827 0.12672 0.4423 0.16271\n0.042317 0.40149 0.24352 0.31268\n"
                 "0.78914 0.039289 0.1068 0.064776\n0.26156 0.28907 0.31947 0.12989\n")


def test_k2p_commands_write_the_golden_bytes(tmp_path):
    k = tmp_path / "k.txt"
    k.write_text(GOLDEN_KERNEL)
    assert kernel2pwm_main([str(k), str(tmp_path / "p.meme"), "--use-meme-header", "--base", "2",
                            "--digits", "6", "--motif-name", "golden"]) == 0
    assert (tmp_path / "p.meme").read_text() == GOLDEN_MEME
    assert pwm2kernel_main([str(tmp_path / "p.meme"), str(tmp_path / "k2.txt"), "--digits", "6"]) == 0
    assert (tmp_path / "k2.txt").read_text() == GOLDEN_BACK
    assert kernel2pwm_main([str(k), str(tmp_path / "m.txt"), "--save-matrix-only", "--digits", "5",
                            "--convention", "correlation"]) == 0
    assert (tmp_path / "m.txt").read_text() == GOLDEN_MATRIX
