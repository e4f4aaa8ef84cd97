"""Regression tests for issue 12's defects: each fails on the code before the fix.

1. outputs through symlinks, into devices and pipes, to standard output, on a full disk;
2. batch sizes of 0 or below;
3. MEME matrices with more rows than w=;
4. HDF5 kernel inputs: ambiguous datasets, the orientation the file records;
5. a stale genome index;
6. config values the schema accepts but the workflow cannot use;
7. the log tee's close().
"""

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

from danqmotifs.cli.k2p import kernel2pwm_main, kernel2pwm_mle_main, pwm2kernel_main
from danqmotifs.core.errors import InputError, atomic_output, run_guarded
from danqmotifs.formats.meme import read_meme
from danqmotifs.model.kernels import write_kernels_file
from danqmotifs.run.config_checks import OWNER_FILE, check_results_path, claim_results

ROOT = Path(__file__).resolve().parents[1]


def _py(code: str, **kw) -> subprocess.CompletedProcess:
    if "stdout" not in kw:
        kw["capture_output"] = True
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], **kw)


# --- 1. output paths ---------------------------------------------------------------------------

def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "store").mkdir()
    target = tmp_path / "store" / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with atomic_output(link) as tmp:
        assert tmp.parent == target.parent          # the temporary file sits beside the target
        tmp.write_text("new")
    assert link.is_symlink() and target.read_text() == "new" and link.read_text() == "new"
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["real.txt"]
    # a failed run leaves both alone
    with pytest.raises(SystemExit):
        run_guarded(lambda: (_ for _ in ()).throw(InputError("x", "bad", "fix")), [link])
    assert link.is_symlink() and target.read_text() == "new"


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_output_into_a_character_device_streams_and_keeps_the_device(tmp_path):
    dev = tmp_path / "null"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))      # a private /dev/null
    except OSError:
        pytest.skip("cannot create device nodes here")
    with atomic_output(dev) as tmp:
        tmp.write_text("discarded")
    assert stat.S_ISCHR(dev.stat().st_mode)
    with pytest.raises(SystemExit):                                  # nor does a failure remove it
        run_guarded(lambda: (_ for _ in ()).throw(InputError("x", "bad", "fix")), [dev])
    assert stat.S_ISCHR(dev.stat().st_mode) and sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_output_into_a_named_pipe_streams_the_whole_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    with atomic_output(fifo) as tmp:
        tmp.write_text("through the pipe\n")
    assert reader.communicate(timeout=30)[0] == b"through the pipe\n"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dash_and_dev_stdout_mean_standard_output(tmp_path):
    for out in ("-", "/dev/stdout"):
        r = _py(f"""
            from danqmotifs.core.errors import atomic_output
            with atomic_output({out!r}) as tmp:
                tmp.write_text("a\\tb\\n")
            """, cwd=tmp_path)
        assert r.returncode == 0 and r.stdout == b"a\tb\n", r.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == []        # no file named "-"
    # standard output redirected to a file (`> out.tsv`): written into it, not replaced
    with open(tmp_path / "out.tsv", "wb") as fh:
        fh.write(b"first\n")
        fh.flush()
        r = _py("""
            from danqmotifs.core.errors import atomic_output
            with atomic_output("/dev/stdout") as tmp:
                tmp.write_text("a\\tb\\n")
            """, cwd=tmp_path, stdout=fh, stderr=subprocess.PIPE)
    assert r.returncode == 0 and (tmp_path / "out.tsv").read_bytes() == b"first\na\tb\n", r.stderr


