"""MEME output: files MEME's own parser (pymemesuite) and memelite read back, exact matrices,
clear errors on malformed input, kernel motif ids, trimming, reverse complements."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danqmotifs.core.errors import InputError
from danqmotifs.core.motif import Motif
from danqmotifs.core.pwm import column_information
from danqmotifs.formats.meme import (format_meme, kernel_ids, kernel_motifs, parse_matrix_rows,
                             read_meme, reverse_complement_motifs, trim_motif, trim_span, write_meme)
from danqmotifs.formats.method_file import read_kernel_pwms

BG = np.array([0.29, 0.21, 0.21, 0.29])


def _stack(K=6, L=26, seed=0, sharp=0.3):
    rng = np.random.default_rng(seed)
    pwms = rng.dirichlet(np.full(4, sharp), size=(K, L))
    pwms[0, 3] = [1.0, 0.0, 0.0, 0.0]        # an exact zero / one row
    pwms[1, 4] = [1e-9, 1 - 3e-9, 1e-9, 1e-9]  # entries that round to zero
    return pwms


def _pymeme_read(path):
    from pymemesuite.common import MotifFile

    out = []
    with MotifFile(str(path), pseudocount=0.0) as mf:
        while (m := mf.read()) is not None:
            out.append((m.accession.decode(), m.name.decode(), np.array(m.frequencies)))
    return out


def test_roundtrip_through_meme_parser_memelite_and_ours(tmp_path):
    from memelite.io import read_meme as memelite_read

    pwms = _stack()
    nsites = np.array([10, 0, 3, 400, 5, 6])
    motifs = kernel_motifs(pwms, nsites, "exact")
    path = tmp_path / "exact.meme"
    write_meme(path, motifs, BG)

    theirs = _pymeme_read(path)
    assert [t[0] for t in theirs] == kernel_ids(6)
    assert all(t[1] == "exact" for t in theirs)
    for (_, _, freq), m in zip(theirs, motifs):
        np.testing.assert_allclose(freq, m.pwm, atol=1e-6, rtol=0)

    lite = memelite_read(str(path))
    assert list(lite) == [f"{i} exact" for i in kernel_ids(6)]
    for m, arr in zip(motifs, lite.values()):
        np.testing.assert_allclose(arr.T, m.pwm, atol=1e-6, rtol=0)

    ours, bg = read_meme(path)
    np.testing.assert_allclose(bg, BG, atol=1e-6)
    for a, b in zip(ours, motifs):
        assert (a.id, a.name, a.nsites) == (b.id, b.name, b.nsites)
        np.testing.assert_allclose(a.pwm, b.pwm, atol=1e-6, rtol=0)


def test_printed_rows_sum_to_one_exactly(tmp_path):
    text = format_meme(kernel_motifs(_stack(seed=3), np.ones(6, int), "heuristic"), BG)
    lines = text.splitlines()
    rows = [l for l in lines if l and l[0].isdigit()]
    assert len(rows) == 6 * 26
    for r in rows:
        assert sum(Decimal(v) for v in r.split()) == Decimal("1.000000")
    bgline = lines[lines.index("Background letter frequencies") + 1].split()
    assert sum(Decimal(v) for v in bgline[1::2]) == 1
    assert "letter-probability matrix: alength= 4 w= 26 nsites= 1 E= 0" in text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=4, max_size=4).filter(lambda r: sum(r) > 1e-3),
       st.integers(2, 8))
def test_rounding_keeps_sum_and_moves_each_value_under_one_unit(row, digits):
    from danqmotifs.formats.meme import _round_to_one

    units = _round_to_one(np.array(row), digits)
    assert units.sum() == 10 ** digits
    assert (units >= 0).all()
    p = np.array(row) / sum(row)
    assert np.all(np.abs(units / 10 ** digits - p) < 10.0 ** -digits + 1e-12)


def test_kernel_ids_and_dead_kernels_keep_their_ids():
    assert kernel_ids(3) == ["kernel_000", "kernel_001", "kernel_002"]
    assert kernel_ids(1024)[-1] == "kernel_1023" and kernel_ids(1024)[0] == "kernel_0000"
    keep = np.array([True, False, True, True, False, True])
    ms = kernel_motifs(_stack(), np.arange(6), "heuristic", keep=keep)
    assert [m.id for m in ms] == ["kernel_000", "kernel_002", "kernel_003", "kernel_005"]
    assert [m.nsites for m in ms] == [0, 2, 3, 5]


def _write(tmp_path, text, name="bad.meme"):
    p = tmp_path / name
    p.write_text(text)
    return p


GOOD = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\n"
        "A 0.3 C 0.2 G 0.2 T 0.3\n\n"
        "MOTIF m1 one\nletter-probability matrix: alength= 4 w= 2 nsites= 5 E= 0\n"
        "0.1 0.2 0.3 0.4\n1 0 0 0\n\n"
        "MOTIF m2\nletter-probability matrix: alength= 4 w= 1 nsites= 5 E= 1e-3\n0.25 0.25 0.25 0.25\n")


@pytest.mark.parametrize("text, words", [
    (GOOD.replace("MEME version 4\n", ""), "MEME version"),
    (GOOD.replace("1 0 0 0", "0.5 0 0 0"), "sums to 0.500"),
    (GOOD.replace("MOTIF m2", "MOTIF m1"), "duplicate motif id 'm1'"),
    (GOOD.replace("1 0 0 0", "1 zero 0 0"), "non-numeric matrix row"),
    (GOOD.replace("1 0 0 0", "1 0 0"), "3 values in a matrix row"),
    (GOOD.replace("w= 2", "w= 3"), "expected 3 matrix rows, found 2"),
    (GOOD.replace("ALPHABET= ACGT", "ALPHABET= ACDEFGHIKLMNPQRSTVWY"), "not DNA"),
    (GOOD.replace("0.1 0.2 0.3 0.4", "-0.1 0.4 0.3 0.4"), "outside [0, 1]"),
    (GOOD.replace("letter-probability matrix: alength= 4 w= 1 nsites= 5 E= 1e-3\n", ""),
     "no 'letter-probability matrix' line"),
    (GOOD.replace("A 0.3 C 0.2", "A x C 0.2"), "background frequencies"),
])
def test_malformed_meme_gives_one_clear_error(tmp_path, text, words):
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as ei:
        read_meme(p)
    msg = str(ei.value)
    assert str(p) in msg and words in msg and "Fix:" in msg


def test_matrix_row_parser_shared_by_both_readers():
    lines = ["MOTIF a", "letter-probability matrix: w= 3", "", "0.1 0.2 0.3 0.4", "", "1 0 0 0", "0 1 0 0",
             "0 0 1 0", "MOTIF b"]
    rows, stop = parse_matrix_rows(lines, 2, 4, "f.meme")            # w= given: blank lines skipped
    assert rows == [[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] and lines[stop] == "MOTIF b"
    # rows beyond w= (or after the blank line that ends a matrix without w=) are an error, not dropped
    with pytest.raises(InputError, match="motif a: w= 3 but more matrix rows follow .line 8"):
        parse_matrix_rows(lines, 2, 3, "f.meme", motif="a")
    with pytest.raises(InputError, match="a blank line .line 5. after 1 matrix rows, but more rows follow .line 6"):
        parse_matrix_rows(lines, 2, 0, "f.meme")
    rows, stop = parse_matrix_rows(lines[:5], 2, 0, "f.meme")        # no w=: a blank line after rows ends it
    assert rows == [[0.1, 0.2, 0.3, 0.4]] and stop == 4
    rows, _ = parse_matrix_rows(["junk", "1 0 0 0", "note", "0 0 0 1", "URL x"], 0, 0, "x", skip_text=True)
    assert rows == [[1, 0, 0, 0], [0, 0, 0, 1]]
    with pytest.raises(InputError, match="f.meme: line 2: non-numeric matrix row 'junk'"):
        parse_matrix_rows(["1 0 0 0", "junk"], 0, 2, "f.meme")
    with pytest.raises(InputError, match="line 1: 3 values in a matrix row"):
        parse_matrix_rows(["1 0 0"], 0, 0, "f.meme")


def test_good_file_and_missing_file(tmp_path):
    ms, bg = read_meme(_write(tmp_path, GOOD, "good.meme"))
    assert [m.id for m in ms] == ["m1", "m2"] and ms[0].name == "one" and ms[1].evalue == 1e-3
    np.testing.assert_allclose(bg, [0.3, 0.2, 0.2, 0.3])
    with pytest.raises(InputError, match="does not exist"):
        read_meme(tmp_path / "nope.meme")


def test_writer_rejects_bad_motifs(tmp_path):
    pwm = np.full((3, 4), 0.25)
    for bad in ([Motif("a b", pwm)], [Motif("a=1", pwm)], [Motif("a", pwm), Motif("a", pwm)],
                [Motif("a", np.zeros((3, 4)))], [Motif("a", np.full((3, 4), np.nan))]):
        with pytest.raises(ValueError):
            format_meme(bad)
    assert not list(tmp_path.iterdir())


def test_information_content_and_trimming():
    flat, sharp = [0.25] * 4, [0.97, 0.01, 0.01, 0.01]
    pwm = np.array([flat, flat, sharp, flat, sharp, sharp, flat, flat])
    ic = column_information(pwm)
    np.testing.assert_allclose(ic[[0, 1, 3, 6, 7]], 0, atol=1e-12)
    assert ic[2] == pytest.approx(2 + 0.97 * np.log2(0.97) + 3 * 0.01 * np.log2(0.01))
    assert trim_span(ic, 0.3, 2) == (2, 6)
    assert trim_span(ic, 0.3, 6) == (1, 7)          # grows evenly on ties
    assert trim_span(np.zeros(5), 0.3, 3) == (0, 3)  # nothing informative: the minimum width
    assert trim_span(np.array([0, 0, 0.1, 1, 0.2, 0]), 0.5, 3) == (2, 5)  # towards information
    assert trim_span(ic, 0.3, 20) == (0, 8)
    m = trim_motif(Motif("k", pwm, "exact", 7), 0.3, 2)
    assert m.width == 4 and m.extra["trim"] == (2, 6) and m.nsites == 7
    np.testing.assert_array_equal(m.pwm, pwm[2:6])
    # the background matters: a column equal to the background carries no information
    bg = np.array([0.4, 0.1, 0.1, 0.4])
    assert column_information(bg[None, :], bg)[0] == pytest.approx(0)


def test_trimmed_and_reverse_complement_files_read_back_everywhere(tmp_path):
    from memelite.io import read_meme as memelite_read

    ms = kernel_motifs(_stack(K=3, L=12, sharp=0.8), [1, 2, 3], "exact")
    rc = reverse_complement_motifs(ms)
    trimmed = [trim_motif(m, 0.8, 4, BG) for m in ms]
    assert any(t.width < 12 for t in trimmed)
    for name, group in (("rc", ms + rc), ("trimmed", trimmed)):
        path = tmp_path / f"{name}.meme"
        write_meme(path, group, BG)
        ours, _ = read_meme(path)
        theirs = _pymeme_read(path)
        lite = list(memelite_read(str(path)).values())
        assert [m.id for m in ours] == [t[0] for t in theirs] == [m.id for m in group]
        for m, o, t, l in zip(group, ours, theirs, lite):
            for got in (o.pwm, t[2], l.T):
                np.testing.assert_allclose(got, m.pwm, atol=1e-6, rtol=0)
    assert [m.id for m in rc] == ["kernel_000_rc", "kernel_001_rc", "kernel_002_rc"]
    np.testing.assert_array_equal(rc[2].pwm, ms[2].pwm[::-1, ::-1])


def _h5(path, **data):
    with h5py.File(path, "w") as f:
        for k, v in data.items():
            f[k] = v
    return path


def test_read_kernel_pwms_contract(tmp_path):
    pwms = _stack(K=4, L=7)
    ex = read_kernel_pwms(_h5(tmp_path / "pwms.h5", PWM_tensor=pwms, ln_b=np.ones(4), nsites=np.arange(4)))
    assert ex["keep"].all() and ex["nsites"].tolist() == [0, 1, 2, 3]
    heur = pwms.copy()
    heur[1] = 0.0  # dead kernel: no counts, rows are not probabilities
    h = read_kernel_pwms(_h5(tmp_path / "h.h5", PWM_tensor=heur, counts=heur * 5, nsites=[5, 0, 5, 0],
                             dead=[False, True, False, False]), dead_key="dead")
    assert h["keep"].tolist() == [True, False, True, False]
    with pytest.raises(InputError, match="no 'dead' dataset"):
        read_kernel_pwms(tmp_path / "pwms.h5", dead_key="dead")
    with pytest.raises(InputError, match="not \\(K, L, 4\\)"):
        read_kernel_pwms(_h5(tmp_path / "b.h5", PWM_tensor=pwms[:, :, :3], nsites=np.ones(4)))
    with pytest.raises(InputError, match="not probabilities"):
        read_kernel_pwms(_h5(tmp_path / "c.h5", PWM_tensor=pwms * 2, nsites=np.ones(4)))
    with pytest.raises(InputError, match="one entry per kernel"):
        read_kernel_pwms(_h5(tmp_path / "d.h5", PWM_tensor=pwms, nsites=np.ones(3)))
    (tmp_path / "e.h5").write_text("not hdf5")
    with pytest.raises(InputError, match="not a readable HDF5"):
        read_kernel_pwms(tmp_path / "e.h5")


def test_same_input_same_bytes(tmp_path):
    ms = kernel_motifs(_stack(), np.arange(6), "exact")
    write_meme(tmp_path / "a.meme", ms, BG)
    write_meme(tmp_path / "b.meme", ms, BG)
    assert Path(tmp_path / "a.meme").read_bytes() == Path(tmp_path / "b.meme").read_bytes()
