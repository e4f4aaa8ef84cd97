"""Figures: one place that sets up matplotlib and writes PNG files.

Every figure of the project is drawn by a function that takes a matplotlib ``Axes`` (or a small
grid of them) and draws on it; :func:`figure` makes the canvas and :func:`save_png` writes it.
Keeping the two apart lets a notebook user draw the same panel into a figure of their own.

PNG bytes are deterministic: matplotlib's "Software" text chunk (which names the matplotlib
version) is stripped and no time stamp is written, so the same data and the same library versions
give the same file. Files are written atomically (a temporary file renamed over the target).

One module per stage; in each, ``draw_*`` functions take axes and a thin function writes the PNG:

* :mod:`.training`: training curves (``plot_training_curves``) and per-target AUCs (``plot_auc``);
* :mod:`.base`: the profile likelihood of the base (``base_profile_figure``);
* :mod:`.matching`: best match per kernel (``best_p_figure``), planted motifs (``planted_figure``);
* :mod:`.logos`: one logo figure per kernel (``kernel_figure``, ``render_logos``);
* :mod:`.k2p_simulation`, :mod:`.fidelity`: the figures of those studies.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")  # no display: figures are only ever written to files

import matplotlib.pyplot as plt  # noqa: E402

from ...core.errors import atomic_output  # noqa: E402

#: metadata passed to ``savefig``: no "Software" chunk, so bytes do not depend on where it ran
PNG_METADATA = {"Software": None}


def figure(nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = (6.0, 4.0), **kw):
    """Make a figure and its axes (``squeeze=False`` unless given: ``axes`` is always 2-D).

    Parameters
    ----------
    nrows, ncols : int
        The grid of axes.
    figsize : tuple of float
        Width and height in inches.
    **kw
        Passed to :func:`matplotlib.pyplot.subplots`.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : numpy.ndarray of matplotlib.axes.Axes
    """
    kw.setdefault("squeeze", False)
    return plt.subplots(nrows, ncols, figsize=figsize, **kw)


def tight_layout(fig, *, pad: float = 1.08, h_pad: float | None = None, w_pad: float | None = None) -> None:
    """Lay ``fig`` out as :meth:`matplotlib.figure.Figure.tight_layout` does, once.

    ``Figure.tight_layout`` leaves a placeholder layout engine on the figure, and with any layout
    engine set ``savefig`` first runs a whole draw that renders nothing (for layouts that need
    it; a placeholder does nothing with it): the ticks, labels and text extents of every axes are
    computed twice. Running the same tight-layout computation without setting an engine gives the
    same subplot parameters, so the same pixels, without that pass. A figure that already has a
    layout engine (a matplotlibrc with ``figure.autolayout``, say) gets ``Figure.tight_layout``.
    """
    from matplotlib.layout_engine import TightLayoutEngine

    if fig.get_layout_engine() is not None:     # e.g. figure.autolayout in a user's matplotlibrc
        fig.tight_layout(pad=pad, h_pad=h_pad, w_pad=w_pad)
        return
    TightLayoutEngine(pad=pad, h_pad=h_pad, w_pad=w_pad, rect=None).execute(fig)


def save_png(fig, path: str | os.PathLike, dpi: int = 110, close: bool = True, **kw) -> None:
    """Write ``fig`` to ``path`` as a deterministic PNG, atomically, and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or os.PathLike
        The PNG file to write (its directory must exist).
    dpi : int
        Resolution.
    close : bool
        Close the figure afterwards (frees its memory).
    **kw
        Passed to :meth:`matplotlib.figure.Figure.savefig` (for example ``bbox_inches``).
    """
    try:
        with atomic_output(path, suffix=".png") as tmp:
            fig.savefig(tmp, dpi=dpi, format="png", metadata=PNG_METADATA, **kw)
    finally:
        if close:
            plt.close(fig)
