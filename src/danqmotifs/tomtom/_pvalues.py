"""Tomtom's p-values by dynamic programming over the per-column null distributions.

Under Tomtom's null a query column is aligned with a column drawn uniformly from all the target
columns of the database (both strands), independently for each query column. The null distribution
of an alignment score (the sum of the binned column scores of the overlapping query columns
``start..end``) is therefore the convolution of those columns' histograms: :func:`tail_tables`
computes it for every (start, end) by extending ``end`` one column at a time, and keeps the upper
tail ``P(X >= s)`` of each.

Two ways of turning the best alignment into a p-value, both Tomtom's:

- complete scores (Tomtom's default since MEME 4.x): with median-shifted scores an unaligned query
  column scores 0, so every alignment of the query with a target of width L has a score over all w
  query columns. The p-value of the best one is ``P(max over the w + L - 1 alignments and both
  strands >= observed)``, the alignments taken as independent
  (``calc_shifted_scores_pvalues_per_query``). Computed here as ``-expm1(sum log1p(-tail))``, exact
  also for tiny p-values.
- incomplete scores (``-incomplete-scores``): the best alignment is the one of smallest p-value
  among the overlaps allowed; that p-value is corrected for the number of offsets and strands
  tried, ``1 - (1 - p)^n`` (Tomtom's ``EV``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._columns import BINS

@njit(cache=True)
def table_size(w):
    """Length of the flat tail table of a width-``w`` query (:func:`tail_tables`)."""
    total = 0
    for n in range(1, w + 1):
        total += (w - n + 1) * (n * BINS + 1)
    return total


@njit(cache=True, fastmath=True)
def _convolve_column(cur, nxt, prob, lo, hi, blo, bhi):
    """nxt[n] = sum_b cur[n - b] * prob[b] for n in [lo + blo, hi + bhi]; cur is zero outside
    [lo, hi], prob outside [blo, bhi]. One contiguous multiply-add per bin of ``prob``, on slices
    indexed from 0 (numba then drops its negative-index checks and the loop vectorises)."""
    nxt[lo + blo: hi + bhi + 1] = 0.0
    src = cur[lo: hi + 1]
    m = hi - lo + 1
    for b in range(blo, bhi + 1):
        pb = prob[b]
        dst = nxt[lo + b: lo + b + m]
        for n in range(m):
            dst[n] += pb * src[n]


@njit(cache=True)
def tail_tables(hist, w, n_cols, tails, index, cur, nxt, lo_bin, hi_bin, prob):
    """Upper tails of the null distribution of every (start, end) sum of column scores.

    Parameters
    ----------
    hist : (>= w, BINS + 1) counts of each bin per query column (rows 0..w-1 used).
    w : the query's width.
    n_cols : the number of target columns the counts come from.
    tails : float64 workspace of at least ``table_size(w)`` entries; filled: the table of
        (start, end) starts at ``index[start, end]`` and has ``(end - start + 1) * BINS + 1``
        entries, entry s being P(sum >= s).
    index : (>= w, >= w) int64 workspace (filled).
    cur, nxt : float64 workspaces of at least w * BINS + 1 entries.
    lo_bin, hi_bin : int64 workspaces of at least w entries.
    prob : (>= w, BINS + 1) float64 workspace.
    """
    total = 0
    for start in range(w):
        for end in range(start, w):
            index[start, end] = total
            total += (end - start + 1) * BINS + 1
    for i in range(w):
        lo, hi = BINS, 0
        for b in range(BINS + 1):
            prob[i, b] = hist[i, b] / n_cols
            if hist[i, b] > 0:
                lo = min(lo, b)
                hi = max(hi, b)
        lo_bin[i], hi_bin[i] = lo, hi
    for start in range(w):
        lo, hi = lo_bin[start], hi_bin[start]  # support of cur
        cur[lo: hi + 1] = prob[start, lo: hi + 1]
        for end in range(start, w):
            if end > start:
                _convolve_column(cur, nxt, prob[end], lo, hi, lo_bin[end], hi_bin[end])
                lo += lo_bin[end]
                hi += hi_bin[end]
                cur, nxt = nxt, cur
            # upper tail, summed from the top; beyond the support 0 above, the total below
            base = index[start, end]
            top = (end - start + 1) * BINS
            tails[base + hi + 1: base + top + 1] = 0.0
            acc = 0.0
            for s in range(hi, lo - 1, -1):
                acc += cur[s]
                tails[base + s] = acc
            tails[base: base + lo] = acc


@njit(cache=True)
def tail_at(tails, index, start, end, s):
    """P(sum of columns start..end >= s) from :func:`tail_tables`."""
    if s <= 0:
        return tails[index[start, end]] if s == 0 else 1.0
    n = (end - start + 1) * BINS + 1
    if s >= n:
        return 0.0
    return tails[index[start, end] + s]


@njit(cache=True)
def overlap_range(w, width, min_overlap):
    """First and last configuration Tomtom tries (``compare_motifs``); configuration c aligns the
    target's first column with query column w - c (offset c - w)."""
    if min_overlap > 1:
        mo = min(min_overlap, w, width)
        return mo, w + width - mo
    return 1, w + width - 1


