"""Column scores of one query against every target column, shifted and binned as Tomtom does.

Tomtom (Gupta et al. 2007; MEME suite 5.5, ``tomtom.c``) compares a query column with a target
column by a similarity score (higher is better):

- ``pearson``: the Pearson correlation coefficient of the two 4-vectors (each centred on 1/4);
  0 when either column is uniform (zero variance).
- ``euclidean`` (Tomtom's ``ed``): minus the Euclidean distance of the two columns.

For a query, every query column is scored against every column of the target database (both
strands). With Tomtom's default "complete" scoring each query row is then shifted by its median
(the mean of its sorted elements at positions floor(T/2) - 1 and ceil(T/2) - 1, Tomtom's
``shift_all_pairwise_scores``), so that an unaligned column counts as 0. The whole (w, T) matrix is
finally mapped to integers 0..100 (``scale_score_matrix``): ``offset = floor(min)``,
``scale = floor(100 / (max - offset))``, ``binned = round((x - offset) * scale)``.

What does not depend on the query is prepared once per call (:func:`target_side`): the target
columns as four contiguous rows (so the per-query loops vectorise), centred and scaled to unit
norm for Pearson. Per query, :func:`score_rows` computes
the scores row by row with each row's minimum and maximum, :func:`row_median` finds a row's
median exactly in two passes (bucket counts, then a sort of the bucket holding the middle
rank), and :func:`bin_rows` shifts, bins and counts in one pass.

All functions are numba kernels on plain arrays; they are called from :mod:`._engine`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Tomtom's number of score bins per column (``BINS``)
BINS = 100
PEARSON = 0
EUCLIDEAN = 1


@njit(cache=True)
def target_side(tcols, distance):
    """The query-independent half of the column scores, computed once per call.

    Parameters
    ----------
    tcols : (T, 4) float64, the concatenated columns of every target (both strands).
    distance : PEARSON or EUCLIDEAN.

    Returns
    -------
    (4, T) float64. PEARSON: each column minus 1/4, divided by its norm (0 for a uniform
        column); EUCLIDEAN: the columns, transposed.
    """
    T = tcols.shape[0]
    tside = np.empty((4, T))
    for j in range(T):
        if distance == PEARSON:
            s = 0.0
            for c in range(4):
                s += (tcols[j, c] - 0.25) * (tcols[j, c] - 0.25)
            inv = 1.0 / math.sqrt(s) if s > 0.0 else 0.0
            for c in range(4):
                tside[c, j] = (tcols[j, c] - 0.25) * inv
        else:
            for c in range(4):
                tside[c, j] = tcols[j, c]
    return tside


@njit(cache=True, fastmath=True)
def _min_max(row):
    """(min, max) of a row of finite values (fastmath: the reduction vectorises)."""
    lo, hi = row[0], row[0]
    for v in row:
        lo = min(lo, v)
        hi = max(hi, v)
    return lo, hi


@njit(cache=True)
def score_rows(query, tside, distance, out, rowmin, rowmax):
    """Scores of each query column (rows of ``out``, (w, T)) against each target column, and
    each row's minimum and maximum.

    Parameters
    ----------
    query : (w, 4) float64 probabilities.
    tside : from :func:`target_side`.
    distance : PEARSON or EUCLIDEAN.
    out : (>= w, T) float64 workspace; rows 0..w-1 are written.
    rowmin, rowmax : (>= w,) float64 workspaces.
    """
    w, T = query.shape[0], tside.shape[1]
    a0, a1, a2, a3 = tside[0], tside[1], tside[2], tside[3]
    for i in range(w):
        row = out[i]
        if distance == PEARSON:
            q0, q1 = query[i, 0] - 0.25, query[i, 1] - 0.25
            q2, q3 = query[i, 2] - 0.25, query[i, 3] - 0.25
            qn = q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3
            inv = 1.0 / math.sqrt(qn) if qn > 0.0 else 0.0
            q0, q1, q2, q3 = q0 * inv, q1 * inv, q2 * inv, q3 * inv
            for j in range(T):
                row[j] = q0 * a0[j] + q1 * a1[j] + q2 * a2[j] + q3 * a3[j]
        else:
            # the same operations, in the same order, as the plain distance
            q0, q1, q2, q3 = query[i, 0], query[i, 1], query[i, 2], query[i, 3]
            for j in range(T):
                d0, d1, d2, d3 = q0 - a0[j], q1 - a1[j], q2 - a2[j], q3 - a3[j]
                row[j] = -math.sqrt(d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3)
        rowmin[i], rowmax[i] = _min_max(row[:T])


@njit(cache=True)
def order_statistic(x, k, lo, hi, counts, buf):
    """The k-th smallest element of x (0-based), exactly, in linear time, given its minimum
    ``lo`` < maximum ``hi``: count the elements per bucket of equal width (``counts``, scratch),
    then sort only the bucket that holds rank k (copied to ``buf``, scratch of length T)."""
    nb = counts.shape[0]
    scale = nb / (hi - lo)
    counts[:] = 0
    for v in x:
        counts[min(int((v - lo) * scale), nb - 1)] += 1
    below = 0
    target = 0
    for b in range(nb):
        if below + counts[b] > k:
            target = b
            break
        below += counts[b]
    m = 0
    for v in x:
        if min(int((v - lo) * scale), nb - 1) == target:
            buf[m] = v
            m += 1
    part = np.sort(buf[:m])
    return part[k - below]


@njit(cache=True)
def row_median(x, lo, hi, counts, buf):
    """Tomtom's median of ``x`` (whose minimum and maximum are ``lo`` and ``hi``), exactly: the
    mean of the sorted elements at positions floor(T/2) - 1 and ceil(T/2) - 1 (for even T the
    lower middle element; position 0 for T < 2). ``counts`` and ``buf`` are scratch arrays
    (:func:`order_statistic`)."""
    T = x.shape[0]
    k1 = max(T // 2 - 1, 0)
    k2 = max((T + 1) // 2 - 1, k1)
    if lo == hi:
        return lo
    a = order_statistic(x, k1, lo, hi, counts, buf)
    b = a if k2 == k1 else order_statistic(x, k2, lo, hi, counts, buf)
    return (a + b) / 2.0


@njit(cache=True)
def bin_rows(scores, w, medians, rowmin, rowmax, binned, hist):
    """Map the median-shifted scores (rows 0..w-1 of ``scores`` minus ``medians``) to integers in
    0..BINS as Tomtom's ``scale_score_matrix`` does, and count each row's bins (its null
    distribution over the database).

    Parameters
    ----------
    binned : (>= w, T) uint8 workspace (written).
    hist : (>= w, BINS + 1) float64 workspace (written).

    Returns
    -------
    offset : float, the integer floor of the smallest shifted score.
    scale : float, the integer number of bins per unit of score.
    """
    small, large = np.inf, -np.inf
    for i in range(w):
        # rounding is monotone: min(x - m) is min(x) - m, exactly
        small = min(small, rowmin[i] - medians[i])
        large = max(large, rowmax[i] - medians[i])
    if large == small:
        small = large - 1.0
    offset = math.floor(small)
    scale = math.floor(BINS / (large - offset))
    T = scores.shape[1]
    for i in range(w):
        med = medians[i]
        row = scores[i]
        out = binned[i]
        h = hist[i]
        h[:] = 0.0
        for j in range(T):
            # x >= 0 always (offset <= min): MEME's nint is then floor(x + 0.5)
            out[j] = np.uint8(int(((row[j] - med) - offset) * scale + 0.5))
        for j in range(T):
            h[out[j]] += 1.0
    return offset, scale
