"""Property-based tests (hypothesis) for every input parser: MEME, FASTA, labels, BED, kernel text,
HDF5 tensors and kernel files.

For each format, generated valid files (with the variations the format allows: line wrapping,
Windows line endings, gzip, comments, optional header fields) must read back exactly as the
structure they were written from (the reference reading); generated corruptions must raise
InputError naming the file and the place (line, record, motif or dataset), never another exception
and never a silently different result.
"""

import gzip
import string
import tempfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from danqmotifs.cli.k2p import parse_kernel_text
from danqmotifs.core.alphabet import encode
from danqmotifs.core.errors import InputError
from danqmotifs.formats.fasta import encode_record, iter_fasta
from danqmotifs.formats.meme import read_meme
from danqmotifs.model.kernels import (check_kernel_tensor, check_sequence_tensor, read_kernels_file, read_tensor,
                                write_kernels_file)
from danqmotifs.sources.bed import read_bed
from danqmotifs.sources.fasta import read_labels

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAME = st.text(string.ascii_letters + string.digits + "_.", min_size=1, max_size=10)


def _tmp(name: str, data: bytes, gz: bool = False) -> Path:
    d = Path(tempfile.mkdtemp(prefix="prop-"))
    p = d / (name + (".gz" if gz else ""))
    p.write_bytes(gzip.compress(data) if gz else data)
    return p


def _raises_input_error(fn, path: Path, *where: str) -> str:
    """Run ``fn``; it must raise InputError naming ``path`` and every word of ``where``."""
    with pytest.raises(InputError) as ei:
        fn()
    msg = str(ei.value)
    assert str(path) in msg and "Fix:" in msg, msg
    for w in where:
        assert w in msg, (w, msg)
    return msg


# --- MEME ---------------------------------------------------------------------------------------

@st.composite
def pwm(draw, width=None):
    w = width or draw(st.integers(1, 8))
    counts = draw(st.lists(st.lists(st.integers(0, 50), min_size=4, max_size=4).filter(any),
                           min_size=w, max_size=w))
    m = np.array(counts, dtype=np.float64)
    return m / m.sum(axis=1, keepdims=True)


@st.composite
def meme_motifs(draw):
    ids = draw(st.lists(NAME, min_size=1, max_size=4, unique=True))
    return [(i, draw(pwm())) for i in ids]


def meme_text(motifs, bg, variant: dict, widths=None) -> str:
    nl = "\r\n" if variant["crlf"] else "\n"
    lines = ["MEME version 4", "", "ALPHABET= ACGT", "", "strands: + -", "",
             "Background letter frequencies", " ".join(f"{b} {v:.6f}" for b, v in zip("ACGT", bg)), ""]
    for k, (mid, p) in enumerate(motifs):
        lines.append(f"MOTIF {mid}" + (" alt_name" if variant["alt"] else ""))
        if variant["blank_before_matrix"]:
            lines.append("")
        w = p.shape[0] if widths is None else widths[k]
        fields = ["alength= 4", f"w= {w}"] + (["nsites= 20", "E= 0"] if variant["nsites"] else [])
        lines.append("letter-probability matrix: " + " ".join(fields))
        lines += [" ".join(f"{x:.6f}" for x in row) for row in p]
        if variant["url"]:
            lines.append(f"URL http://example.invalid/{mid}")
        lines.append("")
    return nl.join(lines) + nl


VARIANT = st.fixed_dictionaries({k: st.booleans() for k in
                                 ("crlf", "alt", "blank_before_matrix", "nsites", "url")})
BACKGROUND = pwm(width=1).map(lambda m: m[0])


@SETTINGS
@given(motifs=meme_motifs(), bg=BACKGROUND, variant=VARIANT)
def test_meme_valid_files_read_back(motifs, bg, variant):
    p = _tmp("m.meme", meme_text(motifs, bg, variant).encode())
    got, got_bg = read_meme(p)
    assert [m.id for m in got] == [i for i, _ in motifs]
    for m, (_, ref) in zip(got, motifs):
        np.testing.assert_allclose(m.pwm, ref, atol=1e-6)
    np.testing.assert_allclose(got_bg, bg, atol=1e-6)


