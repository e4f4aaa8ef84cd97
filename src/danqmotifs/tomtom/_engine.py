"""The compiled driver: every query against every target strand, queries in parallel."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._columns import BINS, bin_scores, column_scores, shift_by_median
from ._pvalues import best_alignment, complete_pvalue, corrected_pvalue, tail_tables
from ._qvalues import tomtom_qvalues


@njit(cache=True)
def one_query(query, tcols, tstarts, tlens, distance, min_overlap, complete, n_orient,
              p_out, off_out, ov_out):
    """Compare one query with every target strand; fill row outputs (one entry per strand)."""
    scores = column_scores(query, tcols, distance)
    if complete:
        shift_by_median(scores)
    binned, hist, offset, scale = bin_scores(scores)
    tails, index = tail_tables(hist, tcols.shape[0])
    unit = -offset * scale
    # complete scoring: the p-value depends only on (target width, best total); compute each once
    w = query.shape[0]
    max_width = np.max(tlens)
    cache = np.full((max_width + 1, int(w * (BINS + unit)) + 2), -1.0)
    for t in range(tlens.shape[0]):
        width = tlens[t]
        off, ov, best, n_conf = best_alignment(binned, tstarts[t], width, min_overlap, complete,
                                               unit, tails, index)
        if complete:
            key = int(round(best + w * unit))
            p = cache[width, key]
            if p < 0:
                p = complete_pvalue(best, width, unit, n_orient, tails, index)
                cache[width, key] = p
        else:
            p = corrected_pvalue(best, n_conf * n_orient)
        # Tomtom stores the final p-value in single precision
        p_out[t] = np.float32(min(max(p, 0.0), 1.0))
        off_out[t] = off
        ov_out[t] = ov


@njit(cache=True, parallel=True)
def all_queries(qcols, qstarts, qlens, tcols, tstarts, tlens, distance, min_overlap, complete,
                n_orient, seed):
    """(n_queries, n_target_strands) p-values, q-values, offsets and overlaps, and pi0 per query."""
    nq, nt = qlens.shape[0], tlens.shape[0]
    p = np.empty((nq, nt))
    q = np.empty((nq, nt))
    off = np.empty((nq, nt), dtype=np.int32)
    ov = np.empty((nq, nt), dtype=np.int32)
    pi0 = np.empty(nq)
    for i in prange(nq):
        query = qcols[qstarts[i]: qstarts[i] + qlens[i]]
        one_query(query, tcols, tstarts, tlens, distance, min_overlap, complete, n_orient,
                  p[i], off[i], ov[i])
        qi, pz = tomtom_qvalues(p[i], seed + i)
        q[i] = qi
        pi0[i] = pz
    return p, q, off, ov, pi0
