"""Our Tomtom engine (danqmotifs.tomtom) against MEME's tomtom 5.5.8 and memelite, and its rules."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from danqmotifs.core.errors import InputError
from danqmotifs.formats.meme import read_meme
from danqmotifs.tomtom import TomtomInputError, consensus, tomtom, tomtom_table
from danqmotifs.tomtom.format import COLUMNS

DATA = Path(__file__).resolve().parent / "data" / "tomtom"


@pytest.fixture(scope="module")
def jaspar():
    motifs, _ = read_meme(DATA / "jaspar2016_core_vertebrates.meme")
    return motifs


def _ours_vs_meme(which: str, jaspar):
    queries, bg = read_meme(DATA / f"queries_{which}.meme")
    res = tomtom(queries, jaspar, background=bg)
    ours = tomtom_table(res, [m.id for m in queries], [m.id for m in jaspar], thresh=10,
                        evalue=True)
    ref = pd.read_csv(DATA / f"tomtom_pearson_{which}.tsv", sep="\t", comment="#")
    return ours, ref, res


@pytest.mark.parametrize("which", ["exact", "heuristic"])
def test_matches_meme_tomtom_pearson(which, jaspar):
    ours, ref, res = _ours_vs_meme(which, jaspar)
    assert list(ours.columns) == COLUMNS
    key = ["Query_ID", "Target_ID"]
    pairs_ref = set(map(tuple, ref[key].values))
    pairs_our = set(map(tuple, ours[key].values))
    assert len(pairs_ref & pairs_our) / len(pairs_ref | pairs_our) >= 0.95
    # queries matched at E < 0.01 and their best target
    m_ref = ref[ref["E-value"] < 0.01].groupby("Query_ID").first()["Target_ID"]
    m_our = ours[ours["E-value"] < 0.01].groupby("Query_ID").first()["Target_ID"]
    assert set(m_ref.index) == set(m_our.index)
    assert (m_ref == m_our[m_ref.index]).all()
    both = ref.merge(ours, on=key, suffixes=("_ref", "_our"))
    for col in ("Optimal_offset", "Overlap", "Orientation", "Query_consensus", "Target_consensus"):
        assert (both[f"{col}_ref"] == both[f"{col}_our"]).mean() >= 0.99, col
    np.testing.assert_allclose(both["p-value_our"], both["p-value_ref"], rtol=1e-4)
    np.testing.assert_allclose(both["E-value_our"], both["E-value_ref"], rtol=1e-4)
    # q-values: MEME's bootstrap estimate of pi0 is random; the rest is exact
    np.testing.assert_allclose(both["q-value_our"], both["q-value_ref"], rtol=0.02)
    assert np.all((res.pi0 > 0.5) & (res.pi0 <= 1.0))


def test_identical_motif_is_best_at_offset_zero(jaspar):
    idx = [10, 200, 400]
    res = tomtom([jaspar[i] for i in idx], jaspar)
    rows = np.arange(len(idx))
    best = np.argmin(res.p_values, axis=1)
    assert list(best) == idx
    assert np.all(res.offsets[rows, best] == 0)
    assert np.all(res.orientations[rows, best] == 0)
    assert np.all(res.overlaps[rows, best] == [jaspar[i].width for i in idx])
    assert np.all(res.e_values[rows, best] < 1e-3)
    np.testing.assert_allclose(res.e_values, res.p_values * len(jaspar))


def test_reverse_complement_matches_on_minus_strand(jaspar):
    i = 123
    rc = jaspar[i].pwm[::-1, ::-1]
    res = tomtom([rc], jaspar)
    j = int(np.argmin(res.p_values[0]))
    assert j == i
    assert res.strands[0, j] == "-" and res.offsets[0, j] == 0
    assert res.strand_p_values[0, j, 1] < res.strand_p_values[0, j, 0]


def test_offset_follows_tomtom_definition(jaspar):
    """Query column k faces target column k + offset: 3 extra leading query columns give -3."""
    rng = np.random.default_rng(0)
    i = 77
    q = np.vstack([rng.dirichlet(np.ones(4), size=3), jaspar[i].pwm])
    res = tomtom([q], jaspar)
    assert int(np.argmin(res.p_values[0])) == i
    assert res.offsets[0, i] == -3 and res.overlaps[0, i] == jaspar[i].width


@pytest.mark.parametrize("min_overlap", [1, 5, 9])
def test_min_overlap_is_respected(min_overlap, jaspar):
    queries, _ = read_meme(DATA / "queries_exact.meme")
    res = tomtom(queries, jaspar, min_overlap=min_overlap)
    qw = np.array([m.width for m in queries])[:, None]
    tw = np.array([m.width for m in jaspar])[None, :]
    need = np.minimum(min_overlap, np.minimum(qw, tw))
    assert np.all(res.overlaps >= need)
    assert np.all(res.overlaps <= np.minimum(qw, tw))
    # the overlap implied by the offset is the one reported
    ov = np.minimum(qw, tw - res.offsets) - np.maximum(0, -res.offsets)
    assert np.array_equal(ov, res.overlaps)


def test_qvalues_monotone_and_table_order(jaspar):
    queries, bg = read_meme(DATA / "queries_heuristic.meme")
    res = tomtom(queries, jaspar, background=bg)
    for i in range(len(queries)):
        o = np.argsort(res.p_values[i], kind="stable")
        assert np.all(np.diff(res.q_values[i][o]) >= 0)
        assert np.all(res.q_values[i] >= res.p_values[i] * 0.0)
    table = tomtom_table(res, [m.id for m in queries], [m.id for m in jaspar], thresh=0.5)
    assert (table["q-value"] <= 0.5).all()
    for _, g in table.groupby("Query_ID"):
        assert g["p-value"].is_monotonic_increasing
    ids = {m.id: j for j, m in enumerate(jaspar)}
    for r in table.itertuples():
        plus, minus = res.target_consensus[ids[r.Target_ID]]
        assert r.Target_consensus == (plus if r.Orientation == "+" else minus)
    # the '-' consensus is the reverse complement of the '+' one (up to ties in a column)
    comp = str.maketrans("ACGT", "TGCA")
    same = [m == p.translate(comp)[::-1] for p, m in res.target_consensus]
    assert np.mean(same) > 0.95
    assert consensus(np.array([[0.1, 0.6, 0.2, 0.1], [0.25, 0.25, 0.4, 0.1]])) == "CG"
    # consensus columns from matrices given explicitly (here: without the pseudocount)
    given = tomtom_table(res, [m.id for m in queries], [m.id for m in jaspar], queries, jaspar,
                         thresh=0.5)
    assert list(given["Query_consensus"]) == [consensus(queries[[m.id for m in queries].index(q)])
                                              for q in given["Query_ID"]]


def test_one_thread_gives_the_same_result(jaspar):
    queries, _ = read_meme(DATA / "queries_exact.meme")
    a = tomtom(queries[:2], jaspar, n_jobs=1)
    b = tomtom(queries[:2], jaspar)
    for f in ("p_values", "q_values", "offsets", "overlaps", "orientations"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f


def test_incomplete_scores_and_single_strand(jaspar):
    i = 42
    res = tomtom([jaspar[i]], jaspar, complete_scores=False, both_strands=False)
    assert int(np.argmin(res.p_values[0])) == i
    assert res.offsets[0, i] == 0 and np.all(res.orientations == 0)
    assert np.all((res.p_values >= 0) & (res.p_values <= 1))


def test_euclidean_close_to_memelite(jaspar):
    from memelite import tomtom as memelite_tomtom

    queries, _ = read_meme(DATA / "queries_exact.meme")
    res = tomtom(queries, jaspar, distance="euclidean", pseudocount=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, _s, off, _ov, _strand = memelite_tomtom([m.pwm.T.copy() for m in queries],
                                                [m.pwm.T.copy() for m in jaspar])
    best_ours, best_ml = np.argmin(res.p_values, axis=1), np.argmin(p, axis=1)
    assert np.array_equal(best_ours, best_ml)
    rows = np.arange(len(queries))
    assert np.array_equal(res.offsets[rows, best_ours], off[rows, best_ml].astype(int))
    for i in rows:
        r = np.corrcoef(np.log(res.p_values[i]), np.log(np.clip(p[i], 1e-300, 1)))[0, 1]
        assert r > 0.95


@pytest.mark.parametrize("bad, words", [
    (np.full((6, 4), 0.3), "sums to"),
    (np.full((4, 6), 0.25), "not (L, 4)"),
    (np.full((6, 4), np.nan), "NaN"),
    (np.array([[1.2, -0.2, 0.0, 0.0]] * 6), "outside [0, 1]"),
    (np.zeros((0, 4)), "not (L, 4)"),
])
def test_bad_matrices_are_refused(bad, words, jaspar):
    with pytest.raises(ValueError, match=None) as exc:
        tomtom([bad], jaspar[:60])
    assert words in str(exc.value) and "queries[0]" in str(exc.value)
    assert isinstance(exc.value, TomtomInputError) and isinstance(exc.value, InputError)


def test_bad_options_are_refused(jaspar):
    q = [jaspar[0]]
    with pytest.raises(ValueError, match="pearson"):
        tomtom(q, jaspar[:60], distance="kullback")
    with pytest.raises(ValueError, match="no motifs"):
        tomtom(q, [])
    with pytest.raises(ValueError, match="min_overlap"):
        tomtom(q, jaspar[:60], min_overlap=-1)
    with pytest.raises(ValueError, match="targets\\[1\\]"):
        tomtom(q, [jaspar[0].pwm, np.ones((5, 4))])


@pytest.mark.parametrize("T", [1, 2, 3, 10, 999, 1000])
def test_row_median_is_tomtoms_median(T):
    """The bucketed median equals the sorted definition (mean of positions floor(T/2) - 1 and
    ceil(T/2) - 1), also with many ties."""
    from danqmotifs.tomtom._columns import row_median

    rng = np.random.default_rng(T)
    for x in (rng.normal(size=T), np.round(rng.normal(size=T), 1)):
        s = np.sort(x)
        k1, k2 = max(T // 2 - 1, 0), max((T + 1) // 2 - 1, max(T // 2 - 1, 0))
        got = row_median(x, x.min(), x.max(), np.zeros(max(16, T // 8), dtype=np.int64),
                         np.empty(T))
        assert got == (s[k1] + s[k2]) / 2.0


def test_null_tables_are_convolutions():
    """Every (start, end) table is the upper tail of the convolution of those columns' bin
    distributions (numpy's convolve as the reference)."""
    from danqmotifs.tomtom._columns import BINS
    from danqmotifs.tomtom._pvalues import table_size, tail_at, tail_tables

    rng = np.random.default_rng(3)
    w, n_cols = 5, 1000
    hist = np.zeros((w, BINS + 1))
    for i in range(w):
        lo = rng.integers(0, 40)
        hist[i, lo: lo + 50] = rng.multinomial(n_cols, np.ones(50) / 50)
    tails = np.empty(table_size(w))
    index = np.empty((w, w), dtype=np.int64)
    tail_tables(hist, w, n_cols, tails, index, np.empty(w * BINS + 1), np.empty(w * BINS + 1),
                np.empty(w, dtype=np.int64), np.empty(w, dtype=np.int64), np.empty((w, BINS + 1)))
    for start in range(w):
        dist = np.array([1.0])
        for end in range(start, w):
            dist = np.convolve(dist, hist[end] / n_cols)
            upper = np.cumsum(dist[::-1])[::-1]
            for s in (0, 1, len(dist) // 2, len(dist) - 1, len(dist) + 3):
                want = upper[s] if s < len(dist) else 0.0
                assert tail_at(tails, index, start, end, s) == pytest.approx(want, rel=1e-12,
                                                                              abs=1e-300)


def test_best_alignment_by_diagonals_matches_brute_force():
    """The alignment totals along diagonals give the configuration a direct walk finds."""
    from danqmotifs.tomtom._pvalues import best_alignment, diagonal_sums

    rng = np.random.default_rng(5)
    w, unit = 7, 40
    binned = rng.integers(0, 101, size=(w, 30)).astype(np.uint8)
    diag = np.empty(40, dtype=np.int64)
    for c0, width in ((0, 5), (5, 12), (17, 7), (24, 3)):
        diagonal_sums(binned, w, c0, width, diag)
        off, ov, best, _ = best_alignment(diag, w, width, 3, True, unit, np.empty(1),
                                          np.empty((1, 1), dtype=np.int64))
        cands = []
        for o in range(-(w - 1), width):
            pairs = [(q, q + o) for q in range(w) if 0 <= q + o < width]
            if len(pairs) < min(3, w, width):
                continue
            tot = sum(int(binned[q, c0 + t]) for q, t in pairs)
            cands.append((tot - len(pairs) * unit, len(pairs), -o))
        want = max(cands)  # larger score, then larger overlap, then the first (smallest) offset
        assert (best, ov, off) == (want[0], want[1], -want[2])
