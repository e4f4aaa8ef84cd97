"""Sequence logos of kernel motifs beside their best database match (logomaker).

Letter heights are information content in bits against a uniform background (0 to 2 bits, the
usual DNA logo, so that every panel shares one scale): height(j, c) = p(j, c) * IC(j).

One PNG per kernel: a column per method (exact, heuristic), the kernel's motif on top and its best
match below, drawn on the same x axis. Tomtom's alignment puts query column i against target
column i + offset, the target reverse-complemented when the orientation is '-': the target is
drawn from x = -offset.

This module draws logos on given axes; ``danqmotifs.report.plot.logos`` lays out and writes the figures.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Mapping, Sequence

import numpy as np

from ..core.motif import Motif
from ..core.pwm import column_information

MAX_BITS = 2.0


def information_matrix(pwm: np.ndarray) -> np.ndarray:
    """(L, 4) letter heights in bits: probability x information content of the row."""
    p = np.asarray(pwm, dtype=np.float64)
    return p * column_information(p)[:, None]


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


def set_position_ticks(ax) -> None:
    """Integer x ticks labelled 1-based (the motif's first column is position 1), axis labelled."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{int(round(x)) + 1}"))
    ax.set_xlabel("position", fontsize=8)


def is_flat(pwm: np.ndarray, min_bits: float = 0.1) -> bool:
    """Whether a motif carries (next to) no information: every column under ``min_bits`` bits."""
    return bool(information_matrix(pwm).sum(axis=1).max(initial=0.0) < min_bits)


@functools.lru_cache(maxsize=None)
def _letter_path(c: str, font_name: str, font_weight: str, flip: bool, mirror: bool):
    """The unscaled outline of letter ``c`` (a matplotlib TextPath of size 1, flipped and mirrored
    as asked) and its extents: what logomaker's Glyph rebuilds for every letter of every logo."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    path = TextPath((0, 0), c, size=1, prop=FontProperties(family=font_name, weight=font_weight))
    if flip:
        path = Affine2D().scale(sx=1, sy=-1).transform_path(path)
    if mirror:
        path = Affine2D().scale(sx=-1, sy=1).transform_path(path)
    return path, path.get_extents()


def _cached_make_patch(self) -> None:
    """logomaker.Glyph._make_patch (logomaker 0.8) with the letter outlines taken from
    :func:`_letter_path`: the same arithmetic on the same floats, so the same patch."""
    from matplotlib.patches import PathPatch
    from matplotlib.transforms import Affine2D, Bbox

    height = self.ceiling - self.floor
    if height == 0.0:
        self.patch = None
        return None
    bbox = Bbox.from_bounds(self.p - self.width / 2.0, self.floor + self.vpad * height / 2.0,
                            self.width, height - self.vpad * height)
    tmp_path, tmp_bbox = _letter_path(self.c, self.font_name, self.font_weight, bool(self.flip),
                                      bool(self.mirror))
    _, msc_bbox = _letter_path(self.dont_stretch_more_than, self.font_name, self.font_weight, False, False)
    hstretch = min(bbox.width / tmp_bbox.width, bbox.width / msc_bbox.width)
    char_shift = (bbox.width - hstretch * tmp_bbox.width) / 2.0
    vstretch = bbox.height / tmp_bbox.height
    transformation = Affine2D() \
        .translate(tx=-tmp_bbox.xmin, ty=-tmp_bbox.ymin) \
        .scale(sx=hstretch, sy=vstretch) \
        .translate(tx=bbox.xmin + char_shift, ty=bbox.ymin)
    self.patch = PathPatch(transformation.transform_path(tmp_path), facecolor=self.color, zorder=self.zorder,
                           alpha=self.alpha, edgecolor=self.edgecolor, linewidth=self.edgewidth)
    self.ax.add_patch(self.patch)


@contextlib.contextmanager
def fast_glyphs(ax):
    """While drawing a logomaker.Logo on ``ax``: letter outlines from a per-process cache and no
    data-limit update per letter (logomaker and :func:`draw_logo` set both axis limits
    explicitly, so the data limits are never read). Restores both on exit."""
    from logomaker.src.Glyph import Glyph

    original = Glyph._make_patch
    Glyph._make_patch = _cached_make_patch
    ax._update_patch_limits = lambda patch: None
    try:
        yield
    finally:
        Glyph._make_patch = original
        del ax._update_patch_limits


def draw_logo(ax, pwm: np.ndarray, x0: int, title: str, xlim: tuple[float, float], fast: bool = True) -> None:
    """Draw the logo of ``pwm`` on ``ax``, its first column at x = ``x0``, on the shared 0-2 bit
    scale, with ``title`` on the left and the x axis limited to ``xlim``.

    ``fast`` (the default) draws through :func:`fast_glyphs`, the same pixels in less time;
    ``fast=False`` is logomaker unchanged (the reference the tests compare with).
    """
    import warnings

    import logomaker

    with warnings.catch_warnings(), (fast_glyphs(ax) if fast else contextlib.nullcontext()):
        # a flat motif (all heights 0) makes logomaker warn about ylim
        warnings.simplefilter("ignore", UserWarning)
        logomaker.Logo(logo_frame(pwm, x0), ax=ax, color_scheme="classic", show_spines=False)
    ax.set_xlim(*xlim)
    set_position_ticks(ax)
    ax.set_ylim(0, MAX_BITS)
    ax.set_yticks([0, 1, 2])
    ax.set_ylabel("bits")
    ax.set_title(title, fontsize=9, loc="left")


def draw_blank(ax, text: str) -> None:
    """An empty panel on ``ax`` that only says ``text`` (a method without a motif, no match)."""
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
