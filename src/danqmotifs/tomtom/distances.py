"""Tomtom's column distances, read from the one table ``distances.json`` beside this module.

Each distance has a name (what config ``match.distance``, the ``--dist`` option and every table
say), aliases (``ed``: MEME tomtom's name of the euclidean distance), the column score it computes,
MEME tomtom's ``-dist`` value, the engines that offer it and the engine ``auto`` picks. The rule
files read the same JSON with :mod:`json` alone (``workflow/rules/common.smk``); the config
schema's enum is tested equal to :data:`NAMES`. A new distance is a new entry here plus its column
score in the engines that offer it (``danqmotifs.tomtom._columns`` for ``native``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError

#: the table (package data)
TABLE_PATH = Path(__file__).with_name("distances.json")


@dataclass(frozen=True)
class Distance:
    """One row of the table."""

    name: str
    aliases: tuple[str, ...]
    column_score: str
    meme_dist: str
    engines: tuple[str, ...]
    auto_engine: str


def _load() -> tuple[dict[str, Distance], str]:
    data = json.loads(TABLE_PATH.read_text())
    rows = {}
    for d in data["distances"]:
        rows[d["name"]] = Distance(d["name"], tuple(d["aliases"]), d["column_score"], d["meme_dist"],
                                   tuple(d["engines"]), d["auto_engine"])
    return rows, data["tomtom_default"]


TABLE, TOMTOM_DEFAULT = _load()
#: the distances' names, in the table's order
NAMES = tuple(TABLE)
_BY_ALIAS = {a: d.name for d in TABLE.values() for a in (d.name, d.meme_dist, *d.aliases)}


def canonical(name: str) -> str | None:
    """The distance's name for a name or alias (``ed`` -> ``euclidean``); None if unknown."""
    return _BY_ALIAS.get(name)


def get(name: str, where: str = "match.distance") -> Distance:
    """The row of a distance given by name or alias; an InputError naming ``where`` if unknown."""
    key = canonical(name)
    if key is None:
        raise InputError(f"{where}: {name}", "unknown column distance", f"use one of {', '.join(NAMES)}")
    return TABLE[key]


def offered_by(engine: str) -> tuple[str, ...]:
    """Names of the distances an engine offers."""
    return tuple(d.name for d in TABLE.values() if engine in d.engines)
