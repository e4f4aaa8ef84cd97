"""The standard filter-analysis metrics, on simulated data, beside the planted-motif recovery.

Papers that read motifs out of convolution kernels usually report how many kernels match a known
motif. On simulated data the truth is known, so those counts can be judged. Per motif method, with a
kernel "annotated" when its best JASPAR match (smallest p-value) has q < ``q_threshold`` (the
planted-motif benchmark's rule, ``danqmotifs.trust.planted``):

* ``frac_kernels_annotated``: annotated kernels / kernels with a motif (what filter analyses report);
* ``frac_kernels_planted``: kernels whose best match is a planted matrix (id without version);
* ``frac_kernels_planted_family``: ... a planted matrix or a matrix of a planted matrix's TF family;
* ``planted_covered`` / ``planted_covered_family``: planted motifs that are some kernel's best match
  (the planted recovery) / at the family level;
* ``false_annotation_rate``: annotated kernels whose match is neither a planted matrix nor of a
  planted family, over the annotated kernels (NA when none is annotated): the share of the
  annotations a biologist would read that name a factor absent from the data.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from ..core.motif import Motif
from ..match.result import MatchResult, best_indices
from .planted import base_id

COLUMNS = ("distance", "method", "n_kernels", "n_annotated", "frac_kernels_annotated", "frac_kernels_planted",
           "frac_kernels_planted_family", "planted", "planted_covered", "planted_covered_family",
           "false_annotation_rate")


def filter_metrics(planted: Sequence[Motif], res: MatchResult, q_threshold: float,
                   families: Mapping[str, set] | None = None) -> dict:
    """The metrics of one method's match result (see the module docstring)."""
    families = families or {}

    def group(matrix_id):
        return families.get(base_id(matrix_id), set()) | {base_id(matrix_id)}

    planted_ids = {base_id(m.id) for m in planted}
    planted_groups = set().union(*(group(m.id) for m in planted)) if planted else set()
    n = len(res.query_ids)
    best = best_indices(res) if n else np.zeros(0, int)
    annotated, exact_hit, family_hit = [], [], []
    covered, covered_family = set(), set()
    for i, j in enumerate(best):
        if j < 0 or not res.q_value[i, j] < q_threshold:
            continue
        t = res.target_ids[j]
        annotated.append(i)
        if base_id(t) in planted_ids:
            exact_hit.append(i)
            covered.add(base_id(t))
        fam = group(t) & planted_groups
        if fam:
            family_hit.append(i)
            covered_family |= {base_id(m.id) for m in planted if group(m.id) & group(t)}
    frac = (lambda k: len(k) / n) if n else (lambda k: float("nan"))
    return dict(n_kernels=n, n_annotated=len(annotated), frac_kernels_annotated=frac(annotated),
                frac_kernels_planted=frac(exact_hit), frac_kernels_planted_family=frac(family_hit),
                planted=len(planted_ids), planted_covered=len(covered), planted_covered_family=len(covered_family),
                false_annotation_rate=(1 - len(family_hit) / len(annotated)) if annotated else float("nan"))


def metrics_rows(planted, results: Mapping[str, Mapping[str, MatchResult]], q_threshold: float,
                 families=None) -> list[dict]:
    """One row per (distance, method): ``COLUMNS``."""
    return [dict(distance=d, method=m, **filter_metrics(planted, res, q_threshold, families))
            for d, by_method in results.items() for m, res in by_method.items()]


def write_metrics(rows: Sequence[dict], path) -> None:
    """TSV of ``COLUMNS`` (fractions to 4 significant digits, NA where undefined)."""
    from pathlib import Path

    from ..core.errors import atomic_output

    def cell(v):
        if isinstance(v, float):
            return "NA" if not math.isfinite(v) else f"{v:.4g}"
        return str(v)
    lines = ["\t".join(COLUMNS)] + ["\t".join(cell(r[c]) for c in COLUMNS) for r in rows]
    with atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")