@SETTINGS
@given(motifs=meme_motifs(), bg=BACKGROUND, variant=VARIANT, data=st.data())
def test_meme_corruptions_are_input_errors(motifs, bg, variant, data):
    k = data.draw(st.integers(0, len(motifs) - 1), label="motif")
    mid, p = motifs[k]
    kind = data.draw(st.sampled_from(["w_small", "w_large", "row_len", "token", "dup", "sum", "alength",
                                      "truncate", "nan", "negative"]))
    if kind in ("w_small", "w_large"):
        assume(kind == "w_large" or p.shape[0] > 1)
        widths = [m.shape[0] for _, m in motifs]
        widths[k] += 1 if kind == "w_large" else -1
        text = meme_text(motifs, bg, variant, widths)
        where = [f"motif {mid}"]
    else:
        text = meme_text(motifs, bg, variant)
        lines = text.splitlines()
        head = next(i for i, l in enumerate(lines) if l == f"MOTIF {mid}" or l.startswith(f"MOTIF {mid} "))
        mat = next(i for i in range(head, len(lines)) if lines[i].startswith("letter-probability"))
        row = mat + 1 + data.draw(st.integers(0, p.shape[0] - 1), label="row")
        where = []
        if kind == "row_len":
            lines[row] += " 0.0"
            where = [f"line {row + 1}"]
        elif kind == "token":
            lines[row] = lines[row].replace(" ", " x", 1)
            where = [f"line {row + 1}"]
        elif kind == "dup":
            assume(len(motifs) > 1)
            other = motifs[(k + 1) % len(motifs)][0]
            lines[head] = f"MOTIF {other}"
            where = [f"duplicate motif id {other!r}"]
        elif kind == "sum":
            lines[row] = " ".join(["0.600000"] * 4)
            where = [f"motif {mid}"]
        elif kind == "alength":
            lines[mat] = lines[mat].replace("alength= 4", "alength= 20")
            where = [f"line {mat + 1}"]
        elif kind == "truncate":                           # the file ends inside the matrix
            lines = lines[:row]
            where = [f"motif {mid}", "end of file"]
        elif kind in ("nan", "negative"):
            vals = lines[row].split()
            vals[data.draw(st.integers(0, 3), label="column")] = "nan" if kind == "nan" else "-0.5"
            lines[row] = " ".join(vals)
            where = [f"motif {mid}"]
        text = "\n".join(lines) + "\n"
    p = _tmp("bad.meme", text.encode())
    _raises_input_error(lambda: read_meme(p), p, *where)


# --- FASTA ----------------------------------------------------------------------------------------

RECORDS = st.lists(st.tuples(NAME, st.text("ACGTNacgtn", min_size=1, max_size=60)),
                   min_size=1, max_size=6, unique_by=lambda r: r[0])


def fasta_bytes(records, width: int, crlf: bool, comments: bool) -> bytes:
    nl = "\r\n" if crlf else "\n"
    out = []
    for rid, seq in records:
        out.append(f">{rid} a description")
        if comments:
            out.append("; a comment line")
        out += [seq[i:i + width] for i in range(0, len(seq), width)]
    return (nl.join(out) + nl).encode()


@SETTINGS
@given(records=RECORDS, width=st.integers(1, 70), crlf=st.booleans(), comments=st.booleans(),
       gz=st.booleans())
def test_fasta_valid_files_read_back(records, width, crlf, comments, gz):
    p = _tmp("x.fa", fasta_bytes(records, width, crlf, comments), gz)
    got = [(rid, encode_record(p, rid, raw)) for rid, raw, _ in iter_fasta(p)]
    assert [r for r, _ in got] == [r for r, _ in records]
    for (_, codes), (_, seq) in zip(got, records):
        np.testing.assert_array_equal(codes, encode(seq.upper()))


