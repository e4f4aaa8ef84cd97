"""Regression tests for issue 28 (hardening, round 4): each fails on the code before the fix.

2. a plain HDF5 one-hot array stored (L, 4, N) is not read as (N, 4, L); --onehot-layout;
3. no command overwrites one of its inputs or writes two outputs to one path;
4. a directory where a file is expected; Ctrl-C in training;
5. messages that name the CLI option, keys that exist, the config file;
6. one genome-letter policy; warnings for all-N peaks and shared peak files; predict's precision;
   a blank line inside a bare matrix;
8. a quieter console: TensorFlow's C++ logs, progress of the long rules, config typos.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

from danqmotifs.cli.k2p import kernel2pwm_main, kernel2pwm_mle_main, pwm2kernel_main
from danqmotifs.cli.match import main as match_main
from danqmotifs.cli.predict import main as predict_main
from danqmotifs.cli.variants import main as variants_main
from danqmotifs.core.errors import InputError

ROOT = Path(__file__).resolve().parents[1]

MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.25 C 0.25 G 0.25 T 0.25

MOTIF m1
letter-probability matrix: alength= 4 w= 3 nsites= 20 E= 0
0.7 0.1 0.1 0.1
0.1 0.7 0.1 0.1
0.1 0.1 0.7 0.1
"""


def _files(tmp_path):
    (tmp_path / "m.keras").write_bytes(b"not read: the paths are checked first")
    (tmp_path / "in.fa").write_text(">a\nACGT\n")
    (tmp_path / "calls.vcf").write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\n")
    (tmp_path / "g.fa").write_text(">chr1\nACGTACGT\n")
    (tmp_path / "q.meme").write_text(MEME)
    (tmp_path / "k.txt").write_text("1 0 0 0\n0 1 0 0\n")
    return tmp_path


# --- 3. outputs that would destroy inputs ------------------------------------------------------

@pytest.mark.parametrize("cmd,argv,victim,options", [
    (variants_main, ["--model", "m.keras", "--vcf", "calls.vcf", "--genome", "g.fa", "--tsv", "calls.vcf"],
     "calls.vcf", ("--tsv", "--vcf")),
    (variants_main, ["--model", "m.keras", "--vcf", "calls.vcf", "--genome", "g.fa", "--h5", "g.fa"],
     "g.fa", ("--h5", "--genome")),
    (variants_main, ["--model", "m.keras", "--vcf", "calls.vcf", "--genome", "g.fa", "--tsv", "x.out",
                     "--h5", "x.out"], None, ("--tsv", "--h5")),
    (predict_main, ["--model", "m.keras", "--fasta", "in.fa", "--out", "in.fa"], "in.fa", ("--out", "--fasta")),
    (predict_main, ["--model", "m.keras", "--fasta", "in.fa", "--out", "m.keras"], "m.keras", ("--out", "--model")),
    (match_main, ["q.meme", "--db", "q.meme", "--out", "q.meme"], "q.meme", ("--out", "query")),
    (match_main, ["q.meme", "--db", "q.meme", "--out", "o.tsv", "--best", "o.tsv"], None, ("--out", "--best")),
    (kernel2pwm_main, ["k.txt", "k.txt"], "k.txt", ("output_file", "input_file")),
    (pwm2kernel_main, ["q.meme", "./sub/../q.meme"], "q.meme", ("output_file", "input_file")),
    (kernel2pwm_mle_main, ["k.txt", "in.fa", "in.fa"], "in.fa", ("output_hdf5_file", "sequence_tensor_hdf5_file")),
])
def test_an_output_equal_to_an_input_or_another_output_is_refused_before_reading(
        tmp_path, monkeypatch, capsys, cmd, argv, victim, options):
    _files(tmp_path)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert cmd(argv) == 2
    err = capsys.readouterr().err
    assert all(o in err for o in options), err
    assert "Traceback" not in err
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == before                        # nothing replaced, nothing new


