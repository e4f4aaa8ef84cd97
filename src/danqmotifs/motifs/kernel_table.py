"""One row per kernel: its base, activation on the sample, and what each motif method made of it."""

from __future__ import annotations

import os
from typing import Mapping

import numpy as np

from ..core.errors import atomic_output
from ..core.pwm import consensus, total_information
from ..model.kernels import apply_activation


def activation(scan, bias, strands: str = "forward", function: str = "relu") -> tuple[np.ndarray, np.ndarray]:
    """Max activation f(best score + bias) of each kernel over the sample (and the reverse
    complement with ``strands="both"``), f the layer's activation ``function`` (relu or
    exponential), and whether it never fires (``dead``: its best pre-activation is never > 0, the
    threshold of every method under either activation), both (K,)."""
    bias = np.asarray(bias, dtype=np.float64)
    pairs = [scan.m] + ([scan.m_rc] if strands == "both" and scan.m_rc is not None else [])
    max_z = np.full(bias.shape[0], -np.inf)
    for mm in pairs:
        if mm.shape[0]:
            max_z = np.maximum(max_z, (mm + bias[None, :]).max(axis=0))
    dead = ~(max_z > 0)
    if function == "relu":               # no sample: 0, as before
        return np.maximum(max_z, 0.0), dead
    return apply_activation(max_z, function), dead


def kernel_table(W, bias, scan, base: dict, ln_b, motifs: Mapping[str, dict],
                 activation_strands: str = "forward", activation_function: str = "relu"
                 ) -> tuple[list[str], list[list]]:
    """Columns and rows of ``kernel_table.tsv``.

    Parameters
    ----------
    W : (K, L, 4) kernels; bias : (K,).
    scan : danqmotifs.motifs.scoring.ScanResult of the sample.
    base : base.json's content; ln_b : (K,) ln b per kernel.
    motifs : method name -> ``{"pwms", "nsites", "keep"}`` (danqmotifs.formats.method_file.read_method_file),
        in the order the columns should follow.
    activation_strands : strands over which the max activation is taken (the heuristic's).
    activation_function : the first layer's activation (kernels.h5's ``activation``: relu or exponential).
    """

    W = np.asarray(W, dtype=np.float64)
    K = W.shape[0]
    status = base.get("status")
    status = [status] * K if isinstance(status, str) else list(status or ["?"] * K)
    m_best = scan.best(base["options"]["strands"] == "both")
    max_act, dead = activation(scan, bias, activation_strands, activation_function)
    names = list(motifs)
    ic = {m: total_information(motifs[m]["pwms"]) for m in names}
    cons = {m: consensus(motifs[m]["pwms"]) for m in names}
    cols = (["kernel", "ln_b", "base_status"] + [f"nsites_{m}" for m in names]
            + ["dead", "bias", "max_activation", "mean_best_score", "max_possible_score"]
            + [f"ic_{m}" for m in names] + [f"consensus_{m}" for m in names])
    from ..formats.meme import kernel_ids

    ids = kernel_ids(K)                    # the ids every other file (MEME, matches, logos) uses
    rows = []
    for k in range(K):
        rows.append([ids[k], f"{ln_b[k]:.6g}", status[k]]
                    + [int(motifs[m]["nsites"][k]) for m in names]
                    + [str(bool(dead[k])).lower(), f"{bias[k]:.6g}", f"{max_act[k]:.6g}",
                       f"{m_best[:, k].mean():.6g}", f"{W[k].max(axis=1).sum():.6g}"]
                    + [f"{ic[m][k]:.4f}" for m in names]
                    + [cons[m][k] if motifs[m]["keep"][k] else "-" for m in names])
    return cols, rows


def write_kernel_table(path: str | os.PathLike, cols: list[str], rows: list[list]) -> None:
    """Tab-separated, one header line (atomic write)."""
    with atomic_output(path) as tmp:
        with open(tmp, "w") as fh:
            fh.write("\t".join(cols) + "\n")
            for row in rows:
                fh.write("\t".join(str(x) for x in row) + "\n")
