"""Column scores of one query against every target column, shifted and binned as Tomtom does.

Tomtom (Gupta et al. 2007; MEME suite 5.5, ``tomtom.c``) compares a query column with a target
column by a similarity score (higher is better):

- ``pearson``: the Pearson correlation coefficient of the two 4-vectors (each centred on 1/4);
  0 when either column is uniform (zero variance).
- ``euclidean`` (Tomtom's ``ed``): minus the Euclidean distance of the two columns.

For a query, every query column is scored against every column of the target database (both
strands). With Tomtom's default "complete" scoring each query row is then shifted by its median
(the (T/2)-th smallest of its T scores), so that an unaligned column counts as 0, the median
(Tomtom's ``shift_all_pairwise_scores``). The whole (w, T) matrix is finally mapped to integers
0..100 (``scale_score_matrix``): ``offset = floor(min)``, ``scale = floor(100 / (max - offset))``,
``binned = round((x - offset) * scale)``.

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
def column_scores(query, tcols, distance):
    """(w, T) scores of each query column against each target column.

    Parameters
    ----------
    query : (w, 4) float64 probabilities.
    tcols : (T, 4) float64, the concatenated columns of every target (both strands).
    distance : PEARSON or EUCLIDEAN.
    """
    w, T = query.shape[0], tcols.shape[0]
    out = np.empty((w, T))
    if distance == PEARSON:
        tc = np.empty((T, 4))
        tn = np.empty(T)
        for j in range(T):
            s = 0.0
            for c in range(4):
                tc[j, c] = tcols[j, c] - 0.25
                s += tc[j, c] * tc[j, c]
            tn[j] = s
        for i in range(w):
            qc = np.empty(4)
            qn = 0.0
            for c in range(4):
                qc[c] = query[i, c] - 0.25
                qn += qc[c] * qc[c]
            for j in range(T):
                num = qc[0] * tc[j, 0] + qc[1] * tc[j, 1] + qc[2] * tc[j, 2] + qc[3] * tc[j, 3]
                den = math.sqrt(qn * tn[j])
                out[i, j] = num / den if den != 0.0 else 0.0
    else:
        for i in range(w):
            for j in range(T):
                s = 0.0
                for c in range(4):
                    d = query[i, c] - tcols[j, c]
                    s += d * d
                out[i, j] = -math.sqrt(s)
    return out


@njit(cache=True)
def order_statistic(x, k, counts, buf):
    """The k-th smallest element of x (0-based), exactly, in linear time: bucket the values,
    then sort only the bucket that holds rank k. ``counts`` and ``buf`` are scratch arrays."""
    lo, hi = x[0], x[0]
    for v in x:
        lo = min(lo, v)
        hi = max(hi, v)
    if lo == hi:
        return lo
    nb = counts.shape[0]
    width = (hi - lo) / nb
    counts[:] = 0
    for v in x:
        counts[min(int((v - lo) / width), nb - 1)] += 1
    below = 0
    target = 0
    for b in range(nb):
        if below + counts[b] > k:
            target = b
            break
        below += counts[b]
    m = 0
    for v in x:
        if min(int((v - lo) / width), nb - 1) == target:
            buf[m] = v
            m += 1
    part = np.sort(buf[:m])
    return part[k - below]


@njit(cache=True)
def shift_by_median(scores):
    """Subtract from each row its median, Tomtom's way: the mean of the elements at sorted
    positions floor(T/2) - 1 and ceil(T/2) - 1 (for even T, the lower middle element)."""
    w, T = scores.shape
    i1 = T // 2 - 1
    i2 = (T + 1) // 2 - 1
    i1 = max(i1, 0)
    i2 = max(i2, i1)
    counts = np.zeros(max(16, T // 8), dtype=np.int64)
    buf = np.empty(T)
    for i in range(w):
        lo = order_statistic(scores[i], i1, counts, buf)
        hi = lo if i2 == i1 else order_statistic(scores[i], i2, counts, buf)
        med = (lo + hi) / 2.0
        for j in range(T):
            scores[i, j] -= med


@njit(cache=True)
def bin_scores(scores):
    """Map the (w, T) scores to integers in 0..BINS as Tomtom's ``scale_score_matrix`` does, and
    count each query column's bins (its null distribution over the database).

    Returns
    -------
    binned : (w, T) int32.
    hist : (w, BINS + 1) float64 counts.
    offset : float, the integer floor of the smallest score.
    scale : float, the integer number of bins per unit of score.
    """
    small = np.min(scores)
    large = np.max(scores)
    if large == small:
        small = large - 1.0
    offset = math.floor(small)
    scale = math.floor(BINS / (large - offset))
    w, T = scores.shape
    binned = np.empty((w, T), dtype=np.int32)
    hist = np.zeros((w, BINS + 1), dtype=np.float64)
    for i in range(w):
        for j in range(T):
            # x >= 0 always (offset <= min): MEME's nint is then floor(x + 0.5)
            b = int((scores[i, j] - offset) * scale + 0.5)
            binned[i, j] = b
            hist[i, b] += 1.0
    return binned, hist, offset, scale
