"""Checking and preparing the motifs given to :func:`danqmotifs.tomtom.tomtom`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import InputError

#: MEME's site count for a motif that states none (``DEFAULT_SITE_COUNT``)
DEFAULT_NSITES = 20
#: how far a row sum may be from 1 before the matrix is refused (rows are then renormalised)
ROW_SUM_TOLERANCE = 0.01


class TomtomInputError(InputError, ValueError):
    """A motif or option Tomtom cannot use: an :class:`InputError` that is also a ValueError."""


def as_matrix(m, what: str) -> tuple[np.ndarray, float | None]:
    """One motif -> ((L, 4) float64 rows summing to 1, its nsites or None).

    Accepts an array-like or an object with ``.pwm`` (and optionally ``.nsites``), such as
    :class:`danqmotifs.core.motif.Motif`.
    """
    nsites = getattr(m, "nsites", None)
    pwm = getattr(m, "pwm", m)
    try:
        a = np.array(pwm, dtype=np.float64)
    except (TypeError, ValueError):
        raise TomtomInputError(what, "not a numeric matrix",
                               "give an (L, 4) array of probabilities (A, C, G, T)") from None
    if a.ndim != 2 or a.shape[1] != 4 or a.shape[0] < 1:
        raise TomtomInputError(what, f"shape {a.shape} is not (L, 4) with L >= 1",
                               "give one row per motif position and the columns A, C, G, T "
                               "(transpose a (4, L) matrix)")
    if not np.all(np.isfinite(a)):
        raise TomtomInputError(what, "the matrix holds NaN or infinite values",
                               "give finite probabilities")
    if a.min() < 0 or a.max() > 1:
        raise TomtomInputError(what, f"entries outside [0, 1] (min {a.min():.3g}, max {a.max():.3g})",
                               "give probabilities, not counts or log-odds (divide counts by "
                               "their row sums)")
    s = a.sum(axis=1)
    bad = np.flatnonzero(np.abs(s - 1.0) > ROW_SUM_TOLERANCE)
    if bad.size:
        raise TomtomInputError(what, f"position {bad[0] + 1} (row {bad[0] + 1} of the matrix) sums to "
                               f"{s[bad[0]]:.4g}, not 1 ({bad.size} such row(s); allowed 1 +/- "
                               f"{ROW_SUM_TOLERANCE:g})",
                               "normalise each row (position) to sum to 1")
    return a / s[:, None], (float(nsites) if nsites is not None else None)


def motif_label(m, fallback: str) -> str:
    """How an error names a motif: its file, id and the line of its matrix header when it was read
    from a MEME file (``extra`` ``source`` and ``line``), else ``fallback`` with the id."""
    name = getattr(m, "id", None)
    extra = getattr(m, "extra", None) or {}
    if extra.get("source"):
        at = f", matrix header on line {extra['line']}" if extra.get("line") else ""
        return f"{extra['source']} (motif {name}{at})"
    return fallback + (f" ({name})" if name else "")


def symmetric_background(background) -> np.ndarray:
    """The background Tomtom uses: given frequencies averaged with their complement (A=T, C=G)."""
    if background is None:
        return np.full(4, 0.25)
    bg = np.asarray(background, dtype=np.float64)
    if bg.shape != (4,) or not np.all(np.isfinite(bg)) or bg.min() <= 0:
        raise TomtomInputError("background", f"{bg.tolist()} is not 4 positive frequencies",
                               "give the A, C, G, T frequencies (e.g. of the query MEME file)")
    bg = bg / bg.sum()
    return (bg + bg[::-1]) / 2.0


def with_pseudocount(pwm: np.ndarray, nsites: float | None, pseudo: float,
                     bg: np.ndarray) -> np.ndarray:
    """MEME's ``apply_pseudocount_to_motif``: (p * n + pseudo * bg) / (n + pseudo), n the
    motif's site count (an integer; 20 when unknown)."""
    if pseudo == 0:
        return pwm
    n = int(nsites) if nsites is not None and nsites > 0 else DEFAULT_NSITES
    return (pwm * n + pseudo * bg) / (n + pseudo)


def pack(motifs: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate motifs: (all columns (sum L, 4), first column of each, widths)."""
    lens = np.array([m.shape[0] for m in motifs], dtype=np.int64)
    starts = np.zeros(len(motifs), dtype=np.int64)
    if len(motifs) > 1:
        starts[1:] = np.cumsum(lens)[:-1]
    return np.ascontiguousarray(np.concatenate(motifs, axis=0)), starts, lens


def prepare(motifs, role: str, nsites, pseudo: float, bg: np.ndarray) -> list[np.ndarray]:
    """Check every motif of a list and apply the pseudocount."""
    if motifs is None or len(motifs) == 0:
        raise TomtomInputError(role, "no motifs given", f"give at least one {role[:-1]} motif")
    if nsites is not None and len(nsites) != len(motifs):
        raise TomtomInputError(f"{role[:-1]}_nsites", f"{len(nsites)} values for {len(motifs)} motifs",
                               "give one site count per motif, or None")
    out = []
    for i, m in enumerate(motifs):
        pwm, n = as_matrix(m, motif_label(m, f"{role}[{i}]"))
        if nsites is not None:
            n = nsites[i]
        out.append(with_pseudocount(pwm, n, pseudo, bg))
    return out
