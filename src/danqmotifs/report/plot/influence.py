"""The kernel influence heatmap: kernels x targets, both ordered by hierarchical clustering."""

from __future__ import annotations

import os

import numpy as np

from . import figure, save_png

#: largest number of row or column labels drawn (beyond it the axis names the count only)
MAX_LABELS = 80


def cluster_order(M: np.ndarray) -> np.ndarray:
    """Row order of ``M`` (n, m) by average-linkage clustering of its rows (Euclidean distance),
    leaves in the dendrogram's order; rows as given when there are fewer than 3."""
    M = np.nan_to_num(np.asarray(M, dtype=np.float64))
    if M.shape[0] < 3:
        return np.arange(M.shape[0])
    from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering
    from scipy.spatial.distance import pdist

    d = pdist(M)
    Z = linkage(d, method="average")
    return leaves_list(optimal_leaf_ordering(Z, d))


def draw_influence_heatmap(ax, values: np.ndarray, kernels, targets, label: str = "mean delta logit",
                           fig=None) -> tuple[np.ndarray, np.ndarray]:
    """Draw a kernels x targets matrix, rows and columns clustered, a diverging colour scale
    symmetric around 0.

    Parameters
    ----------
    ax : matplotlib Axes
    values : (K, T) array (e.g. mean delta logit: negative where the kernel pushes the target up).
    kernels, targets : row and column labels.
    label : the colour bar's label.
    fig : the figure, to draw a colour bar (none when omitted).

    Returns
    -------
    (row order, column order) as drawn.
    """
    V = np.asarray(values, dtype=np.float64)
    rows, cols = cluster_order(V), cluster_order(V.T)
    M = V[np.ix_(rows, cols)]
    lim = float(np.nanmax(np.abs(M))) if np.isfinite(M).any() else 1.0
    im = ax.imshow(M, aspect="auto", cmap="RdBu_r", vmin=-(lim or 1.0), vmax=lim or 1.0, interpolation="nearest")
    for axis, order, names, n in ((ax.yaxis, rows, kernels, V.shape[0]), (ax.xaxis, cols, targets, V.shape[1])):
        if n <= MAX_LABELS:
            axis.set_ticks(np.arange(n))
            axis.set_ticklabels([str(names[i]) for i in order], fontsize=6)
        else:
            axis.set_ticks([])
    if V.shape[1] <= MAX_LABELS:
        for t in ax.get_xticklabels():
            t.set_rotation(90)
    ax.set_ylabel(f"kernel ({V.shape[0]}, clustered)")
    ax.set_xlabel(f"target ({V.shape[1]}, clustered)")
    if fig is not None:
        fig.colorbar(im, ax=ax, label=label, shrink=0.8)
    return rows, cols


def influence_figure(path: str | os.PathLike, values, kernels, targets, title: str = "",
                     label: str = "mean delta logit") -> None:
    """Write :func:`draw_influence_heatmap` to the PNG ``path``."""
    K, T = np.asarray(values).shape
    fig, axes = figure(1, 1, figsize=(min(4 + 0.18 * T, 16), min(3 + 0.12 * K, 20)))
    draw_influence_heatmap(axes[0, 0], values, kernels, targets, label, fig=fig)
    if title:
        axes[0, 0].set_title(title, fontsize=9)
    fig.tight_layout()
    save_png(fig, path, dpi=110)
