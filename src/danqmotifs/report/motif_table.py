"""The motif table: the one page a biologist reads first.

One row per kernel (or, with several training replicates, per cluster of similar motifs across
replicates), ranked by reproducibility (replicates a motif occurs in; 1 with one replicate) and then
by influence (mean |dp| over targets, ``danqmotifs.trust.influence``), with the motif's best JASPAR match,
the targets it drives most (and whether it raises or lowers them), its faithfulness per method
(``danqmotifs.trust.faithfulness``) and the path of its logo. Written as a TSV; the report's page with the logos is
``danqmotifs.report.findings``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.errors import atomic_output
from ..formats.meme import kernel_ids

#: targets listed per motif
TOP_TARGETS = 3


def driven_targets(mean_abs_dp: np.ndarray, mean_dlogit: np.ndarray, targets: Sequence[str],
                   top: int = TOP_TARGETS) -> str:
    """The ``top`` targets a kernel moves most, each with + (the kernel raises it: removing its
    information lowers the logit) or - (lowers it), e.g. ``CTCF(+) REST(-)``; targets it does not
    move are left out."""
    order = sorted(range(len(targets)), key=lambda t: (-mean_abs_dp[t], t))[:top]
    return " ".join(f"{targets[t]}({'+' if mean_dlogit[t] < 0 else '-'})" for t in order if mean_abs_dp[t] > 0)


def best_match_by_query(best_rows: Sequence[dict], method: str) -> dict[str, dict]:
    """query -> best match row of ``method`` (rows of best_matches.tsv)."""
    return {r["query"]: r for r in best_rows if r.get("method") == method}


def kernel_rows(influence, faith_rows: Sequence[dict] | None, best: dict[str, dict], logos_dir=None) -> list[dict]:
    """Motif-table rows of one replicate: one per kernel, ranked by influence.

    Parameters
    ----------
    influence : ``influence.InfluenceResult`` (e.g. from ``read_influence_table``).
    faith_rows : rows of the faithfulness table (``kernel``, ``corr_<m>``, ``d_roc_auc_<m>``) or None.
    best : query -> best JASPAR match row (``best_match_by_query``).
    logos_dir : the logos directory (``kernel_XXX.png``), or None.
    """
    faith = {int(r["kernel"]): r for r in faith_rows or []}
    overall = influence.overall
    n_kernels = int(np.max(influence.kernel_ids)) + 1 if len(influence.kernel_ids) else 0
    names = kernel_ids(n_kernels)           # the query names of the MEME files and match tables
    rows = []
    for i, k in enumerate(influence.kernel_ids):
        k = int(k)
        name = names[k]
        m = best.get(name, {})
        row = dict(motif=name, replicates=1, kernels=name, influence=float(overall[i]),
                   targets=driven_targets(influence.mean_abs_dp[i], influence.mean_dlogit[i], influence.targets),
                   match_id=m.get("target_id", "") or "", match_name=m.get("target_name", "") or "",
                   match_q=_float(m.get("q_value")))
        for key, v in faith.get(k, {}).items():
            if key != "kernel":
                row[key] = _float(v)
        logo = Path(logos_dir) / f"{name}.png" if logos_dir else None
        row["logo"] = str(logo) if logo is not None and logo.is_file() else ""
        rows.append(row)
    return rank_rows(rows)


def rank_rows(rows: list[dict]) -> list[dict]:
    """Rows by decreasing replicates, then influence (ties: name); ``rank`` set from 1."""
    rows = sorted(rows, key=lambda r: (-r["replicates"], -(r["influence"] if math.isfinite(r["influence"]) else -1),
                                       r["motif"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


def _float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def columns(rows: Sequence[dict]) -> list[str]:
    """The table's columns: the fixed ones, then faithfulness columns in first-seen order."""
    head = ["rank", "motif", "replicates", "kernels", "influence", "targets", "match_id", "match_name", "match_q"]
    extra = [c for r in rows for c in r if c not in head and c != "logo"]
    return head + list(dict.fromkeys(extra)) + ["logo"]


def _cell(v) -> str:
    if isinstance(v, float):
        return "NA" if not math.isfinite(v) else f"{v:.4g}"
    return str(v)


def write_motif_table(rows: Sequence[dict], path) -> None:
    """The table as TSV (NA where a number is undefined)."""
    cols = columns(rows)
    lines = ["\t".join(cols)] + ["\t".join(_cell(r.get(c, "")) for c in cols) for r in rows]
    with atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")


def cluster_table_rows(cluster_rows: Sequence[dict], kernel_rows_rep0: Sequence[dict]) -> list[dict]:
    """Motif-table rows with several replicates: one per cluster (rows of reproducibility.tsv),
    ranked by replicates then influence; the targets and the logo of the cluster's first kernel of
    replicate 0 (``kernel_rows_rep0``, from :func:`kernel_rows`), when it has one."""
    by_kernel = {int(r["motif"].rsplit("_", 1)[1]): r for r in kernel_rows_rep0}
    rows = []
    for c in cluster_rows:
        members = c["kernels"].split()
        rep0 = [int(m.split(":k")[1]) for m in members if m.startswith("r0:")]
        k0 = by_kernel.get(rep0[0], {}) if rep0 else {}
        row = dict(motif=f"cluster_{int(c['cluster'])}", replicates=int(c["replicates"]), kernels=c["kernels"],
                   influence=_float(c["influence"]), targets=k0.get("targets", ""), match_id=c.get("match_id", ""),
                   match_name=c.get("match_name", ""), match_q=_float(c.get("match_q")))
        for key, v in c.items():
            if key.startswith(("corr_", "d_roc_auc_")):
                row[key] = _float(v)
        row["logo"] = k0.get("logo", "")
        rows.append(row)
    return rank_rows(rows)
