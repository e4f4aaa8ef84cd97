"""Small tab-separated tables written by this package (history, AUCs, fidelity, figure tables).

One header line, then one line per row; a number that is undefined (None, NaN, infinite) is
written ``NA`` and read back as NaN. :func:`write_table` is the one writer of such tables,
:func:`read_tsv` and :func:`number` read them back.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..core.errors import InputError, atomic_output

#: how an undefined number is written
NA = "NA"


def field(x, float_format: str = ".6f") -> str:
    """One field: None or a non-finite float -> NA, a float with ``float_format``, anything else
    (strings, integers) as ``str``."""
    if x is None:
        return NA
    if isinstance(x, (float, np.floating)):
        return NA if not math.isfinite(x) else format(x, float_format)
    return str(x)


def write_table(path: str | os.PathLike, columns: Sequence[str], rows: Iterable[dict],
                float_format: str = ".6f") -> None:
    """Write ``rows`` (dicts holding every column) as a TSV with a header line, atomically."""
    lines = ["\t".join(columns)]
    lines += ["\t".join(field(r[c], float_format) for c in columns) for r in rows]
    with atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")


def read_tsv(path: str | os.PathLike, columns: Sequence[str] = ()) -> list[dict[str, str]]:
    """The rows of a TSV file with a header line, as dicts of strings (header -> field).

    Parameters
    ----------
    path : str or os.PathLike
    columns : the columns the table must have (an InputError naming the missing ones otherwise;
        also for a row with fewer fields than the header).

    Returns
    -------
    list of dict
    """
    path = Path(path)
    lines = path.read_text().splitlines()
    head = lines[0].split("\t") if lines else []
    missing = [c for c in columns if c not in head]
    if missing:
        raise InputError(path, f"no column(s) {', '.join(missing)} in the header line",
                         "give the table as this workflow writes it (rerun the rule that makes it)")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        parts = line.split("\t")
        if columns and len(parts) < len(head):
            raise InputError(path, f"line {n} has {len(parts)} fields, the header {len(head)}",
                             "give the table as this workflow writes it (rerun the rule that makes it)")
        rows.append(dict(zip(head, parts)))
    return rows


def number(value: str, where, kind=float):
    """A field as ``kind`` (float: NA -> NaN); an InputError naming ``where`` if it is not one."""
    if kind is float and value == NA:
        return float("nan")
    try:
        return kind(value)
    except ValueError:
        raise InputError(where, f"{value!r} is not a number",
                         "give the table as this workflow writes it (rerun the rule that makes it)") from None
