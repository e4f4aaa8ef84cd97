"""The compiled driver: every query against every target strand, queries in parallel.

The target side of the column scores (:func:`._columns.target_side`) is prepared once per call;
each thread allocates its workspaces once (sized for the widest query) and reuses them for its
queries, taken in turn (query i goes to thread i mod n_threads; each query's result depends on
that query alone, so the output does not depend on the number of threads).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._columns import BINS, bin_rows, row_median, score_rows, target_side
from ._pvalues import (best_alignment, complete_pvalue, corrected_pvalue, diagonal_sums, table_size,
                       tail_tables)
from ._qvalues import tomtom_qvalues


@njit(cache=True)
def one_query(query, tside, tstarts, tlens, distance, min_overlap, complete, n_orient, ws_f, ws_i,
              scores, binned, hist, prob, tails, index, diag, cache, used, p_out, off_out, ov_out):
    """Compare one query with every target strand; fill row outputs (one entry per strand).

    ``ws_f`` (float64) and ``ws_i`` (int64) hold small per-thread scratch arrays; ``scores``,
    ``binned``, ``hist``, ``prob``, ``tails``, ``index``, ``diag``, ``cache`` (all -1.0 on entry and on
    return) and ``used`` are the thread's larger workspaces.
    """
    w, T = query.shape[0], tside.shape[1]
    wmax = scores.shape[0]
    rowmin, rowmax, medians = ws_f[0, :wmax], ws_f[1, :wmax], ws_f[2, :wmax]
    buf, cur, nxt = ws_f[3], ws_f[4], ws_f[5]
    counts = ws_i[0, : max(16, T // 8)]
    lo_bin, hi_bin = ws_i[1], ws_i[2]
    score_rows(query, tside, distance, scores, rowmin, rowmax)
    for i in range(w):
        medians[i] = row_median(scores[i], rowmin[i], rowmax[i], counts, buf) if complete else 0.0
    offset, scale = bin_rows(scores, w, medians, rowmin, rowmax, binned, hist)
    tail_tables(hist, w, T, tails, index, cur, nxt, lo_bin, hi_bin, prob)
    unit = -offset * scale
    # complete scoring: the p-value depends only on (target width, best total); compute each once
    n_used = 0
    for t in range(tlens.shape[0]):
        width = tlens[t]
        diagonal_sums(binned, w, tstarts[t], width, diag)
        off, ov, best, n_conf = best_alignment(diag, w, width, min_overlap, complete, unit, tails,
                                               index)
        if complete:
            key = int(round(best + w * unit))
            p = cache[width, key]
            if p < 0:
                p = complete_pvalue(best, w, width, unit, n_orient, tails, index)
                cache[width, key] = p
                used[n_used, 0], used[n_used, 1] = width, key
                n_used += 1
        else:
            p = corrected_pvalue(best, n_conf * n_orient)
        # Tomtom stores the final p-value in single precision
        p_out[t] = np.float32(min(max(p, 0.0), 1.0))
        off_out[t] = off
        ov_out[t] = ov
    for k in range(n_used):
        cache[used[k, 0], used[k, 1]] = -1.0


@njit(cache=True, parallel=True)
def all_queries(qcols, qstarts, qlens, tcols, tstarts, tlens, distance, min_overlap, complete,
                n_orient, seed, n_threads):
    """(n_queries, n_target_strands) p-values, q-values, offsets and overlaps, and pi0 per query;
    ``n_threads`` workspaces (numba's thread count, given by the caller)."""
    nq, nt = qlens.shape[0], tlens.shape[0]
    T = tcols.shape[0]
    p = np.empty((nq, nt))
    q = np.empty((nq, nt))
    off = np.empty((nq, nt), dtype=np.int32)
    ov = np.empty((nq, nt), dtype=np.int32)
    pi0 = np.empty(nq)
    tside = target_side(tcols, distance)
    wmax = np.max(qlens)
    width_max = np.max(tlens)
    n_threads = max(1, min(n_threads, nq))
    for c in prange(n_threads):
        ws_f = np.empty((6, max(T, wmax * BINS + 1, wmax)))
        ws_i = np.empty((3, max(16, T // 8, wmax)), dtype=np.int64)
        scores = np.empty((wmax, T))
        binned = np.empty((wmax, T), dtype=np.uint8)
        hist = np.empty((wmax, BINS + 1))
        prob = np.empty((wmax, BINS + 1))
        tails = np.empty(table_size(wmax))
        index = np.empty((wmax, wmax), dtype=np.int64)
        diag = np.empty(width_max + wmax, dtype=np.int64)
        cache = np.full((width_max + 1, wmax * BINS + 2), -1.0)
        used = np.empty((nt, 2), dtype=np.int64)
        for i in range(c, nq, n_threads):
            query = qcols[qstarts[i]: qstarts[i] + qlens[i]]
            one_query(query, tside, tstarts, tlens, distance, min_overlap, complete, n_orient,
                      ws_f, ws_i, scores, binned, hist, prob, tails, index, diag, cache, used,
                      p[i], off[i], ov[i])
            qi, pz = tomtom_qvalues(p[i], seed + i)
            q[i] = qi
            pi0[i] = pz
    return p, q, off, ov, pi0
