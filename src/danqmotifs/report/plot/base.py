"""The figure of the base estimate: the profile log-likelihood of one shared base and, when each
kernel has its own base, their histogram."""

from __future__ import annotations

import os

import numpy as np

from . import figure, save_png


def draw_base_profile(axes, report: dict) -> None:
    """Draw the base estimate of ``report`` (the content of base.json, ``danqmotifs.motifs.mle.base_report``).

    ``axes[0]``: the log-likelihood of one base shared by all kernels against ln b, the shared
    optimum dashed. ``axes[1]`` (only when ``report["ln_b"]`` is a list, one base per kernel): the
    histogram of the kernels' ln b.

    Parameters
    ----------
    axes : sequence of matplotlib Axes (two when the base is per kernel)
    report : dict
    """
    per_kernel = isinstance(report["ln_b"], list)
    ax = axes[0]
    prof = report["profile"]
    ax.plot(prof["ln_b"], prof["loglik"], color="tab:blue")
    sh = report["shared_fit"]["ln_b"]
    ax.axvline(sh, color="tab:red", ls="--", label=f"shared optimum ln b = {sh:.3g}")
    ax.set_xlabel("ln b")
    ax.set_ylabel("log-likelihood (nats), one base for all kernels")
    ax.set_title(f"{report['K']} kernels, {report['n']} sequences, sequences: {report['options']['sequences']}",
                 fontsize=9)
    ax.legend(fontsize=8)
    if per_kernel:
        ax = axes[1]
        ax.hist(np.asarray(report["ln_b"]), bins=30, color="tab:gray")
        ax.axvline(sh, color="tab:red", ls="--")
        ax.set_xlabel("ln b per kernel")
        ax.set_ylabel("kernels")


def base_profile_figure(path: str | os.PathLike, report: dict) -> None:
    """Write :func:`draw_base_profile` to the PNG ``path`` (one panel, two with a base per kernel)."""
    per_kernel = isinstance(report["ln_b"], list)
    fig, axes = figure(1, 2 if per_kernel else 1, figsize=(10 if per_kernel else 5.5, 4))
    draw_base_profile(axes[0], report)
    fig.tight_layout()
    save_png(fig, path, dpi=110)