@SETTINGS
@given(records=RECORDS, width=st.integers(1, 70), data=st.data())
def test_fasta_corruptions_are_input_errors(records, width, data):
    kind = data.draw(st.sampled_from(["letter", "no_header", "empty_id", "truncated_gz"]))
    if kind == "letter":
        k = data.draw(st.integers(0, len(records) - 1), label="record")
        rid, seq = records[k]
        pos = data.draw(st.integers(0, len(seq)), label="pos")
        bad = data.draw(st.sampled_from(list("XZ*-1.u")), label="letter")
        records = list(records)
        records[k] = (rid, seq[:pos] + bad + seq[pos:])
        p = _tmp("x.fa", fasta_bytes(records, width, False, False))
        _raises_input_error(lambda: [encode_record(p, r, raw) for r, raw, _ in iter_fasta(p)], p,
                            f"record '{rid}'", repr(bad))
        return
    text = fasta_bytes(records, width, False, False)
    if kind == "no_header":
        p = _tmp("x.fa", b"ACGT\n" + text)
        _raises_input_error(lambda: list(iter_fasta(p)), p, "line 1")
    elif kind == "empty_id":
        lines = text.split(b"\n")
        heads = [i for i, l in enumerate(lines) if l.startswith(b">")]
        i = data.draw(st.sampled_from(heads), label="header")
        lines[i] = b">"
        p = _tmp("x.fa", b"\n".join(lines))
        _raises_input_error(lambda: list(iter_fasta(p)), p, f"line {i + 1}")
    else:
        full = gzip.compress(text * 20)
        cut = data.draw(st.integers(10, len(full) - 9), label="cut")
        p = _tmp("x.fa.gz", full[:cut])
        _raises_input_error(lambda: list(iter_fasta(p)), p, "cannot read")


# --- labels ---------------------------------------------------------------------------------------

@st.composite
def label_tables(draw):
    names = draw(st.lists(NAME.filter(lambda n: n not in ("0", "1")), min_size=1, max_size=4, unique=True))
    ids = draw(st.lists(NAME, min_size=1, max_size=8, unique=True))
    y = np.array(draw(st.lists(st.lists(st.integers(0, 1), min_size=len(names), max_size=len(names)),
                               min_size=len(ids), max_size=len(ids))), dtype=np.uint8)
    return names, ids, y


def labels_bytes(names, ids, y, crlf: bool, hash_header: bool) -> bytes:
    nl = "\r\n" if crlf else "\n"
    rows = [("#" if hash_header else "") + "\t".join(["id"] + names)]
    rows += ["\t".join([i] + [str(v) for v in row]) for i, row in zip(ids, y)]
    return (nl.join(rows) + nl).encode()


@SETTINGS
@given(table=label_tables(), crlf=st.booleans(), hash_header=st.booleans(), gz=st.booleans())
def test_labels_valid_files_read_back(table, crlf, hash_header, gz):
    names, ids, y = table
    p = _tmp("labels.tsv", labels_bytes(names, ids, y, crlf, hash_header), gz)
    got_names, got_ids, got_y = read_labels(p)
    assert got_names == names and got_ids == ids
    np.testing.assert_array_equal(got_y, y)


@SETTINGS
@given(table=label_tables(), data=st.data())
def test_labels_corruptions_are_input_errors(table, data):
    names, ids, y = table
    kind = data.draw(st.sampled_from(["value", "word", "missing", "extra", "dup_id", "dup_name"]))
    rows = labels_bytes(names, ids, y, False, False).decode().splitlines()
    r = 1 + data.draw(st.integers(0, len(ids) - 1), label="row")
    c = 1 + data.draw(st.integers(0, len(names) - 1), label="column")
    where = []
    fields = rows[r].split("\t")
    if kind == "value":
        fields[c] = data.draw(st.sampled_from(["2", "7", "255"]))
        where = [f"record '{ids[r - 1]}'"]
    elif kind == "word":
        fields[c] = data.draw(st.sampled_from(["yes", "x", "0.5", "-1"]))
    elif kind == "missing":
        del fields[c]
    elif kind == "extra":
        fields.append("1")
    elif kind == "dup_id":
        assume(len(ids) > 1)
        fields[0] = ids[r % len(ids)]
        where = ["more than one label row"]
    elif kind == "dup_name":
        assume(len(names) > 1)
        head = rows[0].split("\t")
        head[c] = names[c % len(names)]
        rows[0] = "\t".join(head)
        where = ["unique"]
    rows[r] = "\t".join(fields)
    p = _tmp("labels.tsv", ("\n".join(rows) + "\n").encode())
    _raises_input_error(lambda: read_labels(p), p, *where)


# --- BED ------------------------------------------------------------------------------------------

