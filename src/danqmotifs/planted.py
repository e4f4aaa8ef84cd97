"""The planted-motif benchmark: are the motifs planted into simulated data found in the kernels?

A planted motif counts as recovered by a method when it is the best database match (smallest
p-value over all targets) of at least one kernel's motif, at q < ``q_threshold``. JASPAR ids are
compared without their version (MA0139.2 and MA0139.1 are the same factor's matrix), so a planted
matrix from another release still counts. The same rule applies to every method; nothing in it
depends on which method produced the motifs.

Beside the verdict: the best p-value of any kernel against the planted matrix (whether or not it
is that kernel's best match), the kernel giving it, and the planted matrix's rank among that
kernel's matches. The figure is ``danqmotifs.plot.matching.planted_figure``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .match.result import MatchResult, best_indices, count_matched
from .motif import Motif

CRITERION = ("a planted motif is recovered when its JASPAR matrix (id without version) is the best "
             "match (smallest p-value over all targets) of at least one kernel at q < {q}")


def base_id(matrix_id: str) -> str:
    """``MA0139.2`` -> ``MA0139``."""
    return matrix_id.split(".")[0]


def recovery(planted: Motif, res: MatchResult, q_threshold: float) -> dict:
    """One method's verdict on one planted motif (see the module docstring)."""
    tgt = np.array([base_id(t) == base_id(planted.id) for t in res.target_ids])
    out = {"recovered": False, "n_kernels": 0, "kernels": "", "best_p": None,
           "best_q": None, "best_kernel": "", "best_target": "", "rank": 0,
           "kernel_top_target": ""}
    if not tgt.any() or not res.query_ids:
        return out
    best = best_indices(res)
    rows = np.arange(len(res.query_ids))
    ok = best >= 0
    hit = np.zeros(len(rows), bool)
    hit[ok] = tgt[best[ok]] & (res.q_value[rows[ok], best[ok]] < q_threshold)
    kernels = [res.query_ids[i] for i in np.flatnonzero(hit)]
    p = np.where(res.reported & tgt[None, :], res.p_value, np.inf)
    i, j = np.unravel_index(int(np.argmin(p)), p.shape)
    out.update(recovered=bool(kernels), n_kernels=len(kernels), kernels=",".join(kernels))
    if np.isfinite(p[i, j]):
        pk = np.where(res.reported[i], res.p_value[i], np.inf)
        out.update(best_p=float(res.p_value[i, j]), best_q=float(res.q_value[i, j]),
                   best_kernel=res.query_ids[i], best_target=res.target_ids[j],
                   rank=int((pk < pk[j]).sum()) + 1,
                   kernel_top_target=res.target_ids[best[i]] if best[i] >= 0 else "")
    return out


def benchmark(planted: Sequence[Motif], results: Mapping[str, MatchResult], q_threshold: float = 0.05,
              evalue_threshold: float = 0.01) -> tuple[list[dict], dict]:
    """Per-motif rows and the summary (keys ``planted``, ``recovered_<method>`` ...)."""
    rows = []
    for m in planted:
        row = {"planted_id": m.id, "planted_name": m.name}
        for meth, res in results.items():
            row["in_database"] = bool(any(base_id(t) == base_id(m.id) for t in res.target_ids))
            for k, v in recovery(m, res, q_threshold).items():
                row[f"{k}_{meth}"] = v
        rows.append(row)
    first = next(iter(results.values()), None)
    summ = {"planted": len(planted)}
    for meth in results:
        summ[f"recovered_{meth}"] = int(sum(r[f"recovered_{meth}"] for r in rows))
    summ.update({
        "criterion": CRITERION.format(q=q_threshold),
        "q_threshold": q_threshold,
        "engine": first.engine if first else "",
        "distance": first.distance if first else "",
        "n_targets": first.n_targets if first else 0,
        "planted_in_database": int(sum(r.get("in_database", False) for r in rows)),
        "kernels_matched": {meth: {"n_motifs": len(res.query_ids),
                                   "n_matched": count_matched(res, evalue_threshold),
                                   "evalue_threshold": evalue_threshold,
                                   "distance": res.distance} for meth, res in results.items()},
        "motifs": rows,
    })
    return rows, summ
