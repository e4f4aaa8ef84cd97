"""Small tab-separated tables written by this package (history, AUCs): reading them back."""

from __future__ import annotations

import os
from pathlib import Path


def read_tsv(path: str | os.PathLike) -> list[dict[str, str]]:
    """The rows of a TSV file with a header line, as dicts of strings (header -> field).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    list of dict
    """
    lines = Path(path).read_text().splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[1:]]