@njit(cache=True)
def diagonal_sums(binned, w, c0, width, diag):
    """Summed binned scores of every diagonal of one target (strand) against the query:
    ``diag[t - q + w - 1]`` = sum of ``binned[q, c0 + t]`` over the aligned pairs (query column
    q, target column t), i.e. the total of the alignment at offset t - q (the target's columns
    c0..c0 + width - 1 of ``binned``). Row by row, so the inner loop runs along memory."""
    diag[: width + w - 1] = 0
    for q in range(w):
        row = binned[q, c0: c0 + width]
        d = diag[w - 1 - q: w - 1 - q + width]
        for t in range(width):
            d[t] += row[t]


@njit(cache=True)
def best_alignment(diag, w, width, min_overlap, complete, unit, tails, index):
    """The best configuration of one target (strand) against the query.

    Parameters
    ----------
    diag : the target's alignment totals from :func:`diagonal_sums`.
    w, width : the query's and the target's number of columns.
    complete : Tomtom's complete scoring (True) or ``-incomplete-scores``.
    unit : with complete scoring, ``-offset * scale``: the binned value of a zero score.

    Returns
    -------
    offset : query column i faces target column i + offset.
    overlap : number of aligned columns.
    value : complete scoring: the best total (binned, zero-score based); incomplete: the best
        uncorrected p-value.
    n_conf : the number of configurations tried.

    Configurations are tried in Tomtom's order (``compare_motifs``): configuration c aligns the
    target's first column with query column w - c (offset c - w); ties keep the larger overlap,
    then the first.
    """
    first, last = overlap_range(w, width, min_overlap)
    best_off, best_ov = 0, -1
    best = -1e300 if complete else 1e300
    for conf in range(first, last + 1):
        off = conf - w
        q_start = max(0, -off)
        ov = min(w, width - off) - q_start
        tot = diag[conf - 1]
        if complete:
            val = tot - ov * unit
            better = val > best or (val == best and ov > best_ov)
        else:
            val = tail_at(tails, index, q_start, q_start + ov - 1, tot)
            better = val < best or (val == best and ov > best_ov)
        if better:
            best, best_off, best_ov = val, off, ov
    return best_off, best_ov, best, last - first + 1


@njit(cache=True)
def complete_pvalue(total, w, width, unit, n_orient, tails, index):
    """P(the best complete score of a width-``width`` target over all alignments and strands
    >= ``total``), ``total`` being a best value from :func:`best_alignment` for a width-``w``
    query."""
    s_all = total + w * unit  # the score with every unaligned column counted as 0
    log_none = 0.0
    for i in range(w + width - 1):
        if i < w:
            start = w - i - 1
            end = min(w, start + width) - 1
        else:
            start = 0
            end = min(w, width + w - i - 1) - 1
        ov = end - start + 1
        t = tail_at(tails, index, start, end, int(round(s_all - (w - ov) * unit)))
        if t >= 1.0:
            return 1.0
        log_none += n_orient * math.log1p(-t)
    return -math.expm1(log_none)


@njit(cache=True)
def corrected_pvalue(p, n):
    """Tomtom's ``EV(p, n)``: the p-value of the best of n independent tries."""
    if p * n < 0.001:
        return p * n
    return -math.expm1(n * math.log1p(-p)) if p < 1.0 else 1.0
