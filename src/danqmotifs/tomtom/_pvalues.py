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

#: zero margin on each side of the convolution buffers (more than BINS + the 8-wide block)
_PAD = BINS + 8


@njit(cache=True, fastmath=True)
def _convolve_column(cur, nxt, prob, lo, hi, blo, bhi):
    """nxt[n] = sum_b cur[n - b] * prob[b] for n in [lo + blo, hi + bhi], entry k of a buffer at
    index _PAD + k; cur is zero outside [lo, hi]. Eight outputs at a time (they vectorise)."""
    n_hi = hi + bhi
    nxt[_PAD: _PAD + lo + blo] = 0.0
    n0 = lo + blo
    while n0 <= n_hi:
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
        for b in range(blo, bhi + 1):
            pb = prob[b]
            j = _PAD + n0 - b
            a0 += cur[j] * pb
            a1 += cur[j + 1] * pb
            a2 += cur[j + 2] * pb
            a3 += cur[j + 3] * pb
            a4 += cur[j + 4] * pb
            a5 += cur[j + 5] * pb
            a6 += cur[j + 6] * pb
            a7 += cur[j + 7] * pb
        k = _PAD + n0
        nxt[k], nxt[k + 1], nxt[k + 2], nxt[k + 3] = a0, a1, a2, a3
        nxt[k + 4], nxt[k + 5], nxt[k + 6], nxt[k + 7] = a4, a5, a6, a7
        n0 += 8


@njit(cache=True)
def tail_tables(hist, n_cols):
    """Upper tails of the null distribution of every (start, end) sum of column scores.

    Parameters
    ----------
    hist : (w, BINS + 1) counts of each bin per query column.
    n_cols : the number of target columns the counts come from.

    Returns
    -------
    tails : flat float64 array; the table of (start, end) starts at ``index[start, end]`` and has
        ``(end - start + 1) * BINS + 1`` entries, entry s being P(sum >= s).
    index : (w, w) int64.
    """
    w = hist.shape[0]
    index = np.full((w, w), -1, dtype=np.int64)
    total = 0
    for start in range(w):
        for end in range(start, w):
            index[start, end] = total
            total += (end - start + 1) * BINS + 1
    tails = np.zeros(total)
    size = w * BINS + 1 + 2 * _PAD
    cur = np.zeros(size)
    nxt = np.zeros(size)
    lo_bin = np.zeros(w, dtype=np.int64)
    hi_bin = np.zeros(w, dtype=np.int64)
    for i in range(w):
        lo, hi = BINS, 0
        for b in range(BINS + 1):
            if hist[i, b] > 0:
                lo = min(lo, b)
                hi = max(hi, b)
        lo_bin[i], hi_bin[i] = lo, hi
    prob = hist / n_cols
    for start in range(w):
        cur[:] = 0.0
        nxt[:] = 0.0
        cur[_PAD] = 1.0
        lo, hi = 0, 0  # support of cur
        for end in range(start, w):
            _convolve_column(cur, nxt, prob[end], lo, hi, lo_bin[end], hi_bin[end])
            lo += lo_bin[end]
            hi += hi_bin[end]
            cur, nxt = nxt, cur
            # upper tail, summed from the top
            base = index[start, end]
            acc = 0.0
            for s in range((end - start + 1) * BINS, -1, -1):
                if lo <= s <= hi:
                    acc += cur[_PAD + s]
                tails[base + s] = acc
    return tails, index


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
def best_alignment(binned, c0, width, min_overlap, complete, unit, tails, index):
    """The best configuration of one target (strand) against the query.

    Parameters
    ----------
    binned : (w, T) int64 binned column scores.
    c0 : first column of the target in ``binned``; ``width`` its number of columns.
    complete : Tomtom's complete scoring (True) or ``-incomplete-scores``.
    unit : with complete scoring, ``-offset * scale``: the binned value of a zero score.

    Returns
    -------
    offset : query column i faces target column i + offset.
    overlap : number of aligned columns.
    value : complete scoring: the best total (binned, zero-score based); incomplete: the best
        uncorrected p-value.
    n_conf : the number of configurations tried.
    """
    w = binned.shape[0]
    first, last = overlap_range(w, width, min_overlap)
    best_off, best_ov = 0, -1
    best = -1e300 if complete else 1e300
    for conf in range(first, last + 1):
        if conf <= w:
            tcol, qcol = 0, w - conf
        else:
            tcol, qcol = conf - w, 0
        q_start = qcol
        tot = 0
        while qcol < w and tcol < width:
            tot += binned[qcol, c0 + tcol]
            qcol += 1
            tcol += 1
        ov = qcol - q_start
        if complete:
            val = tot - ov * unit
            better = val > best or (val == best and ov > best_ov)
        else:
            val = tail_at(tails, index, q_start, qcol - 1, tot)
            better = val < best or (val == best and ov > best_ov)
        if better:
            best, best_off, best_ov = val, conf - w, ov
    return best_off, best_ov, best, last - first + 1


@njit(cache=True)
def complete_pvalue(total, width, unit, n_orient, tails, index):
    """P(the best complete score of a width-``width`` target over all alignments and strands
    >= ``total``), ``total`` being a best value from :func:`best_alignment`."""
    w = index.shape[0]
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