def test_a_hard_link_or_symlink_to_the_input_is_the_same_file(tmp_path, monkeypatch, capsys):
    _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    os.link("k.txt", "hard.txt")
    os.symlink("k.txt", "soft.txt")
    for out in ("hard.txt", "soft.txt"):
        assert kernel2pwm_main(["k.txt", out]) == 2
        assert "same file as the input input_file" in capsys.readouterr().err
    assert Path("k.txt").read_text() == "1 0 0 0\n0 1 0 0\n"
    # streams are not files: writing to standard output or /dev/null is fine
    assert kernel2pwm_main(["k.txt", "-"]) == 0
    assert kernel2pwm_main(["k.txt", "/dev/null"]) == 0


def test_every_console_script_checks_its_paths():
    """Each console script of pyproject.toml calls the shared check (danqmotifs.cli.check_paths)."""
    import inspect
    import tomllib

    import importlib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    for name, target in scripts.items():
        mod, func = target.split(":")
        m = importlib.import_module(mod)
        src = inspect.getsource(m)
        assert "check_paths(" in src, f"{name} ({target}) does not call check_paths"


# --- 2. one-hot HDF5 read sideways -------------------------------------------------------------

L2 = 40


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    keras = pytest.importorskip("keras")
    from danqmotifs.model import ModelSpec, build_model

    d = tmp_path_factory.mktemp("model")
    keras.utils.set_random_seed(0)
    build_model(ModelSpec(kernels=4, kernel_width=6, pool=5, lstm_units=3, dense_units=5, n_targets=2,
                          length=L2)).save(d / "m.keras")
    return d / "m.keras"


def _predict_rows(path):
    return [r.split("\t", 1)[1] for r in Path(path).read_text().splitlines()[1:]]


@pytest.mark.parametrize("n", [L2, 7])
def test_plain_hdf5_stored_sequence_last_is_never_read_sideways(tmp_path, tiny_model, capsys, n):
    """A DeepSEA array re-saved with h5py, (L, 4, N) under 'trainxdata': with N != L the model's
    length tells the layout (read right), with N = L it is refused naming --onehot-layout; given
    that option, the predictions equal predict --fasta on the same sequences."""
    from danqmotifs.core.alphabet import decode
    from helpers.deepsea import codes_to_deepsea_onehot

    codes = np.random.default_rng(3).integers(0, 4, size=(n, L2)).astype(np.uint8)
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f.create_dataset("trainxdata", data=np.transpose(codes_to_deepsea_onehot(codes), (2, 1, 0)))
    (tmp_path / "x.fa").write_text("".join(f">s{i}\n{decode(c)}\n" for i, c in enumerate(codes)))
    m = str(tiny_model)
    assert predict_main(["--model", m, "--fasta", str(tmp_path / "x.fa"), "--out", str(tmp_path / "fa.tsv")]) == 0
    rc = predict_main(["--model", m, "--onehot", str(tmp_path / "x.h5"), "--out", str(tmp_path / "auto.tsv")])
    err = capsys.readouterr().err
    if n == L2:
        assert rc == 2 and "--onehot-layout" in err and "several axis orders" in err, err
        assert not (tmp_path / "auto.tsv").exists()
    else:
        assert rc == 0, err
        assert _predict_rows(tmp_path / "auto.tsv") == _predict_rows(tmp_path / "fa.tsv")
    assert predict_main(["--model", m, "--onehot", str(tmp_path / "x.h5"), "--onehot-layout", "LCN",
                         "--out", str(tmp_path / "lcn.tsv")]) == 0
    assert _predict_rows(tmp_path / "lcn.tsv") == _predict_rows(tmp_path / "fa.tsv")


