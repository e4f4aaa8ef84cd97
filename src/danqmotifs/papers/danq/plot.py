"""The DanQ paper's per-target AUC comparison: this model against each reference column."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ...report.plot import figure, save_png

#: colour of each target class (``danqmotifs.papers.danq.figures.CLASSES``; others grey)
CLASS_COLOURS = {"DNase": "tab:green", "TF": "tab:blue", "histone": "tab:red"}
METRIC_LABELS = {"roc_auc": "ROC AUC", "pr_auc": "PR AUC"}


def draw_auc_scatter(ax, reference: np.ndarray, model: np.ndarray, classes: Sequence[str] | None = None,
                     metric: str = "roc_auc", reference_name: str = "reference") -> float | None:
    """One point per target: the reference's AUC (x) against this model's (y), the diagonal, and
    the share of targets above it (this model better) in the title.

    Parameters
    ----------
    ax : matplotlib Axes
    reference, model : (T,) AUCs (NaN: left out).
    classes : (T,) target classes, coloured by ``CLASS_COLOURS`` and drawn largest class first
        (smaller classes on top); None: one colour.
    metric : ``roc_auc`` or ``pr_auc`` (axis labels).
    reference_name : the reference model's name.

    Returns
    -------
    The share above the diagonal (None when no target has both AUCs).
    """
    x, y = np.asarray(reference, np.float64), np.asarray(model, np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    label = METRIC_LABELS.get(metric, metric)
    if not ok.any():
        ax.text(0.5, 0.5, "no target with both AUCs", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"{label}: this model vs {reference_name}", fontsize=9)
        return None
    cls = np.asarray(classes) if classes is not None else np.full(x.size, "all")
    # the largest class first, so the smaller ones (DanQ's 125 DNase beside 690 TF) stay visible
    names, counts = np.unique(cls[ok], return_counts=True)
    for z, k in enumerate(sorted(range(len(names)), key=lambda i: (-counts[i], names[i]))):
        sel = ok & (cls == names[k])
        ax.scatter(x[sel], y[sel], s=6, alpha=0.6, color=CLASS_COLOURS.get(names[k], "tab:grey"),
                   label=f"{names[k]} ({int(sel.sum())})", linewidths=0, zorder=2 + z)
    lo = max(0.0, min(float(x[ok].min()), float(y[ok].min())) - 0.02)
    ax.plot([lo, 1], [lo, 1], color="grey", lw=1, ls="--", zorder=0)
    ax.set_xlim(lo, 1.0)
    ax.set_ylim(lo, 1.0)
    ax.set_aspect("equal", adjustable="box")
    share = float(np.mean(y[ok] > x[ok]))
    ax.set_title(f"{label}: {100 * share:.1f}% of {int(ok.sum())} targets above the diagonal", fontsize=9)
    ax.set_xlabel(f"{reference_name} {label}")
    ax.set_ylabel(f"this model's {label}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right", markerscale=2)
    return share


def plot_auc_scatter(model: dict, reference_auc: dict, columns: Sequence[str], path: str | os.PathLike,
                     classes: Sequence[str] | None = None, title: str = "") -> None:
    """Write a grid of :func:`draw_auc_scatter` panels to the PNG ``path``: one row per reference
    column, ROC AUC left and PR AUC right.

    Parameters
    ----------
    model : {metric: (T,)} this model's AUCs.
    reference_auc : {metric: {column: (T,)}} (``danqmotifs.papers.danq.figures.Reference.auc``).
    columns : the reference columns, in row order.
    """
    fig, axes = figure(len(columns), 2, figsize=(8.4, 4.0 * len(columns)))
    for i, col in enumerate(columns):
        for j, metric in enumerate(("roc_auc", "pr_auc")):
            draw_auc_scatter(axes[i][j], reference_auc[metric][col], model[metric], classes, metric, col)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_png(fig, path, dpi=110)
