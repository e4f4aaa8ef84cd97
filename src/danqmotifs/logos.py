"""Sequence logos of kernel motifs beside their best database match (logomaker).

Letter heights are information content in bits against a uniform background (0 to 2 bits, the
usual DNA logo, so that every panel shares one scale): height(j, c) = p(j, c) * IC(j).

One PNG per kernel: a column per method (exact, heuristic), the kernel's motif on top and its best
match below, drawn on the same x axis. Tomtom's alignment puts query column i against target
column i + offset, the target reverse-complemented when the orientation is '-': the target is
drawn from x = -offset.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .errors import atomic_output
from .meme import information_content
from .motif import Motif

MAX_BITS = 2.0


def information_matrix(pwm: np.ndarray) -> np.ndarray:
    """(L, 4) letter heights in bits: probability x information content of the row."""
    p = np.asarray(pwm, dtype=np.float64)
    return p * information_content(p)[:, None]


def aligned_target(target_pwm: np.ndarray, offset: int, orientation: str) -> tuple[np.ndarray, int]:
    """The target as drawn under a query: (PWM in the matched orientation, x of its first column)."""
    t = np.asarray(target_pwm, dtype=np.float64)
    if orientation == "-":
        t = t[::-1, ::-1]
    return t, -int(offset)


def logo_frame(pwm: np.ndarray, x0: int = 0):
    """The letter heights as logomaker draws them: columns A, C, G, T; index = x positions."""
    import pandas as pd

    heights = information_matrix(pwm)
    return pd.DataFrame(heights, columns=list("ACGT"), index=np.arange(x0, x0 + len(heights)))


def _draw(ax, pwm: np.ndarray, x0: int, title: str, xlim: tuple[float, float]) -> None:
    import warnings

    import logomaker

    with warnings.catch_warnings():  # a flat motif (all heights 0) makes logomaker warn about ylim
        warnings.simplefilter("ignore", UserWarning)
        logomaker.Logo(logo_frame(pwm, x0), ax=ax, color_scheme="classic", show_spines=False)
    ax.set_xlim(*xlim)
    ax.set_ylim(0, MAX_BITS)
    ax.set_yticks([0, 1, 2])
    ax.set_ylabel("bits")
    ax.set_title(title, fontsize=9, loc="left")


def _blank(ax, text: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=9)


def panel_title(match: Mapping | None, q_threshold: float) -> str:
    """'MA0139.2 CTCF  p=... E=... q=...  (- strand, offset -4)' for a best-match row."""
    if match is None:
        return "no match reported"
    sig = "" if match["q_value"] < q_threshold else "  [not significant]"
    return (f"best match {match['target_id']} {match['target_name']}  p={match['p_value']:.2g} "
            f"E={match['e_value']:.2g} q={match['q_value']:.2g}  ({match['orientation']} strand, "
            f"offset {int(match['offset'])}){sig}")


def kernel_figure(path, kernel: str, panels: Sequence[dict], q_threshold: float = 0.05,
                  dpi: int = 80) -> None:
    """Write one kernel's figure.

    Parameters
    ----------
    path : PNG to write (atomically).
    kernel : the kernel's motif id (figure title).
    panels : one dict per method: ``method``, ``query`` (Motif or None when the method has no motif
        for this kernel), ``note`` (shown instead of a missing query), ``match`` (best-match row as a
        mapping, or None) and ``target`` (the matched database Motif, or None).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ncol = max(len(panels), 1)
    widths = []
    spans = []
    for pan in panels:
        q = pan.get("query")
        lo, hi = 0, (q.width if q is not None else 1)
        if q is not None and pan.get("target") is not None and pan.get("match") is not None:
            t, x0 = aligned_target(pan["target"].pwm, pan["match"]["offset"], pan["match"]["orientation"])
            lo, hi = min(lo, x0), max(hi, x0 + len(t))
        spans.append((lo - 0.5, hi - 0.5))
        widths.append(hi - lo)
    fig, axes = plt.subplots(2, ncol, figsize=(max(4.0, 0.28 * sum(widths) + 1.5 * ncol), 4.2),
                             squeeze=False, gridspec_kw={"width_ratios": [max(w, 4) for w in widths]})
    for c, pan in enumerate(panels):
        q, m, t = pan.get("query"), pan.get("match"), pan.get("target")
        if q is None:
            _blank(axes[0, c], f"{pan['method']}: {pan.get('note') or 'no motif'}")
            _blank(axes[1, c], "")
            continue
        _draw(axes[0, c], q.pwm, 0, f"{pan['method']}  (nsites={int(q.nsites)})", spans[c])
        if m is None or t is None:
            _blank(axes[1, c], panel_title(None, q_threshold))
            continue
        tp, x0 = aligned_target(t.pwm, m["offset"], m["orientation"])
        _draw(axes[1, c], tp, x0, panel_title(m, q_threshold), spans[c])
    fig.suptitle(kernel, fontsize=11, x=0.01, ha="left")
    fig.tight_layout()
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    plt.close(fig)


def _render_one(job) -> str:
    path, kernel, panels, q_threshold, dpi = job
    kernel_figure(path, kernel, panels, q_threshold, dpi)
    return str(path)


def kernel_panels(queries: Mapping[str, Sequence[Motif]], best: Mapping[str, Mapping[str, dict]],
                  targets: Mapping[str, Motif], notes: Mapping[str, Mapping[str, str]] | None = None
                  ) -> dict[str, list[dict]]:
    """Panels of every kernel (ids from any method, sorted), one per method in ``queries`` order.

    ``best[method][query_id]`` is the best-match row, ``notes[method][query_id]`` says why a method
    has no motif for a kernel (e.g. a dead kernel).
    """
    notes = notes or {}
    by_id = {meth: {m.id: m for m in ms} for meth, ms in queries.items()}
    kernels = sorted({m.id for ms in queries.values() for m in ms} |
                     {k for n in notes.values() for k in n})
    out = {}
    for k in kernels:
        panels = []
        for meth in queries:
            q = by_id[meth].get(k)
            m = best.get(meth, {}).get(k) if q is not None else None
            t = targets.get(m["target_id"]) if m is not None else None
            panels.append({"method": meth, "query": q, "match": m, "target": t,
                           "note": notes.get(meth, {}).get(k, "no motif")})
        out[k] = panels
    return out


def render_logos(out_dir, panels_by_kernel: Mapping[str, list[dict]], q_threshold: float = 0.05,
                 threads: int = 1, dpi: int = 80) -> list[str]:
    """One PNG per kernel in ``out_dir`` (``<kernel>.png``), ``threads`` processes in parallel."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(out_dir / f"{k}.png", k, p, q_threshold, dpi) for k, p in panels_by_kernel.items()]
    if threads <= 1 or len(jobs) <= 1:
        return [_render_one(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=min(threads, len(jobs), os.cpu_count() or 1)) as ex:
        return list(ex.map(_render_one, jobs, chunksize=4))
