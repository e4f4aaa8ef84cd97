"""Figures of training and evaluation: the per-epoch curves and the per-target AUCs."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from . import figure, save_png


def draw_training_curves(axes, history: Sequence[dict], best_epoch: int = 0) -> None:
    """Loss (``axes[0]``) and mean ROC AUC (``axes[1]``) per epoch, training and validation.

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
    history : sequence of dict
        Rows with ``epoch``, ``loss``, ``auc``, ``val_loss``, ``val_auc`` (as the history TSV).
    best_epoch : int
        The kept epoch, marked with a dotted line (0: none).
    """
    from matplotlib.ticker import MaxNLocator

    ep = [r["epoch"] for r in history]
    for ax, key, label in ((axes[0], "loss", "binary cross-entropy"), (axes[1], "auc", "mean ROC AUC")):
        ax.plot(ep, [r[key] for r in history], "o-", label="training", ms=3)
        ax.plot(ep, [r[f"val_{key}"] for r in history], "s-", label="validation", ms=3)
        if best_epoch:
            ax.axvline(best_epoch, color="grey", ls=":", lw=1, label=f"kept (epoch {best_epoch})")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)


def plot_training_curves(history: Sequence[dict], path: str | os.PathLike, best_epoch: int = 0) -> None:
    """Write the training curves (:func:`draw_training_curves`) to the PNG ``path``."""
    fig, axes = figure(1, 2, figsize=(9, 3.6))
    draw_training_curves(axes[0], history, best_epoch)
    fig.tight_layout()
    save_png(fig, path, dpi=110)


def auc_panel_count(reference: dict[str, dict] | None) -> int:
    """Axes :func:`draw_auc` needs: 1, plus one per AUC kind the reference gives (ROC, PR)."""
    return 1 + (1 if reference else 0) + (1 if reference and any(np.isfinite(v["pr_auc"]) for v in reference.values()) else 0)


def auc_limits(values: Sequence[float]) -> tuple[float, float]:
    """y limits fitted to the finite AUCs: from a margin below the lowest to just above 1 (0-1.02
    without any value), so points crowded near 1 stay apart."""
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=np.float64)
    if v.size == 0:
        return 0.0, 1.02
    lo = float(v.min())
    return max(0.0, lo - 0.05 * max(1.0 - lo, 0.02)), 1.0 + 0.02 * max(1.0 - lo, 0.05)


def draw_auc(axes, rows: Sequence[dict], reference: dict[str, dict] | None = None) -> None:
    """Per-target ROC AUC and PR AUC (targets sorted by ROC AUC) on ``axes[0]``; with a reference,
    on the next axes a scatter of the reference AUCs against these, one point per target, as the
    DanQ paper compares models.

    Parameters
    ----------
    axes : sequence of matplotlib Axes, :func:`auc_panel_count` of them
    rows : sequence of dict
        Rows of the AUC table (``target``, ``roc_auc``, ``pr_auc``).
    reference : dict, optional
        {target: {"roc_auc": x, "pr_auc": y}} (``danqmotifs.formats.reference.Reference.as_dict``).
    """
    ncol = auc_panel_count(reference)
    good = [r for r in rows if np.isfinite(r["roc_auc"])]
    good.sort(key=lambda r: r["roc_auc"])
    ax = axes[0]
    x = np.arange(len(good))
    ax.plot(x, [r["roc_auc"] for r in good], ".", label="ROC AUC")
    ax.plot(x, [r["pr_auc"] for r in good], ".", label="PR AUC")
    ax.set_xlabel("target (sorted by ROC AUC)")
    ax.set_ylabel("area under the curve")
    ax.set_ylim(*auc_limits([r[k] for r in good for k in ("roc_auc", "pr_auc")]))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    if len(good) <= 20:
        ax.set_xticks(x)
        ax.set_xticklabels([r["target"] for r in good], rotation=90, fontsize=6)
    if reference:
        byname = {r["target"]: r for r in rows}
        for j, key in enumerate(("roc_auc", "pr_auc")[:ncol - 1], start=1):
            pts = [(v[key], byname[k][key]) for k, v in reference.items()
                   if k in byname and np.isfinite(v[key]) and np.isfinite(byname[k][key])]
            a = axes[j]
            if pts:
                rx, mx = np.array(pts).T
                a.scatter(rx, mx, s=6, alpha=0.6)
                lo = float(min(rx.min(), mx.min()))
                a.plot([lo, 1], [lo, 1], color="grey", lw=1, ls="--")
                a.set_aspect("equal", adjustable="datalim")
                better = int((mx > rx).sum())
                a.set_title(f"{better}/{len(pts)} targets above the diagonal", fontsize=9)
            a.set_xlabel(f"reference {key.replace('_', ' ').upper()}")
            a.set_ylabel(f"this model's {key.replace('_', ' ').upper()}")
            a.grid(alpha=0.3)


def plot_auc(rows: Sequence[dict], path: str | os.PathLike, reference: dict[str, dict] | None = None,
             title: str = "") -> None:
    """Write the AUC figure (:func:`draw_auc`, with ``title`` above it) to the PNG ``path``."""
    ncol = auc_panel_count(reference)
    fig, axes = figure(1, ncol, figsize=(max(4.6 * ncol, 6.4), 4.2))
    draw_auc(axes[0], rows, reference)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_png(fig, path, dpi=110)
