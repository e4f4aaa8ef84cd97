"""Figures of the k2p simulation benchmark: the paper's scatter (heuristic vs exact, the authors'
protocol), the distribution of its paired differences, and the held-out check's panels (test
split; fixed and random initialisation; raw and LR-oriented score) coloured by the sign of the
trained model's dense weight."""

from __future__ import annotations

import numpy as np

from ....report.plot import figure, save_png

METRIC_NAMES = {"auroc": "AUROC", "auprc": "AUPRC"}


def _p_text(summary: dict | None, metric: str) -> str:
    if not summary or metric not in summary:
        return ""
    s = summary[metric]
    p = s.get("p_value")
    q = s.get("p_value_heuristic_greater")
    text = "Wilcoxon exact > heuristic: p = " + ("n/a" if p is None else f"{p:.3g}")
    if q is not None:
        text += f"\n(heuristic > exact: p = {q:.3g})"
    return text + f"\nexact wins/ties/losses {s['wins']}/{s['ties']}/{s['losses']}"


def draw_scatter(ax, heuristic, exact, metric: str = "auroc", summary: dict | None = None, sign=None,
                 title: str | None = None) -> None:
    """One motif per point: x = the heuristic PFM's value, y = the exact PWM's; the diagonal drawn.

    Parameters
    ----------
    ax : matplotlib Axes
    heuristic, exact : array-like, one value per motif.
    metric : "auroc" or "auprc" (axis labels).
    summary : one analysis of wilcoxon.json (``n_motifs``, ``auroc``, ``auprc``), to print the
        test result in the panel.
    sign : optional dense weights, one per motif: points coloured by their sign.
    title : panel title (default: the metric and the number of motifs).
    """
    x, y = np.asarray(heuristic, float), np.asarray(exact, float)
    ok = np.isfinite(x) & np.isfinite(y)
    lo = float(min(x[ok].min(), y[ok].min())) if ok.any() else 0.0
    lo = max(0.0, lo - 0.02)
    ax.plot([lo, 1.0], [lo, 1.0], color="0.5", lw=1, ls="--", zorder=1)
    if sign is None:
        ax.scatter(x[ok], y[ok], s=10, alpha=0.6, color="tab:blue", edgecolors="none", zorder=2)
    else:
        pos = np.asarray(sign, float) > 0
        for mask, color, label in ((ok & pos, "tab:blue", "dense weight > 0"),
                                   (ok & ~pos, "tab:red", "dense weight <= 0")):
            ax.scatter(x[mask], y[mask], s=10, alpha=0.6, color=color, edgecolors="none", zorder=2,
                       label=f"{label} ({int(mask.sum())})")
        ax.legend(loc="lower right", fontsize=7, frameon=False)
    name = METRIC_NAMES.get(metric, metric)
    ax.set_xlabel(f"heuristic PFM {name}")
    ax.set_ylabel(f"exact PWM {name}")
    ax.set_xlim(lo, 1.0)
    ax.set_ylim(lo, 1.0)
    ax.set_aspect("equal")
    text = _p_text(summary, metric)
    if text:
        ax.text(0.03, 0.97, text, transform=ax.transAxes, va="top", ha="left", fontsize=8)
    ax.set_title(title or f"{name}, {int(ok.sum())} motifs", fontsize=9)


def draw_differences(ax, heuristic, exact, metric: str = "auroc", bins: int = 40) -> None:
    """Histogram of exact - heuristic per motif, with 0 marked."""
    d = np.asarray(exact, float) - np.asarray(heuristic, float)
    d = d[np.isfinite(d)]
    ax.hist(d, bins=bins, color="tab:blue", alpha=0.8)
    ax.axvline(0.0, color="0.3", lw=1, ls="--")
    name = METRIC_NAMES.get(metric, metric)
    ax.set_xlabel(f"{name}: exact - heuristic")
    ax.set_ylabel("motifs")
    if d.size:
        ax.set_title(f"mean {d.mean():+.4f}, median {np.median(d):+.4f}")


def _prefix(protocol: str) -> str:
    return "heldout_fixed_raw_" if protocol == "heldout" else "paper_"


def scatter_figure(table, path, summary: dict | None = None, dpi: int = 110) -> None:
    """scatter.png: one panel for AUROC, one for AUPRC, of the headline analysis (the authors'
    protocol unless wilcoxon.json's ``protocol`` is ``heldout``)."""
    from .stats import headline

    protocol = (summary or {}).get("protocol", "paper")
    pre = _prefix(protocol)
    fig, axes = figure(1, 2, figsize=(10.0, 5.0))
    for ax, metric in zip(axes[0], ("auroc", "auprc")):
        draw_scatter(ax, table[f"{pre}{metric}_heuristic"], table[f"{pre}{metric}_exact"], metric,
                     headline(summary) if summary else None)
    fig.suptitle("authors' protocol (in-sample LR; AUROC of class labels)" if protocol == "paper"
                 else "held-out check (test split, raw score, fixed initialisation)", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    save_png(fig, path, dpi=dpi)


def heldout_figure(table, path, summary: dict | None = None, dpi: int = 110) -> None:
    """heldout.png: the held-out check, rows = initialisation x score, columns = AUROC, AUPRC;
    points coloured by the sign of that model's final dense weight (the random initialisation's rows
    only where the table has them: ``random_starts``)."""
    kinds = [k for k in ("fixed", "random") if f"dense_w_{k}" in table]
    fig, axes = figure(2 * len(kinds), 2, figsize=(10.0, 9.5 * len(kinds)))
    r = 0
    for kind in kinds:
        for score in ("raw", "lr"):
            pre = f"heldout_{kind}_{score}_"
            part = summary["heldout"][kind][score] if summary else None
            for c, metric in enumerate(("auroc", "auprc")):
                draw_scatter(axes[r][c], table[f"{pre}{metric}_heuristic"], table[f"{pre}{metric}_exact"], metric,
                             part, sign=table[f"dense_w_{kind}"],
                             title=f"{METRIC_NAMES[metric]} on the test split: {kind} init, "
                                   f"{'raw log-likelihood' if score == 'raw' else 'LR-oriented score'}")
            r += 1
    fig.suptitle("held-out robustness check (this project's; not the authors' protocol)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.985))
    save_png(fig, path, dpi=dpi)


def differences_figure(table, path, protocol: str = "paper", dpi: int = 110) -> None:
    """differences.png: histograms of the paired differences for AUROC and AUPRC (headline analysis)."""
    pre = _prefix(protocol)
    fig, axes = figure(1, 2, figsize=(10.0, 4.0))
    for ax, metric in zip(axes[0], ("auroc", "auprc")):
        draw_differences(ax, table[f"{pre}{metric}_heuristic"], table[f"{pre}{metric}_exact"], metric)
    fig.tight_layout()
    save_png(fig, path, dpi=dpi)
