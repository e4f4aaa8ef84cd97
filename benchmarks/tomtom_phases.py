"""Where our Tomtom's time goes, phase by phase (used by bench_pearson.py; runnable alone).

Runs the engine's own kernels (danqmotifs.tomtom._columns, ._pvalues, ._qvalues) on every query
in one thread, stopping after each phase in turn; a phase's cost is the CPU time of the run that
stops after it minus that of the run that stops before it. Phases: column scores (with each row's
minimum and maximum, after the target side is prepared once), medians, binning (shift, bins and
histograms), the null tables (the convolution DP), the best alignment of every target strand,
the p-values of the best alignments, the q-values. The repeats are interleaved, so every phase
sees the same machine load; reported: min and median over the repeats.

    PYTHONPATH=src .venv/bin/python benchmarks/tomtom_phases.py [N_QUERIES] [REPEATS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

from danqmotifs.tomtom import _inputs
from danqmotifs.tomtom._columns import BINS, bin_rows, row_median, score_rows, target_side
from danqmotifs.tomtom._pvalues import (best_alignment, complete_pvalue, diagonal_sums, table_size,
                                        tail_tables)
from danqmotifs.tomtom._qvalues import tomtom_qvalues

PHASES = ("column scores", "medians", "binning", "null tables (DP)", "best alignments",
          "p-values", "q-values")


@njit(cache=True)
def _run(stop, qcols, qstarts, qlens, tcols, tstarts, tlens, distance):
    """Every query through the phases 0..stop (one thread); returns a checksum."""
    nt, T = tlens.shape[0], tcols.shape[0]
    wmax, width_max = np.max(qlens), np.max(tlens)
    tside = target_side(tcols, distance)
    scores = np.empty((wmax, T))
    rowmin, rowmax, medians = np.empty(wmax), np.empty(wmax), np.zeros(wmax)
    counts = np.empty(max(16, T // 8), dtype=np.int64)
    buf = np.empty(T)
    binned = np.empty((wmax, T), dtype=np.uint8)
    hist, prob = np.empty((wmax, BINS + 1)), np.empty((wmax, BINS + 1))
    tails = np.empty(table_size(wmax))
    index = np.empty((wmax, wmax), dtype=np.int64)
    cur, nxt = np.empty(wmax * BINS + 1), np.empty(wmax * BINS + 1)
    lo_bin, hi_bin = np.empty(wmax, dtype=np.int64), np.empty(wmax, dtype=np.int64)
    diag = np.empty(width_max + wmax, dtype=np.int64)
    cache = np.full((width_max + 1, wmax * BINS + 2), -1.0)
    best = np.empty(nt)
    p = np.full(nt, 0.5)
    check = 0.0
    for i in range(qlens.shape[0]):
        query = qcols[qstarts[i]: qstarts[i] + qlens[i]]
        w = query.shape[0]
        score_rows(query, tside, distance, scores, rowmin, rowmax)
        check += rowmax[0]
        if stop >= 1:
            for r in range(w):
                medians[r] = row_median(scores[r], rowmin[r], rowmax[r], counts, buf)
        if stop >= 2:
            offset, scale = bin_rows(scores, w, medians, rowmin, rowmax, binned, hist)
            unit = -offset * scale
        if stop >= 3:
            tail_tables(hist, w, T, tails, index, cur, nxt, lo_bin, hi_bin, prob)
            check += tails[1]
        if stop >= 4:
            for t in range(nt):
                diagonal_sums(binned, w, tstarts[t], tlens[t], diag)
                best[t] = best_alignment(diag, w, tlens[t], 5, True, unit, tails, index)[2]
            check += best[0]
        if stop >= 5:
            cache[:] = -1.0
            for t in range(nt):
                key = int(round(best[t] + w * unit))
                if cache[tlens[t], key] < 0:
                    cache[tlens[t], key] = complete_pvalue(best[t], w, tlens[t], unit, 2, tails,
                                                           index)
                p[t] = cache[tlens[t], key]
        if stop >= 6:
            check += tomtom_qvalues(p, i)[1]
    return check


def phase_profile(Q, T, repeats: int = 3) -> dict:
    """{distance: {phase: (min, median) CPU s}, and "total"} for queries Q against targets T
    (matrices), one thread, the pseudocount applied as tomtom() does."""
    bg = _inputs.symmetric_background(None)
    Qp = _inputs.prepare(Q, "queries", None, 0.1, bg)
    Tp = _inputs.prepare(T, "targets", None, 0.1, bg)
    qcols, qstarts, qlens = _inputs.pack(Qp)
    tcols, tstarts, tlens = _inputs.pack([t for m in Tp for t in (m, m[::-1, ::-1])])
    out = {}
    for name, code in (("pearson", 0), ("euclidean", 1)):
        _run(len(PHASES) - 1, qcols[: qlens[0]], qstarts[:1], qlens[:1], tcols, tstarts, tlens,
             code)  # compile / warm up
        cum = {s: [] for s in range(len(PHASES))}
        for _ in range(repeats):
            for s in range(len(PHASES)):
                t0 = time.process_time()
                _run(s, qcols, qstarts, qlens, tcols, tstarts, tlens, code)
                cum[s].append(time.process_time() - t0)
        res = {}
        for s, phase in enumerate(PHASES):
            d = np.array(cum[s]) - (np.array(cum[s - 1]) if s else 0.0)
            res[phase] = (float(np.min(d)), float(np.median(d)))
        res["total"] = (float(np.min(cum[len(PHASES) - 1])), float(np.median(cum[len(PHASES) - 1])))
        out[name] = res
    return out


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_pearson import kernel_queries

    from danqmotifs.sources.jaspar import fetch_collection

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 320
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    targets = fetch_collection()
    prof = phase_profile(kernel_queries(targets, n), [m.pwm for m in targets], reps)
    for name, res in prof.items():
        tot = res["total"][1]
        print(f"{name}: {n} queries x {len(targets)} targets, 1 thread, CPU s (min / median of {reps})")
        for phase, (lo, med) in res.items():
            print(f"  {phase:18s} {lo:8.3f} {med:8.3f}  {100 * med / tot:5.1f}%")


if __name__ == "__main__":
    main()
