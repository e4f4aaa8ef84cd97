"""The planted-motif benchmark: are the motifs planted into simulated data found in the kernels?

A planted motif counts as recovered by a method when it is the best database match (smallest
p-value over all targets) of at least one kernel's motif, at q < ``q_threshold``. JASPAR ids are
compared without their version (MA0139.2 and MA0139.1 are the same factor's matrix), so a planted
matrix from another release still counts. The same rule applies to every method; nothing in it
depends on which method produced the motifs.

At the family level, a planted motif counts as recovered when some kernel's best match (at the
same q) is any matrix of the planted matrix's TF family (JASPAR's annotation): a paralog's matrix
then counts, which says the model learned the right kind of site even if not the exact matrix.
Both levels are reported under every column distance matched.

Beside the verdict: the best p-value of any kernel against the planted matrix (whether or not it
is that kernel's best match), the kernel giving it, and the planted matrix's rank among that
kernel's matches. The figure is ``danqmotifs.report.plot.matching.planted_figure``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..core.motif import Motif
from ..match.result import MatchResult, best_indices, count_matched

CRITERION = ("a planted motif is recovered when its JASPAR matrix (id without version) is the best "
             "match (smallest p-value over all targets) of at least one kernel at q < {q}")
CRITERION_FAMILY = ("a planted motif is recovered at the family level when the best match of at least "
                    "one kernel at q < {q} is its JASPAR matrix or a matrix of the same TF family "
                    "(JASPAR's tf_family annotation)")


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


def family_recovery(planted: Motif, res: MatchResult, q_threshold: float,
                    families: Mapping[str, set]) -> dict:
    """The family-level verdict: some kernel's best match (at q < ``q_threshold``) is the planted
    matrix or a matrix sharing a TF family with it (JASPAR's annotation; a matrix without one
    counts at the family level only through its own id)."""
    def group(matrix_id):   # a matrix belongs to its families and, trivially, to itself
        return families.get(base_id(matrix_id), set()) | {base_id(matrix_id)}

    fam = group(planted.id)
    out = {"recovered_family": False, "family_kernels": "", "family_targets": ""}
    if not res.query_ids:
        return out
    best = best_indices(res)
    hits = [(res.query_ids[i], res.target_ids[j]) for i, j in enumerate(best)
            if j >= 0 and res.q_value[i, j] < q_threshold and group(res.target_ids[j]) & fam]
    out.update(recovered_family=bool(hits), family_kernels=",".join(k for k, _ in hits),
               family_targets=",".join(sorted({t for _, t in hits})))
    return out


def kernels_matched(results: Mapping[str, MatchResult], evalue_threshold: float) -> dict:
    """Per method: motifs, motifs whose best match has E < ``evalue_threshold``, and the distance."""
    return {meth: {"n_motifs": len(res.query_ids), "n_matched": count_matched(res, evalue_threshold),
                   "evalue_threshold": evalue_threshold, "distance": res.distance}
            for meth, res in results.items()}


def benchmark(planted: Sequence[Motif], results: Mapping[str, Mapping[str, MatchResult]],
              q_threshold: float = 0.05, evalue_threshold: float = 0.01,
              families: Mapping[str, set] | None = None) -> tuple[list[dict], dict]:
    """Per-motif rows and the summary, under every distance matched.

    Parameters
    ----------
    planted : the planted motifs (JASPAR ids).
    results : distance -> method -> MatchResult; the first distance is the primary one, whose
        counts also stand at the summary's top level (``recovered_<method>``,
        ``recovered_family_<method>``, ``kernels_matched``, ``distance``).
    families : matrix id without version -> TF families (danqmotifs.sources.jaspar.read_family_table);
        None: no family-level verdicts.

    Returns
    -------
    rows : one per (distance, planted motif), with a ``distance`` column.
    summary : dict; ``by_distance`` holds every distance's counts.
    """
    families = families or {}
    rows, by_distance = [], {}
    for dist, res_by_method in results.items():
        drows = []
        for m in planted:
            row = {"distance": dist, "planted_id": m.id, "planted_name": m.name,
                   "planted_family": "; ".join(sorted(families.get(base_id(m.id), set())))}
            for meth, res in res_by_method.items():
                row["in_database"] = bool(any(base_id(t) == base_id(m.id) for t in res.target_ids))
                for k, v in recovery(m, res, q_threshold).items():
                    row[f"{k}_{meth}"] = v
                for k, v in family_recovery(m, res, q_threshold, families).items():
                    row[f"{k}_{meth}"] = v
            drows.append(row)
        first = next(iter(res_by_method.values()), None)
        counts = {}
        for meth in res_by_method:
            counts[f"recovered_{meth}"] = int(sum(r[f"recovered_{meth}"] for r in drows))
            counts[f"recovered_family_{meth}"] = int(sum(r[f"recovered_family_{meth}"] for r in drows))
        by_distance[dist] = {**counts, "engine": first.engine if first else "",
                             "kernels_matched": kernels_matched(res_by_method, evalue_threshold)}
        rows += drows
    primary = next(iter(results), "")
    top = by_distance.get(primary, {"engine": "", "kernels_matched": {}})
    first = next(iter(results.get(primary, {}).values()), None)
    summ = {"planted": len(planted), **{k: v for k, v in top.items() if k.startswith("recovered_")}}
    summ.update({
        "criterion": CRITERION.format(q=q_threshold),
        "criterion_family": CRITERION_FAMILY.format(q=q_threshold),
        "q_threshold": q_threshold,
        "engine": top["engine"],
        "distance": primary,
        "n_targets": first.n_targets if first else 0,
        "planted_in_database": int(sum(r.get("in_database", False) for r in rows if r["distance"] == primary)),
        "kernels_matched": top["kernels_matched"],
        "by_distance": by_distance,
        "motifs": rows,
    })
    return rows, summ
