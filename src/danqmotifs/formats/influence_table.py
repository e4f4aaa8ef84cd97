"""Kernel influence tables (``eval/influence.tsv``, ``eval/influence_ranked.tsv``): the result of
:mod:`danqmotifs.trust.influence` and its rows, written with the one TSV writer
(:func:`danqmotifs.formats.tsv.write_table`) and read back by the motif table. Needs numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.errors import InputError
from .tsv import number, read_tsv, write_table

INFLUENCE_COLUMNS = ("kernel", "target", "mean_abs_dp", "mean_dlogit", "d_roc_auc")
RANKED_COLUMNS = ("rank", "kernel", "influence", "max_abs_dp", "top_target", "mean_d_roc_auc",
                  "min_d_roc_auc", "min_d_roc_auc_target", "mean_activation")

@dataclass
class InfluenceResult:
    """Influence of each kernel on each target (arrays (K, T)) and what it was measured on.

    Attributes
    ----------
    targets : target names (T).
    mean_abs_dp, mean_dlogit, d_roc_auc : (K, T) float64 (d_roc_auc NaN where undefined).
    roc_auc : (T,) original ROC AUC on the sample.
    mean_activation : (K,) the constant each kernel's activation is replaced by.
    n_sequences : sequences in the sample; average_rc : whether both strands were averaged.
    kernel_ids : (K,) the kernel each row is (all kernels in order unless a subset was asked for).
    """

    targets: list[str]
    mean_abs_dp: np.ndarray
    mean_dlogit: np.ndarray
    d_roc_auc: np.ndarray
    roc_auc: np.ndarray
    mean_activation: np.ndarray
    n_sequences: int
    average_rc: bool
    kernel_ids: np.ndarray | None = None

    def __post_init__(self):
        if self.kernel_ids is None:
            self.kernel_ids = np.arange(self.mean_abs_dp.shape[0])

    @property
    def overall(self) -> np.ndarray:
        """(K,) mean |dp| averaged over targets."""
        return self.mean_abs_dp.mean(axis=1)


def influence_rows(res: InfluenceResult) -> list[dict]:
    """One row per (kernel, target), the columns ``INFLUENCE_COLUMNS``."""
    return [dict(kernel=int(res.kernel_ids[k]), target=t, mean_abs_dp=float(res.mean_abs_dp[k, j]), mean_dlogit=float(res.mean_dlogit[k, j]),
                 d_roc_auc=float(res.d_roc_auc[k, j]))
            for k in range(res.mean_abs_dp.shape[0]) for j, t in enumerate(res.targets)]


def ranked_rows(res: InfluenceResult) -> list[dict]:
    """Kernels by decreasing overall influence (ties: lower kernel first), the columns ``RANKED_COLUMNS``."""
    overall = res.overall
    order = sorted(range(overall.size), key=lambda k: (-overall[k], k))
    rows = []
    for r, k in enumerate(order, 1):
        d = res.d_roc_auc[k]
        defined = np.isfinite(d)
        worst = int(np.nanargmin(d)) if defined.any() else None
        rows.append(dict(rank=r, kernel=int(res.kernel_ids[k]), influence=float(overall[k]), max_abs_dp=float(res.mean_abs_dp[k].max()),
                         top_target=res.targets[int(np.argmax(res.mean_abs_dp[k]))],
                         mean_d_roc_auc=float(np.nanmean(d)) if defined.any() else float("nan"),
                         min_d_roc_auc=float(d[worst]) if worst is not None else float("nan"),
                         min_d_roc_auc_target=res.targets[worst] if worst is not None else "NA",
                         mean_activation=float(res.mean_activation[k])))
    return rows


def read_influence_table(path) -> InfluenceResult:
    """The (K, T) arrays of a table written with ``INFLUENCE_COLUMNS`` (original AUCs and mean
    activations are not in it: NaN)."""
    rows = read_tsv(path)
    if not rows or set(INFLUENCE_COLUMNS) - set(rows[0]):
        raise InputError(path, f"not an influence table (columns {', '.join(INFLUENCE_COLUMNS)})",
                         "rerun the influence rule")
    targets = list(dict.fromkeys(r["target"] for r in rows))
    K = max(int(r["kernel"]) for r in rows) + 1
    arr = {c: np.full((K, len(targets)), np.nan) for c in INFLUENCE_COLUMNS[2:]}
    ti = {t: j for j, t in enumerate(targets)}
    for r in rows:
        for c in arr:
            arr[c][int(r["kernel"]), ti[r["target"]]] = number(r[c], path)
    return InfluenceResult(targets, arr["mean_abs_dp"], arr["mean_dlogit"], arr["d_roc_auc"],
                           np.full(len(targets), np.nan), np.full(K, np.nan), 0, False)


def write_rows(rows, columns, path) -> None:
    """A TSV of ``rows`` with ``columns`` (floats to 6 significant digits, NA where undefined)."""
    write_table(path, columns, rows, float_format=".6g")
