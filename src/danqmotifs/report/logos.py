"""Sequence logos of kernel motifs beside their best database match (logomaker's look).

Letter heights are information content in bits against a uniform background (0 to 2 bits, the
usual DNA logo, so that every panel shares one scale): height(j, c) = p(j, c) * IC(j).

One PNG per kernel: a column per method (exact, heuristic), the kernel's motif on top and its best
match below, drawn on the same x axis. Tomtom's alignment puts query column i against target
column i + offset, the target reverse-complemented when the orientation is '-': the target is
drawn from x = -offset.

This module draws logos on given axes; ``danqmotifs.report.plot.logos`` lays out and writes the figures.
The letters are drawn by :func:`draw_letters`: the paths, colours and order of logomaker 0.8
(``logomaker.Logo(..., color_scheme="classic")``) as one collection: the same pixels in less
time. ``draw_logo(fast=False)`` draws with logomaker itself, the reference of the tests.
"""

from __future__ import annotations

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


#: logomaker 0.8's defaults, as ``draw_logo`` uses them: glyph width, vertical padding, font, the
#: edge of a letter (black, 0 wide), the letter that bounds horizontal stretch, the logo's zorder, the
#: baseline (zorder, colour, width) and the spines' style when hidden (colour, width).
GLYPH_WIDTH, GLYPH_VPAD, FONT_NAME, FONT_WEIGHT = 0.95, 0.0, "sans", "bold"
EDGE_COLOR, EDGE_WIDTH, STRETCH_LETTER, LOGO_ZORDER = "black", 0.0, "E", 0
BASELINE = {"zorder": -1, "linewidth": 0.5}
#: logomaker's "classic" colours (green A, blue C, orange G, red T), so that drawing needs no logomaker import
CLASSIC = {"A": (0.0, 0.5, 0.0), "C": (0.0, 0.0, 1.0), "G": (1.0, 0.65, 0.0), "T": (1.0, 0.0, 0.0)}
SPINE_STYLE = {"color": "black", "linewidth": 1.0}


def letter_stacks(heights: np.ndarray, x0: int):
    """The letters logomaker 0.8 draws for a (L, 4) height matrix (columns A, C, G, T), in its
    drawing order, each as (letter index, x, floor, ceiling, flipped).

    Per column the letters go from the smallest height up (``np.argsort``, logomaker's
    ``big_on_top``), the first one's floor the sum of the column's negative heights, so that the
    negative letters lie below 0, upside down, and the others above. A letter of height 0 draws
    nothing and is left out. logomaker restyles every negative letter after building the logo,
    which puts it after all the others, column after column in A, C, G, T order; so does this.
    ``information_matrix`` gives heights of -1e-17 or so on uniform columns (rounding), and
    more negative ones where a matrix's rows do not sum to 1.
    """
    vsep = 0.0
    above, below = [], {}
    for j, col in enumerate(np.asarray(heights, dtype=np.float64)):
        x = float(x0 + j)
        order = np.argsort(col)
        vs = col[order]
        floor = sum((vs - vsep) * (vs < 0)) + vsep / 2.0
        for i, v in zip(order, vs):
            ceiling = floor + abs(v)
            if ceiling - floor != 0.0:
                letter = (int(i), x, floor, ceiling, bool(v < 0))
                if v < 0:
                    below[(j, int(i))] = letter
                else:
                    above.append(letter)
            floor = ceiling + vsep
    return above + [below[k] for k in sorted(below)]


def letter_path(c: str, x: float, floor: float, ceiling: float, flip: bool = False):
    """Letter ``c`` scaled into its box at ``x`` from ``floor`` to ``ceiling`` (upside down if
    ``flip``): the arithmetic of logomaker 0.8's ``Glyph._make_patch`` (the box ``GLYPH_WIDTH``
    wide, stretched no wider than ``STRETCH_LETTER`` would be, centred), on the cached outline."""
    from matplotlib.transforms import Affine2D, Bbox

    height = ceiling - floor
    bbox = Bbox.from_bounds(x - GLYPH_WIDTH / 2.0, floor + GLYPH_VPAD * height / 2.0,
                            GLYPH_WIDTH, height - GLYPH_VPAD * height)
    tmp_path, tmp_bbox = _letter_path(c, FONT_NAME, FONT_WEIGHT, flip, False)
    _, msc_bbox = _letter_path(STRETCH_LETTER, FONT_NAME, FONT_WEIGHT, False, False)
    hstretch = min(bbox.width / tmp_bbox.width, bbox.width / msc_bbox.width)
    char_shift = (bbox.width - hstretch * tmp_bbox.width) / 2.0
    vstretch = bbox.height / tmp_bbox.height
    transformation = Affine2D() \
        .translate(tx=-tmp_bbox.xmin, ty=-tmp_bbox.ymin) \
        .scale(sx=hstretch, sy=vstretch) \
        .translate(tx=bbox.xmin + char_shift, ty=bbox.ymin)
    return transformation.transform_path(tmp_path)


def draw_letters(ax, heights: np.ndarray, x0: int = 0) -> None:
    """What ``logomaker.Logo(frame, ax=ax, color_scheme="classic", show_spines=False)`` puts on
    ``ax`` for finite letter heights (columns A, C, G, T, the first at x = ``x0``), as one
    PathCollection instead of a PathPatch per letter: the same paths, colours and order, so the
    same pixels (``tests/test_logos.py`` compares them with logomaker's), in a fraction of the
    time. The axis limits are left to the caller (``draw_logo`` sets both)."""
    from matplotlib import colors as mcolors
    from matplotlib import rcParams
    from matplotlib.collections import PathCollection

    heights = np.asarray(heights, dtype=np.float64)
    if not np.isfinite(heights).all():
        raise ValueError("letter heights must be finite (logomaker refuses them too)")
    letters = "ACGT"
    stacks = letter_stacks(heights, x0)
    if stacks:
        col = PathCollection([letter_path(letters[i], x, f, c, flip) for i, x, f, c, flip in stacks],
                             facecolors=[mcolors.to_rgba(CLASSIC[letters[i]], 1.0) for i, *_ in stacks],
                             edgecolors=[mcolors.to_rgba(EDGE_COLOR, 1.0)] * len(stacks),
                             linewidths=[EDGE_WIDTH] * len(stacks),
                             antialiaseds=[rcParams["patch.antialiased"]] * len(stacks),
                             zorder=LOGO_ZORDER, transform=ax.transData)
        ax.add_collection(col, autolim=False)
    ax.axhline(color=mcolors.to_rgb("black"), **BASELINE)
    for spine in ax.spines.values():
        spine.set_visible(False)
        spine.set_color(SPINE_STYLE["color"])
        spine.set_linewidth(SPINE_STYLE["linewidth"])


def draw_logo(ax, pwm: np.ndarray, x0: int, title: str, xlim: tuple[float, float], fast: bool = True) -> None:
    """Draw the logo of ``pwm`` on ``ax``, its first column at x = ``x0``, on the shared 0-2 bit
    scale, with ``title`` on the left and the x axis limited to ``xlim``.

    ``fast`` (the default) draws the letters with :func:`draw_letters`, logomaker's pixels in
    less time; ``fast=False`` is logomaker itself (the reference the tests compare with).
    """
    if fast:
        draw_letters(ax, information_matrix(pwm), x0)
    else:
        import warnings

        import logomaker

        with warnings.catch_warnings():
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