@st.composite
def bed_tables(draw):
    n_targets = draw(st.integers(1, 4))
    regions = draw(st.lists(st.tuples(st.sampled_from(["chr1", "chr2", "chrX", "scaffold_7"]),
                                      st.integers(0, 10**9), st.integers(1, 10**4),
                                      st.lists(st.integers(0, 1), min_size=n_targets, max_size=n_targets)),
                            min_size=1, max_size=8))
    names = draw(st.one_of(st.none(), st.lists(NAME, min_size=n_targets, max_size=n_targets, unique=True)))
    return names, [(c, s, s + w, lab) for c, s, w, lab in regions]


def bed_bytes(names, regions, crlf: bool, extras: bool, spaces: bool) -> bytes:
    nl = "\r\n" if crlf else "\n"
    sep = " " if spaces else "\t"
    out = []
    if extras:
        out += ["track name=x", "browser position chr1:1-10", ""]
    if names is not None:
        out.append("#" + "\t".join(["chrom", "start", "end"] + names))
    if extras:
        out.append("# a comment")
    out += [sep.join([c, str(s), str(e)] + [str(v) for v in lab]) for c, s, e, lab in regions]
    return (nl.join(out) + nl).encode()


@SETTINGS
@given(table=bed_tables(), crlf=st.booleans(), extras=st.booleans(), spaces=st.booleans(),
       gz=st.booleans())
def test_bed_valid_files_read_back(table, crlf, extras, spaces, gz):
    names, regions = table
    p = _tmp("r.bed", bed_bytes(names, regions, crlf, extras, spaces), gz)
    got = read_bed(p)
    n_t = len(regions[0][3])
    assert got.target_names == (names or [f"target_{k:04d}" for k in range(n_t)])
    assert got.chroms == [r[0] for r in regions]
    np.testing.assert_array_equal(got.starts, [r[1] for r in regions])
    np.testing.assert_array_equal(got.ends, [r[2] for r in regions])
    np.testing.assert_array_equal(got.labels, np.array([r[3] for r in regions], dtype=np.uint8))


@SETTINGS
@given(table=bed_tables(), data=st.data())
def test_bed_corruptions_are_input_errors(table, data):
    names, regions = table
    lines = bed_bytes(names, regions, False, False, False).decode().splitlines()
    first = 1 if names is not None else 0
    i = first + data.draw(st.integers(0, len(regions) - 1), label="region")
    fields = lines[i].split("\t")
    kind = data.draw(st.sampled_from(["empty", "negative", "word", "label", "few", "count"]))
    if kind == "empty":
        fields[2] = fields[1]
    elif kind == "negative":
        fields[1] = "-5"
    elif kind == "word":
        fields[data.draw(st.sampled_from([1, 2]))] = "12kb"
    elif kind == "label":
        fields[3] = data.draw(st.sampled_from(["2", "+", "0.5", "name"]))
    elif kind == "few":
        fields = fields[:3]
    else:
        # without a header the first region sets the number of labels: only a later one can differ
        assume(names is not None or i > first)
        fields.append("1")
    lines[i] = "\t".join(fields)
    p = _tmp("r.bed", ("\n".join(lines) + "\n").encode())
    _raises_input_error(lambda: read_bed(p), p, f"line {i + 1}")


# --- kernel text ----------------------------------------------------------------------------------

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e6, max_value=1e6)
KERNEL = st.lists(st.lists(FINITE, min_size=4, max_size=4), min_size=1, max_size=12)


@SETTINGS
@given(rows=KERNEL, sep=st.sampled_from([None, ",", ";"]), fmt=st.sampled_from(["{!r}", "{:.17g}", "{:.17e}"]),
       blank=st.booleans(), crlf=st.booleans())
def test_kernel_text_reads_back_exactly(rows, sep, fmt, blank, crlf):
    joiner = sep or "\t "
    nl = "\r\n" if crlf else "\n"
    lines = [joiner.join(fmt.format(x) for x in r) for r in rows]
    if blank:
        lines = [""] + [l for r in lines for l in (r, "")]
    W = parse_kernel_text(nl.join(lines) + nl, "k.txt", sep)
    np.testing.assert_array_equal(W, np.array(rows))          # bit for bit


