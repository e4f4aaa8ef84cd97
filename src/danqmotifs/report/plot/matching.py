"""Figures of the matching stage: each kernel's best match per method, and the planted-motif
benchmark."""

from __future__ import annotations

import os
from typing import Mapping, Sequence

import numpy as np

from ...match.result import MatchResult, best_indices
from . import figure, save_png


def best_neglog_p(res: MatchResult) -> dict[str, float]:
    """Per query, -log10 of its best match's p-value (0 where no match was reported)."""
    b = best_indices(res)
    return {q: float(-np.log10(max(res.p_value[i, b[i]], 1e-300))) if b[i] >= 0 else 0.0
            for i, q in enumerate(res.query_ids)}


def draw_best_p(ax, results: Mapping[str, MatchResult], evalue_threshold: float = 0.01) -> None:
    """Each kernel's best -log10 p on ``ax``: one method against the other (two methods: a scatter
    with the diagonal) or a histogram per method; dashed lines at E = ``evalue_threshold``."""
    methods = list(results)
    first = results[methods[0]]
    line = -np.log10(evalue_threshold / first.n_targets)
    vals = {m: best_neglog_p(r) for m, r in results.items()}
    title = (f"best match per kernel ({first.engine}, {first.distance} distance, "
             f"{first.n_targets} targets); dashed: E = {evalue_threshold:g}")
    if len(methods) == 2:
        a, b = methods
        ids = sorted(set(vals[a]) | set(vals[b]))
        both = [k for k in ids if k in vals[a] and k in vals[b]]
        only_a = [k for k in ids if k not in vals[b]]
        ax.scatter([vals[b][k] for k in both], [vals[a][k] for k in both], s=14, color="k",
                   label=f"kernels ({len(both)})")
        if only_a:
            ax.scatter([0] * len(only_a), [vals[a][k] for k in only_a], s=18, marker="x", color="#d62728",
                       label=f"no {b} motif ({len(only_a)})")
        top = max([line, *vals[a].values(), *vals[b].values()]) * 1.05
        ax.plot([0, top], [0, top], color="grey", lw=1)
        ax.axvline(line, ls="--", color="grey", lw=1)
        ax.axhline(line, ls="--", color="grey", lw=1)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        n_a = sum(v > line for v in vals[a].values())
        n_b = sum(v > line for v in vals[b].values())
        ax.set_xlabel(f"{b}: best -log10 p  ({n_b} with E < {evalue_threshold:g})")
        ax.set_ylabel(f"{a}: best -log10 p  ({n_a} with E < {evalue_threshold:g})")
        ax.legend(fontsize=8, loc="lower right")
    else:
        for m in methods:
            ax.hist(list(vals[m].values()), bins=30, alpha=0.6, label=m)
        ax.axvline(line, ls="--", color="grey", lw=1)
        ax.set_xlabel("best -log10 p")
        ax.set_ylabel("kernels")
        ax.legend(fontsize=8)
    ax.set_title(title, fontsize=8)


def best_p_figure(path: str | os.PathLike, results: Mapping[str, MatchResult],
                  evalue_threshold: float = 0.01) -> None:
    """Write :func:`draw_best_p` to the PNG ``path`` (6 x 6 in for two methods, else 6 x 4)."""
    fig, axes = figure(figsize=(6, 6) if len(results) == 2 else (6, 4))
    draw_best_p(axes[0, 0], results, evalue_threshold)
    fig.tight_layout()
    save_png(fig, path, dpi=100)


def _neglog(p) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return -np.log10(np.clip(np.where(np.isfinite(p), p, 1.0), 1e-300, 1.0))


def draw_planted(axes, rows: Sequence[dict], methods: Sequence[str], q_threshold: float = 0.05) -> None:
    """Per planted motif, each method's best -log10 p on ``axes[0]`` (filled marker: recovered)
    and, with two methods, one against the other on ``axes[1]``.

    Parameters
    ----------
    axes : sequence of matplotlib Axes (two when there are two methods)
    rows : the per-motif rows of ``danqmotifs.trust.planted.benchmark``.
    methods : the methods, in the order of the legend.
    q_threshold : the q-value of the recovery criterion (for the title).
    """
    n = len(rows)
    labels = [f"{r['planted_id']} {r['planted_name']}" for r in rows]
    ax = axes[0]
    markers, colours = ["o", "s", "^", "D"], ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    y = np.arange(n)
    for k, meth in enumerate(methods):
        x = _neglog([r[f"best_p_{meth}"] for r in rows])
        rec = np.array([r[f"recovered_{meth}"] for r in rows], bool)
        dy = (k - (len(methods) - 1) / 2) * 0.18
        c, mk = colours[k % 4], markers[k % 4]
        ax.scatter(x[rec], y[rec] + dy, marker=mk, color=c, label=f"{meth}: recovered ({rec.sum()}/{n})")
        ax.scatter(x[~rec], y[~rec] + dy, marker=mk, facecolors="none", edgecolors=c,
                   label=f"{meth}: not recovered")
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("best -log10 p of any kernel vs the planted matrix")
    ax.set_title(f"planted motifs (recovered: best match of a kernel, q < {q_threshold})", fontsize=9)
    ax.set_xlim(left=0)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    if len(methods) == 2:
        a, b = methods
        ax2 = axes[1]
        xa, xb = _neglog([r[f"best_p_{a}"] for r in rows]), _neglog([r[f"best_p_{b}"] for r in rows])
        ax2.scatter(xb, xa, color="k")
        for xi, yi, r in zip(xb, xa, rows):
            ax2.annotate(r["planted_name"], (xi, yi), fontsize=7, xytext=(3, 3), textcoords="offset points")
        top = max(float(np.max(xa, initial=1)), float(np.max(xb, initial=1))) * 1.05
        ax2.plot([0, top], [0, top], "--", color="grey", lw=1)
        ax2.set_xlim(0, top)
        ax2.set_ylim(0, top)
        ax2.set_xlabel(f"{b}: best -log10 p")
        ax2.set_ylabel(f"{a}: best -log10 p")
        ax2.set_title(f"{a} vs {b} (above the diagonal: {a} closer)", fontsize=9)


def planted_figure(path: str | os.PathLike, rows: Sequence[dict], methods: Sequence[str],
                   q_threshold: float = 0.05) -> None:
    """Write :func:`draw_planted` to the PNG ``path``."""
    two = len(methods) == 2
    fig, axes = figure(1, 2 if two else 1, figsize=(11 if two else 6, 0.45 * len(rows) + 2.6))
    draw_planted(axes[0], rows, methods, q_threshold)
    fig.tight_layout()
    save_png(fig, path, dpi=100)