def test_onehot_of_unknown_layout_and_length_never_suggests_resize_alone(tmp_path, tiny_model, capsys):
    """(12, 4, 30) with a 40 bp model: 12 sequences of 30 bp, or 30 of 12? --resize center alone
    would predict garbage in one of the two readings: the message asks for the layout first."""
    from helpers.deepsea import codes_to_deepsea_onehot

    codes = np.random.default_rng(4).integers(0, 4, size=(12, 30)).astype(np.uint8)
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f.create_dataset("x", data=codes_to_deepsea_onehot(codes))
    for extra in ([], ["--resize", "center"]):
        assert predict_main(["--model", str(tiny_model), "--onehot", str(tmp_path / "x.h5"),
                             "--out", str(tmp_path / "o.tsv")] + extra) == 2
        err = capsys.readouterr().err
        assert "--onehot-layout" in err and "only then" in err, err
    assert predict_main(["--model", str(tiny_model), "--onehot", str(tmp_path / "x.h5"), "--onehot-layout",
                         "NCL", "--resize", "center", "--out", str(tmp_path / "o.tsv")]) == 0
    assert len(_predict_rows(tmp_path / "o.tsv")) == 12


def test_onehot_layouts_with_the_channels_last(tmp_path):
    """(N, L, 4), as Keras-style arrays are stored: detected from the 4-sized axis when the length
    is known; every layout reads the same sequences."""
    from danqmotifs.sources.onehot import LAYOUTS, OneHotFile
    from helpers.deepsea import codes_to_deepsea_onehot

    codes = np.random.default_rng(5).integers(0, 4, size=(6, 9)).astype(np.uint8)
    ncl = codes_to_deepsea_onehot(codes)
    for lay in LAYOUTS:
        with h5py.File(tmp_path / f"{lay}.h5", "w") as f:
            f.create_dataset("x", data=np.transpose(ncl, ["NCL".index(c) for c in lay]))
        with OneHotFile(tmp_path / f"{lay}.h5", length=9) as f:
            assert f.layout == lay and (f.n, f.length) == (6, 9)
            np.testing.assert_array_equal(f.read(0, 6), codes)
        with OneHotFile(tmp_path / f"{lay}.h5", layout=lay) as f:
            np.testing.assert_array_equal(f.take(np.array([1, 4])), codes[[1, 4]])
    with pytest.raises(InputError, match="channel axis has 9 entries"):
        OneHotFile(tmp_path / "NCL.h5", layout="NLC")


# --- 4. a directory where a file is expected ---------------------------------------------------

def test_a_directory_as_an_input_file_is_one_clear_message_everywhere(tmp_path, monkeypatch, capsys):
    """The CLI refuses it before reading (naming the option); each reader refuses it with the same
    words (danqmotifs.core.errors.require_file), never an IsADirectoryError traceback."""
    from danqmotifs.formats.fasta import iter_fasta
    from danqmotifs.formats.meme import read_meme
    from danqmotifs.model.variants import iter_vcf
    from danqmotifs.sources.bed import open_genome, read_bed
    from danqmotifs.sources.onehot import OneHotFile

    _files(tmp_path)
    monkeypatch.chdir(tmp_path)
    d = tmp_path / "adir"
    d.mkdir()
    for cmd, argv, opt in [
        (match_main, ["q.meme", "--db", "adir", "--out", "o.tsv"], "--db"),
        (match_main, ["adir", "--db", "q.meme", "--out", "o.tsv"], "query"),
        (kernel2pwm_main, ["adir", "o.meme"], "input_file"),
        (pwm2kernel_main, ["adir"], "input_file"),
        (predict_main, ["--model", "m.keras", "--fasta", "adir", "--out", "o.tsv"], "--fasta"),
        (variants_main, ["--model", "m.keras", "--vcf", "calls.vcf", "--genome", "adir", "--tsv", "o.tsv"],
         "--genome"),
    ]:
        assert cmd(argv) == 2
        err = capsys.readouterr().err
        assert f"{opt} is a directory, not a file" in err and "Traceback" not in err, err
    for read in (read_meme, lambda p: list(iter_fasta(p)), open_genome, read_bed, OneHotFile,
                 lambda p: list(iter_vcf(p, 100, lambda *a: None))):
        with pytest.raises(InputError, match="is a directory, not a file. Fix: give the path of the file itself"):
            read(d)


