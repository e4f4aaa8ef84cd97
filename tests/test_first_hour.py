"""A new user's first hour: results that must never be silently wrong, messages instead of
tracebacks, and the workflow's first-run behaviour (config checks at parse time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from danqmotifs.core.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------- the exact identity's preconditions

def _model(*middle, conv=None):
    import keras
    from keras import layers

    conv = conv or {}
    return keras.Sequential([keras.Input((40, 4)), *middle,
                             layers.Conv1D(3, 5, activation="relu", name="motif_conv", **conv),
                             layers.GlobalMaxPooling1D(), layers.Dense(2, activation="sigmoid")])


@pytest.mark.parametrize("middle,conv,words", [
    ("dense", {}, ["Dense", "does not read the one-hot DNA"]),
    ("", {"padding": "same"}, ["padding='same'"]),
    ("", {"dilation_rate": 2}, ["dilation_rate=(2,)"]),
    ("", {"strides": 2}, ["strides=(2,)"]),
])
def test_first_conv_that_breaks_the_identity_is_refused_naming_the_model_file(tmp_path, middle, conv, words):
    from keras import layers

    from danqmotifs.model.modelio import load_model_kernels

    model = _model(*([layers.Dense(4)] if middle == "dense" else []), conv=conv)
    path = tmp_path / "odd.keras"
    model.save(path)
    with pytest.raises(InputError) as err:
        load_model_kernels(path)
    msg = str(err.value)
    assert str(path) in msg and "exactly" in msg
    for w in words:
        assert w in msg, msg


def test_valid_first_conv_passes_and_dropout_before_it_is_allowed(tmp_path):
    from keras import layers

    from danqmotifs.model import ModelSpec, build_model
    from danqmotifs.model.modelio import conv_problems

    assert conv_problems(_model()) == []
    assert conv_problems(_model(layers.Dropout(0.2))) == []
    spec = ModelSpec(length=60, n_targets=3, kernels=4, kernel_width=8, pool=4, lstm_units=4, dense_units=8)
    assert conv_problems(build_model(spec)) == []


def test_fidelity_fails_the_run_when_the_exact_substitute_differs():
    from danqmotifs.papers.k2p.fidelity import EXACT_TOLERANCE, check_exact_agreement

    check_exact_agreement({"max_abs_diff_exact_without_n": 1.5e-6, "compute_dtype": "float32"}, "m.keras")
    with pytest.raises(InputError, match=r"m.keras: the exact substitute predicts differently .* 0.45"):
        check_exact_agreement({"max_abs_diff_exact_without_n": 0.45, "compute_dtype": "float32"}, "m.keras")
    assert EXACT_TOLERANCE == 1e-5


# --------------------------------------------------------------- one matrix check for both engines

def _motifs(scale=1.0, source=None):
    from danqmotifs.core.motif import Motif

    rng = np.random.default_rng(3)
    mk = lambda i, L: Motif(f"m{i}", rng.dirichlet(np.ones(4) * 0.5, L),  # noqa: E731
                            extra={"source": source, "line": 9} if source else {})
    q = [mk(0, 8)]
    t = [mk(i, 10) for i in range(1, 30)]
    q[0].pwm = q[0].pwm * scale
    return q, t


def test_memelite_sees_the_same_normalised_rows_as_the_native_engine():
    from danqmotifs.match.engines import tomtom_memelite

    q, t = _motifs()
    q2, _ = _motifs(scale=0.995)
    a, b = tomtom_memelite(q, t, n_jobs=1), tomtom_memelite(q2, t, n_jobs=1)
    np.testing.assert_allclose(a.p_value, b.p_value, rtol=1e-9)


@pytest.mark.parametrize("engine", ["native", "memelite"])
def test_rows_summing_to_093_are_refused_by_both_engines_naming_file_and_position(engine):
    from danqmotifs.match.engines import tomtom_memelite, tomtom_native

    q, t = _motifs(scale=0.93, source="query.meme")
    run = (lambda: tomtom_native(q, t, "euclidean", n_jobs=1)) if engine == "native" else \
        (lambda: tomtom_memelite(q, t, n_jobs=1))
    with pytest.raises(InputError, match=r"query.meme \(motif m0, matrix header on line 9\).*position 1 .*0.93"):
        run()


def test_read_meme_records_the_file_and_line_of_each_motif(tmp_path):
    from danqmotifs.formats.meme import read_meme

    p = tmp_path / "q.meme"
    p.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF a\nletter-probability matrix: w= 1\n"
                 "0.25 0.25 0.25 0.25\n")
    (m,), _ = read_meme(p)
    assert m.extra == {"source": str(p), "line": 6}


# --------------------------------------------------------------- BED headers

def _bed(tmp_path, text):
    p = tmp_path / "r.bed"
    p.write_bytes(text.encode("utf-8"))
    return p


@pytest.mark.parametrize("header", ["#chr\tstart\tend\tA\tB", "#chromosome start end A B",
                                    "#seqname\tchromStart\tchromEnd\tA\tB", "\ufeff#chrom\tstart\tend\tA\tB"])
def test_bed_header_spellings_name_the_targets(tmp_path, header):
    from danqmotifs.sources.bed import read_bed

    r = read_bed(_bed(tmp_path, header + "\nchr1\t10\t20\t1\t0\n"))
    assert r.target_names == ["A", "B"]


def test_bed_header_without_hash_says_so(tmp_path):
    from danqmotifs.sources.bed import read_bed

    with pytest.raises(InputError, match=r"r.bed: line 1 .*header line without '#'.*start the header with '#'"):
        read_bed(_bed(tmp_path, "chrom\tstart\tend\tA\nchr1\t10\t20\t1\n"))


def test_bed_with_a_bom_before_the_first_region(tmp_path):
    from danqmotifs.sources.bed import read_bed

    r = read_bed(_bed(tmp_path, "\ufeffchr1\t10\t20\t1\n"))
    assert r.chroms == ["chr1"]


# --------------------------------------------------------------- config files at parse time

def _dry_run(tmp_path, text, *extra):
    (tmp_path / "c.yaml").write_text(text)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(tmp_path),
                        "--configfile", str(tmp_path / "c.yaml"), "-n", "--cores", "1", *extra],
                       capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    return r.returncode, r.stdout + r.stderr


@pytest.mark.parametrize("text,words", [
    ("data:\n  source: simulate\nseed: 2\ndata:\n  source: fasta\n",
     ["line 4", "'data' appears twice", "first on line 1"]),
    ("data:\n  fasta: file.fa\n", ["config data.fasta", "not of type 'object'", "own_fasta.yaml"]),
    ("train:\n  learning_rate: 1e-3\n", ["config train.learning_rate", "1.0e-3"]),
    ("seed: 4294967296\n", ["config seed", "maximum of 4294967295"]),
    ("evaluate:\n  predict: [\"in{1}.fa\"]\n", ["config: evaluate.predict", "'in{1}'", "rename"]),
    ("data:\n  fasta:\n    fasta: ~/x.fa\n", ["config: data.fasta.fasta", "starts with '~'"]),
])
def test_config_problems_get_a_short_message(tmp_path, text, words):
    rc, out = _dry_run(tmp_path, text)
    assert rc != 0
    for w in words:
        assert w in out, out[-2000:]
    assert "Failed validating" not in out and len(out.splitlines()) < 12, out


def test_dry_run_and_lint_leave_a_fresh_clone_untouched(tmp_path):
    for extra in ((), ("--lint",)):
        rc, out = _dry_run(tmp_path, "seed: 1\n", *extra)
        assert rc == 0, out[-2000:]
        assert not (tmp_path / "results").exists(), extra


# --------------------------------------------------------------- the commands agree

MEME_TEXT = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n"
             + "".join(f"MOTIF m{i}\nletter-probability matrix: alength= 4 w= 6 nsites= 20 E= 0\n"
                       + "".join(" ".join(f"{v:.4f}" for v in r) + "\n"
                                 for r in np.random.default_rng(i).dirichlet(np.ones(4) * 0.4, 6)) + "\n"
                       for i in range(12)))


def test_motif_match_reads_stdin_and_gz_and_writes_only_the_table_to_stdout(tmp_path, monkeypatch, capsys):
    import gzip
    import io

    from danqmotifs.cli.match import main

    db = tmp_path / "db.meme.gz"
    db.write_bytes(gzip.compress(MEME_TEXT.encode()))
    q = tmp_path / "q.meme"
    q.write_text(MEME_TEXT)
    assert main([str(q), "--db", str(db), "--out", str(tmp_path / "ref.tsv"), "--threads", "1"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MEME_TEXT.encode())))
    assert main(["-", "--db", str(db), "--out", "-", "--method", "q", "--threads", "1"]) == 0
    out = capsys.readouterr()
    assert out.out == (tmp_path / "ref.tsv").read_text()      # the table alone
    assert '"q"' in out.err or "q" in out.err                  # the summary on stderr


def test_broken_pipe_ends_a_command_quietly(tmp_path):
    code = ("import sys\nfrom danqmotifs.cli import command\nfrom danqmotifs.core.errors import atomic_output\n"
            "def run(argv):\n    with atomic_output('-') as t:\n        t.write_text('x\\t1\\n' * 500000)\n"
            "sys.exit(command(run)([]))\n")
    r = subprocess.run(f"{sys.executable} -c \"$CODE\" | head -c 10 > /dev/null; echo \"${{PIPESTATUS[0]}}\"",
                       shell=True, executable="/bin/bash", capture_output=True, text=True,
                       env=dict(os.environ, CODE=code), timeout=120)
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr, r.stderr
    assert r.stdout.strip() == "141"


def test_kernel_table_names_kernels_as_every_other_file():
    from danqmotifs.motifs.kernel_table import kernel_table

    class Scan:
        def best(self, both):
            return np.zeros((4, 2))

    W = np.zeros((2, 3, 4))
    motifs = {"exact": {"pwms": np.full((2, 3, 4), 0.25), "nsites": [1, 1], "keep": np.array([True, True])}}
    import danqmotifs.motifs.kernel_table as kt

    orig = kt.activation
    kt.activation = lambda scan, bias, strands, function="relu": (np.zeros(2), np.zeros(2, bool))
    try:
        cols, rows = kernel_table(W, np.zeros(2), Scan(), {"status": "ok", "options": {"strands": "both"}},
                                  np.ones(2), motifs)
    finally:
        kt.activation = orig
    assert [r[0] for r in rows] == ["kernel_000", "kernel_001"]


def test_kernel2pwm_mle_says_which_sequences_it_uses(tmp_path, capsys):
    import h5py

    from danqmotifs.cli.k2p import kernel2pwm_mle_main

    rng = np.random.default_rng(0)
    with h5py.File(tmp_path / "k.h5", "w") as f:
        f["kernels"] = rng.normal(size=(3, 5, 4))
    with h5py.File(tmp_path / "s.h5", "w") as f:
        f["sequences"] = np.eye(4, dtype=np.uint8)[rng.integers(0, 4, (20, 30))]
    assert kernel2pwm_mle_main([str(tmp_path / "k.h5"), str(tmp_path / "s.h5"), str(tmp_path / "o.h5"),
                                "--convention", "correlation"]) == 0
    assert "--sequences all (k2p's default)" in capsys.readouterr().err
    assert kernel2pwm_mle_main([str(tmp_path / "k.h5"), str(tmp_path / "s.h5"), str(tmp_path / "o2.h5"),
                                "--convention", "correlation", "--sequences", "activated"]) == 0
    assert "k2p's default" not in capsys.readouterr().err


def test_a_split_smaller_than_the_sample_is_used_whole_without_a_note(tmp_path):
    from helpers.data import write_split

    from danqmotifs.model.kernels import sample_rows
    from danqmotifs.sources.datafile import DataReader

    codes = np.random.default_rng(0).integers(0, 4, (30, 20)).astype(np.uint8)
    write_split(tmp_path / "t.h5", codes, np.zeros((30, 1), np.uint8), ["a"], "simulate", "test")
    with DataReader(tmp_path / "t.h5") as r:
        rows, info = sample_rows(r, 10000, seed=1)
    assert rows.size == 30 and "note" not in info


# --------------------------------------------------------------- figures

def test_logo_positions_are_integer_one_based_and_labelled():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from danqmotifs.report.logos import draw_logo

    fig, ax = plt.subplots()
    pwm = np.random.default_rng(0).dirichlet(np.ones(4) * 0.3, 7)
    draw_logo(ax, pwm, 0, "t", (-0.5, 6.5))
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if -0.5 <= t <= 6.5]
    assert ticks and all(float(t).is_integer() for t in ticks)
    labels = {t: lab.get_text() for t, lab in zip(ax.get_xticks(), ax.get_xticklabels())}
    assert labels[0.0] == "1" and ax.get_xlabel() == "position"
    plt.close(fig)


def test_auc_axis_fits_the_data():
    from danqmotifs.report.plot.training import auc_limits

    lo, hi = auc_limits([0.92, 0.95, 0.99, 1.0, float("nan")])
    assert 0.9 < lo < 0.92 and 1.0 < hi <= 1.01
    assert auc_limits([]) == (0.0, 1.02)


def test_a_flat_logo_gets_no_best_match_title():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from danqmotifs.core.motif import Motif
    from danqmotifs.report.plot.logos import draw_kernel_panels, panel_spans

    flat = Motif("kernel_000", np.full((6, 4), 0.25))
    target = Motif("MA0139.2", np.random.default_rng(1).dirichlet(np.ones(4), 6), "CTCF")
    match = {"target_id": "MA0139.2", "target_name": "CTCF", "p_value": 1e-3, "e_value": 0.5,
             "q_value": 0.01, "orientation": "+", "offset": 0}
    panels = [{"method": "exact", "query": flat, "match": match, "target": target}]
    fig, axes = plt.subplots(2, 1, squeeze=False)
    draw_kernel_panels(axes, panels, panel_spans(panels)[0])
    texts = " ".join(t.get_text() for ax in axes[:, 0] for t in ax.texts) + axes[1, 0].get_title(loc="left")
    assert "best match" not in texts and "flat motif" in texts
    plt.close(fig)


# --------------------------------------------------------------- the report

@pytest.mark.parametrize("model_file", ["", "DanQ_bestmodel.hdf5"])
def test_report_captions_render_without_rst_warnings_or_fixed_paths(model_file):
    import io
    from types import SimpleNamespace

    import docutils.core
    import jinja2
    import yaml

    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["results"] = "my_results"
    cfg["model"]["file"] = model_file
    for rst in sorted((ROOT / "workflow" / "report").glob("*.rst")):
        text = jinja2.Template(rst.read_text()).render(snakemake=SimpleNamespace(config=cfg))
        warnings = io.StringIO()
        docutils.core.publish_parts(text, writer_name="html",
                                    settings_overrides={"warning_stream": warnings, "report_level": 2})
        assert not warnings.getvalue(), f"{rst.name}: {warnings.getvalue()}"
        assert "results/" not in text.replace("my_results/", ""), rst.name
    assert "my_results/match/best_matches.tsv" in jinja2.Template(
        (ROOT / "workflow/report/workflow.rst").read_text()).render(snakemake=SimpleNamespace(config=cfg))


def test_report_shows_the_tables_and_labels_the_logos_with_their_matches():
    smk = {p.name: p.read_text() for p in (ROOT / "workflow" / "rules").glob("*.smk")}
    assert 'caption="../report/best_matches.rst"' in smk["match.smk"]
    assert 'caption="../report/match_summary.rst"' in smk["match.smk"]
    assert 'caption="../report/auc_table.rst"' in smk["train.smk"]
    assert 'caption="../report/kernel_table.rst"' in smk["motifs.smk"]
    assert "labels=logo_labels" in smk["report.smk"] and "def logo_labels" in smk["report_labels.smk"]


def test_logo_labels_read_the_best_matches(tmp_path):
    from types import SimpleNamespace

    src = (ROOT / "workflow/rules/report_labels.smk").read_text()
    ns = {"METHODS": ["exact", "heuristic"]}
    exec(src, ns)
    best = tmp_path / "best.tsv"
    best.write_text("query\tmethod\ttarget_id\ttarget_name\tp_value\te_value\tq_value\n"
                    "kernel_001\texact\tMA0139.2\tCTCF\t1e-8\t1e-5\t0.0012\n"
                    "kernel_002\texact\tMA0003.1\tTFAP2A\t1e-3\t1\t0.4\n")
    row = ns["logo_labels"](SimpleNamespace(kernel="kernel_001"), SimpleNamespace(best=str(best)))
    assert row == {"kernel": "kernel_001", "exact best match": "CTCF (MA0139.2), q=0.0012",
                   "heuristic best match": "-"}


# --------------------------------------------------------------- configs for your own data

@pytest.mark.parametrize("name,source", [("own_fasta.yaml", "fasta"), ("own_bed.yaml", "bed"),
                                         ("own_deepsea.yaml", "deepsea")])
def test_own_data_configs_validate_merged_over_the_default(name, source):
    import copy

    import yaml
    from snakemake.utils import update_config, validate

    cfg = copy.deepcopy(yaml.safe_load((ROOT / "config.yaml").read_text()))
    own = yaml.safe_load((ROOT / "config" / name).read_text())
    update_config(cfg, own)
    validate(cfg, str(ROOT / "workflow/schemas/config.schema.yaml"))
    assert cfg["data"]["source"] == source
    assert f"--configfile config/{name}" in (ROOT / "config" / name).read_text()
    assert f"config/{name}" in (ROOT / "README.md").read_text()


def test_own_fasta_and_bed_configs_plan_a_run_once_the_files_exist(tmp_path):
    import shutil

    rng = np.random.default_rng(0)
    recs = {f"seq{i}": "".join(rng.choice(list("ACGT"), 50)) for i in range(30)}
    (tmp_path / "my_sequences.fa").write_text("".join(f">{k}\n{v}\n" for k, v in recs.items()))
    (tmp_path / "my_labels.tsv").write_text("id\tCTCF\n" + "".join(f"{k}\t{i % 2}\n" for i, k in enumerate(recs)))
    (tmp_path / "genome.fa").write_text("".join(f">chr{c}\n{''.join(rng.choice(list('ACGT'), 3000))}\n"
                                                for c in range(1, 10)))
    (tmp_path / "my_regions.bed").write_text("#chrom\tstart\tend\tCTCF\n" + "".join(
        f"chr{c}\t1000\t1200\t{c % 2}\n" for c in range(1, 10)))
    for name in ("own_fasta.yaml", "own_bed.yaml"):
        shutil.copy(ROOT / "config" / name, tmp_path / "c.yaml")
        text = (tmp_path / "c.yaml").read_text().replace("width: 1000", "width: 100")
        rc, out = _dry_run(tmp_path, text)
        assert rc == 0, out[-3000:]
        assert "rule load_data:" in out or "load_data" in out