@SETTINGS
@given(rows=KERNEL, data=st.data())
def test_kernel_text_corruptions_are_input_errors(rows, data):
    lines = [" ".join(repr(x) for x in r) for r in rows]
    i = data.draw(st.integers(0, len(lines) - 1), label="row")
    kind = data.draw(st.sampled_from(["short", "long", "word", "nan", "inf"]))
    toks = lines[i].split()
    if kind == "short":
        toks = toks[:3]
    elif kind == "long":
        toks.append("1.0")
    elif kind == "word":
        toks[0] = "A:"
    else:
        toks[data.draw(st.integers(0, 3))] = kind
    lines[i] = " ".join(toks)
    where = [f"row {i + 1}"] if kind in ("nan", "inf") else [f"line {i + 1}"]
    _raises_input_error(lambda: parse_kernel_text("\n".join(lines), "k.txt"), Path("k.txt"), *where)


# --- HDF5 inputs ----------------------------------------------------------------------------------

@st.composite
def kernel_sets(draw):
    K, L = draw(st.integers(1, 5)), draw(st.integers(1, 8))
    Ls = draw(st.integers(L, L + 12))
    n = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((K, L, 4)).astype(np.float32)
    codes = rng.integers(0, 5, (n, Ls)).astype(np.uint8)
    return W, codes


@SETTINGS
@given(ks=kernel_sets(), name=NAME.filter(lambda s: s not in ("kernels", "sequences")))
def test_hdf5_tensors_read_back(ks, name):
    W, codes = ks
    d = Path(tempfile.mkdtemp(prefix="prop-"))
    write_kernels_file(d / "kernels.h5", W, np.zeros(W.shape[0]), codes)
    kf = read_kernels_file(d / "kernels.h5")
    np.testing.assert_array_equal(kf.W, W)
    np.testing.assert_array_equal(kf.codes, codes)
    with h5py.File(d / "k2p.h5", "w") as f:                  # a k2p-style file: one tensor, any name
        f[name] = W
    got, used, _ = read_tensor(d / "k2p.h5", None, "kernel tensor")
    assert used == name
    np.testing.assert_array_equal(check_kernel_tensor(got, "x"), W)


@SETTINGS
@given(ks=kernel_sets(), data=st.data())
def test_hdf5_corruptions_are_input_errors(ks, data):
    W, codes = ks
    d = Path(tempfile.mkdtemp(prefix="prop-"))
    p = d / "kernels.h5"
    write_kernels_file(p, W, np.zeros(W.shape[0]), codes)
    kind = data.draw(st.sampled_from(["nan", "channels", "soft", "two_ones", "short_seq", "truncated",
                                      "orientation", "biases"]))
    where = []
    if kind == "truncated":
        raw = p.read_bytes()
        p.write_bytes(raw[:data.draw(st.integers(0, len(raw) - 1), label="cut")])
    else:
        with h5py.File(p, "r+") as f:
            if kind == "nan":
                k = data.draw(st.integers(0, W.shape[0] - 1), label="kernel")
                Wb = W.copy()
                Wb[k, 0, 0] = np.nan
                del f["kernels"]
                f["kernels"] = Wb
                where = [f"kernel {k}"]
            elif kind == "channels":
                del f["kernels"]
                f["kernels"] = np.zeros(W.shape[:2] + (5,), np.float32)
                where = ["5 channels"]
            elif kind in ("soft", "two_ones"):
                X = f["sequences"][()].astype(np.float32)
                X[0, 0] = [0, 0.5, 0.5, 0] if kind == "soft" else [1, 1, 0, 0]
                del f["sequences"]
                f["sequences"] = X
                where = ["not one-hot", "sequence 0, position 0"]
            elif kind == "short_seq":
                assume(W.shape[1] > 1)
                X = f["sequences"][()][:, :W.shape[1] - 1]
                del f["sequences"]
                f["sequences"] = X
                where = ["shorter than the kernels"]
            elif kind == "orientation":
                f.attrs["orientation"] = "convolution"
                where = ["orientation"]
            else:
                del f["biases"]
                f["biases"] = np.zeros(W.shape[0] + 1, np.float32)
                where = ["biases"]
    _raises_input_error(lambda: read_kernels_file(p), p, *where)


def test_check_sequence_tensor_round_trip_on_all_codes():
    codes = np.array([[0, 1, 2, 3, 4]], dtype=np.uint8)
    X = np.zeros((1, 5, 4), np.uint8)
    X[0, np.arange(4), np.arange(4)] = 1
    np.testing.assert_array_equal(check_sequence_tensor(X, 2, "x"), codes)