def test_ctrl_c_in_a_workflow_script_is_one_line_and_status_130(tmp_path):
    """run_guarded (every workflow script, the train rule included): KeyboardInterrupt prints one
    line saying the run can be resumed, exits 130, no traceback, and removes the partial outputs."""
    out = tmp_path / "partial.txt"
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        from danqmotifs.core.errors import run_guarded

        def main():
            Path({str(out)!r}).write_text("half")
            raise KeyboardInterrupt
        run_guarded(main, [{str(out)!r}], interrupted="training stopped; rerun the same command to resume from the last checkpoint")
        """)], capture_output=True, text=True)
    assert r.returncode == 130, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "resume" in r.stderr and not out.exists()
    src = (ROOT / "workflow" / "scripts" / "train.py").read_text()
    assert "interrupted=" in src            # the train rule says how to resume


# --- 5. messages ---------------------------------------------------------------------------------

def test_score_variants_names_its_own_option_for_a_missing_genome(tmp_path, capsys):
    from danqmotifs.sources.bed import open_genome

    with pytest.raises(InputError, match=r"Fix: correct --genome\."):
        open_genome(tmp_path / "missing.fa", option="--genome")
    with pytest.raises(InputError, match=r"Fix: correct data.peaks.genome\."):
        open_genome(tmp_path / "missing.fa", option="data.peaks.genome")
    import inspect

    from danqmotifs.model import variants

    assert "option=genome_option" in inspect.getsource(variants.score_vcf)
    assert 'genome_option="variants.genome"' in (ROOT / "workflow/scripts/score_variants.py").read_text()


def test_peak_ids_without_coordinates_under_split_by_chrom_name_a_real_key(tmp_path):
    from danqmotifs.sources.datafile import SPLITS
    from danqmotifs.sources.peaks import convert_peaks

    (tmp_path / "p.fa").write_text("".join(f">peak{i}\n{'ACGT' * 25}\n" for i in range(5)))
    outs = {s: tmp_path / f"{s}.h5" for s in SPLITS}
    with pytest.raises(InputError) as e:
        convert_peaks([tmp_path / "p.fa"], outs, width=100)
    msg = str(e.value)
    assert "valid_ids" not in msg and "'peak0' is not chrom:start-end" in msg and "split_by: fraction" in msg, msg
    assert str(tmp_path / "p.fa") in msg


# --- 6. genome letters, warnings, precision, blank lines ---------------------------------------

def _genome_with(tmp_path, letter):
    seq = list("ACGT" * 30)
    seq[60] = letter                           # chr1:61 (1-based)
    (tmp_path / "g.fa").write_text(">chr1\n" + "".join(seq) + "\n")
    return tmp_path / "g.fa"


@pytest.mark.parametrize("letter,ok", [("R", True), ("y", True), ("N", True), ("X", False), ("*", False),
                                       ("-", False)])
def test_every_genome_reader_maps_iupac_to_n_and_refuses_other_letters(tmp_path, letter, ok):
    """The BED source and score-variants' windows read one genome with one policy: IUPAC -> N,
    any other letter an error naming the file and chr1:61."""
    from danqmotifs.model.variants import Variant, windows
    from danqmotifs.sources.bed import encode_genome_window, open_genome

    g = _genome_with(tmp_path, letter)
    fa = open_genome(g)
    try:
        v = Variant("chr1", 51, "x", fa["chr1"][50:51], "A" if fa["chr1"][50:51] != "A" else "C", 1)
        if ok:
            bed = encode_genome_window(g, fa["chr1"][40:80], "chr1", 40)
            ref, alt = windows(fa, {"chr1": 120}, v, 40)
            assert bed[20] == 4 and ref[30] == 4 and alt[30] == 4      # position 61 is N in both
        else:
            for read in (lambda: encode_genome_window(g, fa["chr1"][40:80], "chr1", 40),
                         lambda: windows(fa, {"chr1": 120}, v, 40)):
                with pytest.raises(InputError, match=rf"g.fa: chr1:61 \(1-based\) has the letter '\{letter}'"
                                   if letter in "*-" else rf"g.fa: chr1:61 \(1-based\) has the letter '{letter}'"):
                    read()
    finally:
        fa.close()


def test_peaks_warn_about_all_n_peaks_and_a_file_given_twice(tmp_path):
    from danqmotifs.sources.datafile import SPLITS
    from danqmotifs.sources.peaks import convert_peaks

    rng = np.random.default_rng(0)
    rows = [(c, s, "".join(rng.choice(list("ACGT"), 100))) for c, s in
            [("chr1", 100), ("chr2", 300), ("chr7", 500), ("chr8", 700), ("chr1", 900)]]
    rows.append(("chr1", 2000, "N" * 100))
    (tmp_path / "a.fa").write_text("".join(f">{c}:{s}-{s + 100}\n{q}\n" for c, s, q in rows))
    outs = {s: tmp_path / f"{s}.h5" for s in SPLITS}
    summary = convert_peaks([tmp_path / "a.fa", tmp_path / "a.fa"], outs, names=["TF1", "TF2"], width=100)
    ws = "\n".join(summary["warnings"])
    assert "'TF1' and 'TF2' are given the same file" in ws
    assert "1 peak(s) are all N (e.g. 'chr1:2000-2100'" in ws


def test_predict_tsv_keeps_small_probabilities(tmp_path, tiny_model, monkeypatch):
    """A probability of 3e-8 was printed 0.000000 (%.6f)."""
    import danqmotifs.model.predict as pr

    (tmp_path / "x.fa").write_text(">a\n" + "ACGT" * 10 + "\n")
    monkeypatch.setattr(pr, "predict_codes", lambda p, codes, b: np.tile(np.array([[3e-8, 0.25]], np.float32),
                                                                         (len(codes), 1)))
    pr.predict_fasta(tiny_model, tmp_path / "x.fa", tmp_path / "o.tsv")
    row = (tmp_path / "o.tsv").read_text().splitlines()[1].split("\t")
    assert float(row[1]) == pytest.approx(3e-8, rel=1e-5) and float(row[2]) == 0.25


@pytest.mark.parametrize("cmd", [pwm2kernel_main])
def test_a_blank_line_inside_a_bare_matrix_is_an_error_not_the_end(tmp_path, capsys, cmd):
    """A bare PWM (pwm2kernel) stopped at the blank line and dropped the rest. (Kernel text for
    kernel2pwm skips blank lines and keeps every row: documented and tested in test_input_matrix.)"""
    rows = ["0.7 0.1 0.1 0.1", "0.1 0.7 0.1 0.1", "", "0.1 0.1 0.7 0.1"]
    (tmp_path / "m.txt").write_text("\n".join(rows) + "\n")
    assert cmd([str(tmp_path / "m.txt"), str(tmp_path / "o.txt")]) == 2
    err = capsys.readouterr().err
    assert "a blank line (line 3)" in err and "more rows follow (line 4" in err, err
    assert not (tmp_path / "o.txt").exists()
    # blank lines around the matrix are fine
    (tmp_path / "m.txt").write_text("\n" + "\n".join(rows[:2]) + "\n\n\n")
    assert cmd([str(tmp_path / "m.txt"), str(tmp_path / "o.txt")]) == 0


# --- 5 and 8. config files: a list, a typo, a FILL IN left unchanged ------------------------------

def _dry_run(workdir, *extra):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(workdir),
                        "-n", "--cores", "1", *extra], capture_output=True, text=True, cwd=workdir, env=env,
                       timeout=300)
    return r.returncode, r.stdout + r.stderr


@pytest.mark.parametrize("name,text,words", [
    ("c.yaml", "results: out\nmotifs:\n  n_sequencs: 100\n",
     ["c.yaml, line 3: the key motifs.n_sequencs is not a setting", "did you mean motifs.n_sequences?",
      "Fix: rename it to motifs.n_sequences."]),
    ("c.yaml", "reslts: out\n", ["c.yaml, line 1: the key reslts is not a setting", "did you mean results?"]),
    ("c.yaml", None, ["c.yaml, line 21: data.fasta.fasta is still the example's 'my_sequences.fa'",
                      "FILL IN", "Fix: set data.fasta.fasta"]),
    ("config.yaml", "- a\n- b\n", ["config.yaml: the config file is a list, not a mapping"]),
])
def test_config_mistakes_name_the_file_the_key_and_the_fix(tmp_path, name, text, words):
    (tmp_path / name).write_text(text if text is not None else (ROOT / "config/own_fasta.yaml").read_text())
    extra = ["--configfile", str(tmp_path / name)] if name != "config.yaml" else []
    rc, out = _dry_run(tmp_path, *extra)
    assert rc != 0
    for w in words:
        assert w in out, out[-2000:]
    assert "WorkflowError" not in out and "common.smk" not in out and "Traceback" not in out, out[-2000:]
    assert "config the config" not in out


# --- 8. a quieter console: progress of the long methods, no TensorFlow C++ chatter -----------------

def test_exact_oops_and_refined_print_progress(monkeypatch, capsys):
    """Progress lines on stderr (console and log): at most every PROGRESS_SECONDS, and at the end
    (set to 0 here: a line per kernel; no timing is asserted)."""
    from danqmotifs.core import logsetup
    from danqmotifs.motifs import methods
    from danqmotifs.motifs.refine import window_scores
    from danqmotifs.motifs.scoring import ScanResult

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, (60, 30)).astype(np.uint8)
    W = rng.normal(size=(3, 6, 4))
    sc = np.stack([window_scores(codes, w) for w in W], axis=-1)
    scan = ScanResult(m=sc.max(axis=1), pos=sc.argmax(axis=1).astype(np.int32))
    base = {"ln_b": 1.0, "options": {"base": "shared", "sequences": "activated", "strands": "forward"}}
    from danqmotifs.core.config_defaults import defaults

    opts = {k: defaults("motifs")[k] for k in ("refine_iterations", "refine_pseudocount")}
    inputs = methods.MethodInputs(W, np.zeros(3), codes, scan, base, {"seed": 1, "exactness_windows": 10, **opts})
    monkeypatch.setattr(logsetup, "PROGRESS_SECONDS", 0.0)
    for name in ("exact_oops", "refined"):
        methods.get(name).compute(inputs)
        err = capsys.readouterr().err
        assert all(f"{name}: {i} of 3 kernels" in err for i in (1, 2, 3)), err


def test_importing_the_package_silences_tensorflow_info_and_warning_logs(tmp_path):
    """Every workflow script and console script imports danqmotifs before TensorFlow: the package
    sets TF_CPP_MIN_LOG_LEVEL=2 (C++ INFO and WARNING lines off, ERROR lines kept) unless the user
    set it; the import of TensorFlow then prints nothing."""
    pytest.importorskip("tensorflow")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    r = subprocess.run([sys.executable, "-c", "import danqmotifs, os; print(os.environ['TF_CPP_MIN_LOG_LEVEL']); "
                        "import tensorflow as tf; tf.constant([1.0]) + 1"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stdout.strip() == "2", r.stderr
    assert "I0000" not in r.stderr and "cpu_feature_guard" not in r.stderr and "absl::InitializeLog" not in r.stderr, r.stderr
    env["TF_CPP_MIN_LOG_LEVEL"] = "0"                       # the user's choice wins
    r = subprocess.run([sys.executable, "-c", "import danqmotifs, os; print(os.environ['TF_CPP_MIN_LOG_LEVEL'])"],
                       capture_output=True, text=True, env=env)
    assert r.stdout.strip() == "0"