def test_full_disk_gives_a_clear_message_and_no_partial_file(tmp_path):
    # a file-size limit makes every write past 64 kB fail like a full disk (EFBIG)
    r = _py(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        from danqmotifs.core.errors import InputError, atomic_output
        try:
            with atomic_output({str(tmp_path / "big.txt")!r}) as tmp:
                with open(tmp, "w") as fh:
                    for _ in range(1000):
                        fh.write("x" * 1000)
        except InputError as exc:
            print(exc)
            sys.exit(3)
        """, text=True)
    assert r.returncode == 3, r.stderr
    assert "disk is full" in r.stdout and "big.txt" in r.stdout and "Fix:" in r.stdout
    assert list(tmp_path.iterdir()) == []
    # a device that reports a full disk (/dev/full) too
    with pytest.raises(InputError, match="disk is full"):
        with atomic_output("/dev/full") as tmp:
            tmp.write_text("x")


def test_output_that_is_a_directory_is_refused(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        with atomic_output(tmp_path):
            pass


# --- 2. numeric options ------------------------------------------------------------------------

def test_batch_size_zero_or_negative_is_refused(tmp_path, capsys):
    from danqmotifs.motifs.scoring import scan_max

    rng = np.random.default_rng(0)
    W = rng.standard_normal((2, 5, 4))
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        scan_max(rng.integers(0, 4, (10, 20)).astype(np.uint8), W, batch_size=0, engine="blas")
    write_kernels_file(tmp_path / "k.h5", W, np.zeros(2), rng.integers(0, 4, (10, 20)))
    for bad in ("0", "-3", "x"):
        with pytest.raises(SystemExit) as ei:
            kernel2pwm_mle_main([str(tmp_path / "k.h5")] * 2 + [str(tmp_path / "o.h5"), "--batch-size", bad])
        assert ei.value.code == 2 and "integer >= 1" in capsys.readouterr().err
    assert not (tmp_path / "o.h5").exists()
    for opt, bad in (("--digits", "0"), ("--digits", "18"), ("--base", "nan")):
        with pytest.raises(SystemExit):
            kernel2pwm_main(["-", "-", opt, bad])
    from danqmotifs.cli.match import main as match_main

    for opt, bad in (("--max-q", "2"), ("--max-q", "-0.1"), ("--threads", "-5"), ("--evalue-threshold", "inf")):
        with pytest.raises(SystemExit) as ei:
            match_main(["q.meme", "--out", str(tmp_path / "m.tsv"), opt, bad])
        assert ei.value.code == 2
    from danqmotifs.cli.predict import main as predict_main

    with pytest.raises(SystemExit) as ei:
        predict_main(["--model", "m.keras", "--fasta", "x.fa", "--out", "o.tsv", "--batch-size", "-1"])
    assert ei.value.code == 2
    from danqmotifs.model.predict import predict_fasta

    with pytest.raises(InputError, match="batch size must be >= 1"):
        predict_fasta(tmp_path / "none.keras", tmp_path / "x.fa", tmp_path / "o.tsv", batch_size=0)
    assert not (tmp_path / "o.tsv").exists()


# --- 3. MEME w= ---------------------------------------------------------------------------------

MEME_HEAD = "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n"


def test_meme_with_more_rows_than_w_is_an_error_naming_motif_and_line(tmp_path, capsys):
    p = tmp_path / "m.meme"
    p.write_text(MEME_HEAD + "MOTIF m1\nletter-probability matrix: alength= 4 w= 2\n"
                 "1 0 0 0\n0 1 0 0\n0 0 1 0\n\n")
    with pytest.raises(InputError, match=r"motif m1: w= 2 but more matrix rows follow \(line 11"):
        read_meme(p)
    assert pwm2kernel_main([str(p), str(tmp_path / "k.txt")]) == 2
    assert "w= 2 but more matrix rows follow" in capsys.readouterr().err
    p.write_text(MEME_HEAD + "MOTIF m1\nletter-probability matrix: alength= 4 w= 4\n1 0 0 0\n0 1 0 0\n\n"
                 "MOTIF m2\nletter-probability matrix: alength= 4 w= 1\n1 0 0 0\n")
    with pytest.raises(InputError, match=r"motif m1: expected 4 matrix rows, found 2 .* line 12"):
        read_meme(p)


# --- 4. HDF5 kernel inputs ----------------------------------------------------------------------

def test_several_3d_datasets_need_a_tensor_name(tmp_path, capsys):
    rng = np.random.default_rng(1)
    seqs = np.eye(4, dtype=np.uint8)[rng.integers(0, 4, (50, 30))]
    W = rng.standard_normal((3, 8, 4))
    with h5py.File(tmp_path / "both.h5", "w") as f:
        f["X"] = seqs                                    # sorts first: it used to be taken as kernels
        f["w"] = W
    out = tmp_path / "o.meme"
    assert kernel2pwm_main([str(tmp_path / "both.h5"), str(out)]) == 2
    err = capsys.readouterr().err
    assert "2 3-dimensional datasets" in err and "--tensor-name" in err and not out.exists()
    assert kernel2pwm_main([str(tmp_path / "both.h5"), str(out), "--tensor-name", "w"]) == 0
    assert out.read_text().count("MOTIF") == 3
    assert kernel2pwm_mle_main([str(tmp_path / "both.h5")] * 2 + [str(tmp_path / "o.h5")]) == 2
    assert "--kernel-tensor-name" in capsys.readouterr().err


def test_kernel2pwm_reads_the_orientation_the_file_records(tmp_path, capsys):
    rng = np.random.default_rng(2)
    W = rng.standard_normal((2, 6, 4)).astype(np.float32)
    write_kernels_file(tmp_path / "kernels.h5", W, np.zeros(2), rng.integers(0, 4, (5, 20)))
    a, b = tmp_path / "a.meme", tmp_path / "b.meme"
    assert kernel2pwm_main([str(tmp_path / "kernels.h5"), str(a)]) == 0
    assert kernel2pwm_main([str(tmp_path / "kernels.h5"), str(b), "--convention", "correlation"]) == 0
    assert a.read_text() == b.read_text()
    first = np.array(a.read_text().split("\n")[2].split(), dtype=float)
    np.testing.assert_allclose(first, np.exp(W[0, 0]) / np.exp(W[0, 0]).sum(), rtol=1e-6)  # not reversed
    assert kernel2pwm_main([str(tmp_path / "kernels.h5"), str(a), "--convention", "convolution"]) == 2
    assert "records its kernels in correlation orientation" in capsys.readouterr().err


# --- 5. genome index ------------------------------------------------------------------------------

def test_stale_genome_index_is_rebuilt_even_when_newer_than_the_fasta(tmp_path):
    from danqmotifs.sources.bed import fai_matches, open_genome

    g = tmp_path / "genome.fa"
    g.write_text(">chr1\n" + "A" * 60 + "\n" + "C" * 40 + "\n>chr2\n" + "G" * 50 + "\n")
    open_genome(g)                                                    # builds genome.fa.fai
    fai = Path(str(g) + ".fai")
    assert fai.exists() and fai_matches(g, fai)
    # a new genome (same names, other sizes) with an old timestamp, as gunzip leaves it
    g.write_text(">chr1\n" + "T" * 70 + "\n>chr2\n" + "ACGT" * 20 + "\n")
    os.utime(g, (fai.stat().st_mtime - 3600,) * 2)
    assert not fai_matches(g, fai)
    fa = open_genome(g)
    assert str(fa["chr1"][0:70]) == "T" * 70 and len(fa["chr2"]) == 80
    assert fai_matches(g, fai)
    # same sizes, other line layout
    g.write_text(">chr1\n" + "T" * 35 + "\n" + "T" * 35 + "\n>chr2\n" + "ACGT" * 20 + "\n")
    os.utime(g, (fai.stat().st_mtime - 3600,) * 2)
    assert not fai_matches(g, fai) and str(open_genome(g)["chr1"][30:40]) == "T" * 10


# --- 6. config values ----------------------------------------------------------------------------

def test_results_path_checks(tmp_path):
    for bad in ("", "  ", "/"):
        with pytest.raises(InputError, match="config: results"):
            check_results_path(bad)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    shared = tmp_path / "shared"
    claim_results(str(shared), a)
    assert (shared / OWNER_FILE).read_text().split("\n")[:2] == [str(a.resolve()), str(shared.resolve())]
    claim_results(str(shared), a)                                    # the owner again: fine
    with pytest.raises(InputError, match="already the results directory of the workflow run in"):
        claim_results(str(shared), b)
    # a copy of the results (cp -r of a checkout) is not owned by the original's directory
    import shutil

    shutil.copytree(shared, tmp_path / "copy")
    claim_results(str(tmp_path / "copy"), b)
    a.rmdir()                                                        # the owner is gone: taken over
    claim_results(str(shared), b)
    assert (shared / OWNER_FILE).read_text().split("\n")[0] == str(b.resolve())


def test_unknown_jaspar_release_is_a_clear_error():
    from danqmotifs.sources.jaspar import check_release, fetch_motifs

    with pytest.raises(InputError, match="has no release 'JASPAR2019'.*JASPAR2024"):
        fetch_motifs(["MA0139"], "JASPAR2019")
    assert check_release("JASPAR2024") == "JASPAR2024"


@pytest.mark.parametrize("change, words", [
    ("results: ''", "the results path is empty"),
    ("match: {jaspar_release: JASPAR2019}", "has no release 'JASPAR2019'"),
    ("data: {simulate: {motif_ids: [MA9999.1]}}", "config: data.simulate.motif_ids: MA9999.1"),
    ("match: {collection: NOPE}", "config: match.collection/tax_group"),
])
def test_workflow_stops_before_any_work(tmp_path, change, words):
    (tmp_path / "c.yaml").write_text(change + "\n")
    r = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(tmp_path),
                        "--configfile", str(ROOT / "config.yaml"), str(tmp_path / "c.yaml"), "-n", "-c1"],
                       capture_output=True, text=True)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and words in out and "Traceback" not in out and "AttributeError" not in out
    assert not (tmp_path / "results").exists() or list((tmp_path / "results").iterdir()) == []


# --- 7. the log tee ------------------------------------------------------------------------------

def test_log_tee_can_be_closed(tmp_path):
    from danqmotifs.core.logsetup import script_logging

    with script_logging(tmp_path / "x.log"):
        print("to the log")
        tee = sys.stderr
        tee.close()                                  # absl / TensorFlow do this at exit
        print("still fine", file=sys.stderr)
    tee.close()                                      # and after the log file is closed
    assert "to the log" in (tmp_path / "x.log").read_text()


def test_absl_handler_closing_the_tee_at_exit_prints_no_traceback(tmp_path):
    """What every training run showed: absl's log handler, set up while stderr was the tee, closes
    its stream at interpreter exit."""
    pytest.importorskip("absl")
    r = _py(f"""
        from danqmotifs.core.logsetup import script_logging
        with script_logging({str(tmp_path / "t.log")!r}):
            from absl import logging as alog
            alog.use_absl_handler()
            alog.warning("from absl")
        """, text=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr and "close" not in r.stderr, r.stderr
    assert "from absl" in (tmp_path / "t.log").read_text()


def test_gpus_asked_for_but_none_visible_is_an_error():
    """train.gpus > 0 in an environment whose TensorFlow sees no GPU (the CPU build, as in .venv)
    must not train on the CPU without a word."""
    tf = pytest.importorskip("tensorflow")
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU")
    from danqmotifs.model.training.runtime import configure_runtime

    with pytest.raises(InputError, match="train.gpus is 1 but TensorFlow .the Keras backend. sees no GPU"):
        configure_runtime(0, None, gpus=1)
    assert isinstance(configure_runtime(0, None, gpus=0), list)
