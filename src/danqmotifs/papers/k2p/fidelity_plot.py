"""The k2p fidelity figure: per-target AUCs of the substitute models against the original's."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ...report.plot import figure, save_png

#: marker and colour of each substitute model
STYLES = {"exact": dict(marker="o", color="tab:blue", s=14, alpha=0.7),
          "heuristic": dict(marker="^", color="tab:orange", s=14, alpha=0.7)}
METRICS = (("roc_auc", "ROC AUC"), ("pr_auc", "PR AUC"))


def draw_fidelity(axes, rows: Sequence[dict], summary: dict | None = None) -> None:
    """One point per target: the original model's AUC (x) against each substitute's (y), ROC AUC
    on ``axes[0]`` and PR AUC on ``axes[1]``, with the diagonal.

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
    rows : sequence of dict
        Rows of the fidelity table (``danqmotifs.papers.k2p.fidelity.FIDELITY_COLUMNS``).
    summary : dict, optional
        The fidelity summary; its max |difference| of the exact model's predictions goes in the
        first panel's title.
    """
    for ax, (metric, label) in zip(axes, METRICS):
        x = np.array([r[f"{metric}_original"] for r in rows], dtype=np.float64)
        lo = 1.0
        for name, style in STYLES.items():
            y = np.array([r[f"{metric}_{name}"] for r in rows], dtype=np.float64)
            ok = np.isfinite(x) & np.isfinite(y)
            if not ok.any():
                continue
            drop = float(np.mean(x[ok] - y[ok]))
            ax.scatter(x[ok], y[ok], label=f"{name} (mean drop {drop:+.4f})", **style)
            lo = min(lo, float(x[ok].min()), float(y[ok].min()))
        lo = max(0.0, lo - 0.02)
        ax.plot([lo, 1], [lo, 1], color="grey", lw=1, ls="--", zorder=0)
        ax.set_xlim(lo, 1.0)
        ax.set_ylim(lo, 1.0)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel(f"original model's {label}")
        ax.set_ylabel(f"substitute model's {label}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    if summary and summary.get("max_abs_diff_exact") is not None:
        axes[0].set_title(f"exact: max |prediction difference| {summary['max_abs_diff_exact']:.2g}", fontsize=9)


def plot_fidelity(rows: Sequence[dict], path: str | os.PathLike, summary: dict | None = None,
                  title: str = "") -> None:
    """Write the fidelity figure (:func:`draw_fidelity`) to the PNG ``path``."""
    fig, axes = figure(1, 2, figsize=(9, 4.4))
    draw_fidelity(axes[0], rows, summary)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_png(fig, path, dpi=110)
