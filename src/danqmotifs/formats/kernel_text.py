"""A kernel or a PWM as a text matrix, the k2p toolbox's exchange format.

One row per position, 4 columns A C G T, whitespace- (or ``sep``-) separated, no header. Numbers
are written with ``digits`` significant digits (``%.{digits}g``; 17 is lossless for float64).
Read by ``kernel2pwm`` (a kernel), written by ``pwm2kernel`` (a kernel) and, row by row, inside
the k2p dialect of MEME files (:func:`danqmotifs.formats.meme.format_k2p_meme`).
"""

from __future__ import annotations

import numpy as np

from ..core.errors import InputError


def format_numbers(values, digits: int) -> str:
    """One row: the values with ``digits`` significant digits, separated by single spaces."""
    return " ".join(f"{float(x):.{digits}g}" for x in values)


def format_kernel_text(W, digits: int) -> str:
    """The text of an (L, 4) matrix: one line per row."""
    return "".join(format_numbers(r, digits) + "\n" for r in W)


def parse_kernel_text(text: str, where, sep: str | None = None) -> np.ndarray:
    """A kernel matrix: L rows of 4 numbers (A C G T), whitespace- or ``sep``-separated. Blank
    lines anywhere are skipped: a kernel file holds one matrix, so every row of numbers belongs to
    it and none is dropped (tests/test_input_matrix.py: kernel_blank_line_inside)."""
    rows = []
    for i, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        toks = s.split(sep) if sep else s.split()
        try:
            vals = [float(t) for t in toks if t.strip() != ""]
        except ValueError:
            raise InputError(where, f"line {i}: {s[:40]!r} is not a row of numbers",
                             "write only the matrix: one row per position, 4 columns A C G T, no header") from None
        if len(vals) != 4:
            raise InputError(where, f"line {i} has {len(vals)} values, not 4",
                             "write 4 columns (A C G T) per row" + ("" if sep else " or pass --sep"))
        rows.append(vals)
    if not rows:
        raise InputError(where, "no kernel rows", "write one row of 4 numbers per kernel position")
    W = np.array(rows)
    if not np.all(np.isfinite(W)):
        r = int(np.flatnonzero(~np.isfinite(W).all(axis=1))[0])
        raise InputError(where, f"row {r + 1} holds NaN or Inf", "give finite kernel weights")
    return W
