"""Kernel logo figures: per kernel, a column per method, its motif on top and its best database
match below on the same x axis (the logos themselves are drawn by ``danqmotifs.report.logos``)."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..logos import aligned_target, draw_blank, draw_logo, is_flat, panel_title
from . import figure, save_png, tight_layout


def panel_spans(panels: Sequence[dict]) -> tuple[list[tuple[float, float]], list[int]]:
    """Per panel the x range its logos need (the query and its aligned match) and its width.

    Returns
    -------
    spans : list of (left, right) x limits.
    widths : list of int, columns covered (for the widths of the figure's columns).
    """
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
    return spans, widths


def match_not_drawn(panel: Mapping, q_threshold: float = 0.05) -> bool:
    """Whether :func:`draw_kernel_panels` names this panel's best match instead of drawing its
    logo: the panel has a motif that is not flat and a best match, and the match's q is not below
    ``q_threshold``. The benchmark counts the logos saved with the same test."""
    q, m, t = panel.get("query"), panel.get("match"), panel.get("target")
    return (q is not None and m is not None and t is not None and not is_flat(q.pwm)
            and not m["q_value"] < q_threshold)


def draw_kernel_panels(axes, panels: Sequence[dict], spans: Sequence[tuple[float, float]],
                       q_threshold: float = 0.05, fast: bool = True, insignificant: bool = False) -> None:
    """Draw one kernel's panels on a (2, n_panels) grid of axes: the method's motif on top, its
    best match (aligned) below; a blank panel with a note where there is none. A best match at
    q >= ``q_threshold`` is named in a blank panel, its logo not drawn (as on the report's first
    page, which draws significant matches alone); the panel keeps its width, so the other panels
    are drawn as before.

    Parameters
    ----------
    axes : 2-D array of matplotlib Axes, shape (2, len(panels))
    panels : see :func:`kernel_figure`.
    spans : x limits per panel (:func:`panel_spans`).
    q_threshold : matches at q >= this are labelled not significant.
    fast : draw the letters with ``danqmotifs.report.logos.draw_letters`` (logomaker's pixels, less
        time); ``False`` draws them with logomaker itself.
    insignificant : also draw the logos of matches at q >= ``q_threshold`` (the drawing before
        issue 33, kept for the benchmark's before/after).
    """
    for c, pan in enumerate(panels):
        q, m, t = pan.get("query"), pan.get("match"), pan.get("target")
        if q is None:
            draw_blank(axes[0, c], f"{pan['method']}: {pan.get('note') or 'no motif'}")
            draw_blank(axes[1, c], "")
            continue
        draw_logo(axes[0, c], q.pwm, 0, f"{pan['method']}  (nsites={int(q.nsites)})", spans[c], fast)
        if m is None or t is None:
            draw_blank(axes[1, c], panel_title(None, q_threshold))
            continue
        if is_flat(q.pwm):                   # a flat motif matches nothing in particular
            draw_blank(axes[1, c], "flat motif (no information): matches not shown")
            continue
        if not insignificant and match_not_drawn(pan, q_threshold):
            draw_blank(axes[1, c], f"best match {m['target_id']} {m['target_name']}\n"
                                   f"q={m['q_value']:.2g}: not significant, logo not drawn")
            continue
        tp, x0 = aligned_target(t.pwm, m["offset"], m["orientation"])
        draw_logo(axes[1, c], tp, x0, panel_title(m, q_threshold), spans[c], fast)


class KernelCanvases:
    """Kernel figures redrawn on one figure per column count instead of a new one per kernel.

    Making a figure of 2 x n axes is a fifth of a kernel figure's time (every axes builds its ticks
    and text artists); a kernel's figure differs from the last one only in its size, its column
    widths and what is drawn on the axes. So the figure is kept and, per kernel, resized, its
    columns re-proportioned, its subplot parameters put back to matplotlib's defaults (what a new
    figure starts from) and every artist a panel adds taken off again: the axes are then in the
    state of new ones for everything the drawing uses, and the PNG is the same bytes as from a new
    figure (``tests/test_logos.py`` draws kernels of every kind one after the other and compares
    them with new figures; the benchmark compares every kernel of the real runs).

    Figures are made under the rcParams in force at the first kernel of a column count; a caller
    that changes rcParams between kernels must use a new ``KernelCanvases`` (or none). ``close()``
    frees the figures.
    """

    def __init__(self):
        self._figs: dict[int, tuple] = {}

    def get(self, ncol: int, figsize: tuple[float, float], width_ratios: Sequence[float]):
        """The (figure, 2 x ``ncol`` axes) to draw the next kernel on, reset as described above."""
        from matplotlib import rcParams

        if ncol not in self._figs:
            self._figs[ncol] = figure(2, ncol, figsize=figsize, gridspec_kw={"width_ratios": width_ratios})
            return self._figs[ncol]
        fig, axes = self._figs[ncol]
        fig.set_size_inches(*figsize)
        axes[0, 0].get_subplotspec().get_gridspec().set_width_ratios(width_ratios)
        fig.subplots_adjust(**{k: rcParams[f"figure.subplot.{k}"]
                               for k in ("left", "right", "bottom", "top", "wspace", "hspace")})
        for ax in axes.flat:
            for artist in [*ax.collections, *ax.texts, *ax.lines, *ax.patches, *ax.images]:
                artist.remove()
            for loc in ("left", "center", "right"):
                ax.set_title("", loc=loc)
            ax.set_axis_on()
        return fig, axes

    def close(self) -> None:
        """Close every figure kept."""
        import matplotlib.pyplot as plt

        for fig, _ in self._figs.values():
            plt.close(fig)
        self._figs.clear()


def kernel_figure(path: str | os.PathLike, kernel: str, panels: Sequence[dict], q_threshold: float = 0.05,
                  dpi: int = 80, fast: bool = True, insignificant: bool = False,
                  canvases: KernelCanvases | None = None) -> None:
    """Write one kernel's figure.

    Parameters
    ----------
    path : PNG to write (atomically).
    kernel : the kernel's motif id (figure title).
    panels : one dict per method: ``method``, ``query`` (Motif or None when the method has no motif
        for this kernel), ``note`` (shown instead of a missing query), ``match`` (best-match row as a
        mapping, or None) and ``target`` (the matched database Motif, or None).
    q_threshold : matches at q >= this are labelled not significant.
    dpi : resolution.
    fast : see :func:`draw_kernel_panels`, and the layout computed once
        (``danqmotifs.report.plot.tight_layout``); ``False`` is the reference drawing (logomaker and
        ``Figure.tight_layout`` on a new figure, the code before issue 33: the same pixels, slower).
    insignificant : see :func:`draw_kernel_panels`.
    canvases : draw on the figure kept there for this column count (:class:`KernelCanvases`, same
        bytes, less time; with ``fast`` only) instead of a new figure, closed afterwards.
    """
    ncol = max(len(panels), 1)
    spans, widths = panel_spans(panels)
    figsize = (max(4.0, 0.28 * sum(widths) + 1.5 * ncol), 4.2)
    ratios = [max(w, 4) for w in widths]
    reuse = fast and canvases is not None
    if reuse:
        fig, axes = canvases.get(ncol, figsize, ratios)
    else:
        fig, axes = figure(2, ncol, figsize=figsize, gridspec_kw={"width_ratios": ratios})
    draw_kernel_panels(axes, panels, spans, q_threshold, fast, insignificant)
    fig.suptitle(kernel, fontsize=11, x=0.01, ha="left")
    if fast:
        tight_layout(fig)
    else:
        fig.tight_layout()
    save_png(fig, path, dpi=dpi, close=not reuse)


#: this process's kept figures when it draws for :func:`render_logos`' pool
_WORKER_CANVASES: KernelCanvases | None = None


def _render_one(job, canvases: KernelCanvases | None = None) -> str:
    path, kernel, panels, q_threshold, dpi, fast, insignificant = job
    kernel_figure(path, kernel, panels, q_threshold, dpi, fast, insignificant, canvases)
    return str(path)


def _render_in_worker(job) -> str:
    global _WORKER_CANVASES
    if _WORKER_CANVASES is None:
        _WORKER_CANVASES = KernelCanvases()
    return _render_one(job, _WORKER_CANVASES)


def render_logos(out_dir: str | os.PathLike, panels_by_kernel: Mapping[str, list[dict]],
                 q_threshold: float = 0.05, threads: int = 1, dpi: int = 80,
                 log: Callable[[str], None] | None = None, fast: bool = True,
                 insignificant: bool = False) -> list[str]:
    """One PNG per kernel in ``out_dir`` (``<kernel>.png``), ``threads`` processes in parallel.

    ``panels_by_kernel`` maps each kernel id to its panels (``danqmotifs.report.logos.kernel_panels``);
    ``log`` (optional) hears the progress every 8 logos; ``fast=False`` draws with logomaker
    unchanged (the reference, same bytes, slower); ``insignificant``: see :func:`draw_kernel_panels`.
    Each process draws its kernels on figures it keeps (:class:`KernelCanvases`). Returns the paths
    written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(out_dir / f"{k}.png", k, p, q_threshold, dpi, fast, insignificant)
            for k, p in panels_by_kernel.items()]
    done = []

    def tick(path):
        done.append(path)
        if log is not None and (len(done) % 8 == 0 or len(done) == len(jobs)):
            log(f"  {len(done)}/{len(jobs)} logos drawn")
        return path

    if threads <= 1 or len(jobs) <= 1:
        canvases = KernelCanvases()
        try:
            return [tick(_render_one(j, canvases)) for j in jobs]
        finally:
            canvases.close()
    with ProcessPoolExecutor(max_workers=min(threads, len(jobs), os.cpu_count() or 1)) as ex:
        return [tick(p) for p in ex.map(_render_in_worker, jobs, chunksize=4)]
