"""JASPAR matrices from the pyjaspar package (it ships the databases: no download)."""

from __future__ import annotations

import functools
from dataclasses import replace
import re
import warnings
from typing import Iterable, Sequence

import numpy as np

from ..core.errors import InputError, atomic_output
from ..core.motif import Motif

_ID = re.compile(r"^[A-Z]{2}[0-9]{4}(\.[0-9]+)?$")


@functools.lru_cache(maxsize=1)
def releases() -> tuple[str, ...]:
    """The JASPAR releases the installed pyjaspar ships (offline), newest first."""
    import contextlib
    import io

    from pyjaspar import jaspardb

    with contextlib.redirect_stdout(io.StringIO()):
        return tuple(jaspardb().get_releases())


def check_release(release: str, where: str = "jaspar_release") -> str:
    """``release`` if pyjaspar ships it, else an InputError listing those it does.

    pyjaspar itself only prints a notice for an unknown release and fails later with an
    AttributeError from deep inside, so every caller checks first.
    """
    known = releases()
    if release not in known:
        raise InputError(where, f"pyjaspar {_pyjaspar_version()} has no release {release!r} "
                         f"(it ships {', '.join(known)})", f"use one of {', '.join(known)}")
    return release


def _pyjaspar_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pyjaspar")
    except metadata.PackageNotFoundError:
        return "(unknown version)"


@functools.lru_cache(maxsize=4)
def _db(release: str):
    from pyjaspar import jaspardb

    check_release(release, f"jaspar_release={release}")
    return jaspardb(release=release)


def counts_to_ppm(counts) -> np.ndarray:
    """A Bio.motifs counts matrix (dict-like A,C,G,T -> columns) -> (L, 4) probabilities."""
    pfm = np.array([counts[b] for b in "ACGT"], dtype=np.float64).T
    s = pfm.sum(axis=1, keepdims=True)
    return pfm / np.where(s > 0, s, 1.0)


def _to_motif(m) -> Motif:
    pfm = np.array([m.counts[b] for b in "ACGT"], dtype=np.float64).T
    nsites = int(round(pfm.sum(axis=1).max())) if pfm.size else 0
    return Motif(m.matrix_id, counts_to_ppm(m.counts), name=str(m.name).replace(" ", "_"),
                 nsites=max(nsites, 1),
                 extra={"pfm": pfm, "tf_family": list(m.tf_family or []), "tf_class": list(m.tf_class or [])})


#: columns of the family table written beside a JASPAR database (planted-motif benchmark, family level)
FAMILY_COLUMNS = ("matrix_id", "name", "tf_family", "tf_class")


def write_family_table(path, motifs) -> None:
    """One row per JASPAR matrix: id, name, TF families and classes ('; '-joined, as pyjaspar
    gives them; empty when JASPAR names none)."""

    with atomic_output(path) as tmp:
        with open(tmp, "w") as fh:
            fh.write("\t".join(FAMILY_COLUMNS) + "\n")
            for m in motifs:
                fh.write("\t".join([m.id, m.name, "; ".join(m.extra.get("tf_family", [])),
                                    "; ".join(m.extra.get("tf_class", []))]) + "\n")


def read_family_table(path) -> dict[str, set[str]]:
    """Matrix id without version -> its set of TF families (from :func:`write_family_table`)."""
    out: dict[str, set[str]] = {}
    with open(path) as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if tuple(header) != FAMILY_COLUMNS:
            raise InputError(path, f"header {header} is not {list(FAMILY_COLUMNS)}", "rerun the jaspar_db rule")
        for line in fh:
            f = line.rstrip("\n").split("\t")
            out[f[0].split(".")[0]] = {x for x in f[2].split("; ") if x}
    return out


def fetch_motifs(ids, release: str = "JASPAR2024", where: str = "motif_ids") -> list[Motif]:
    """The given matrix ids (``MA0139.2``, or ``MA0139`` for the release's latest version)."""
    db = _db(release)
    out = []
    for mid in ids:
        if not _ID.match(mid):
            raise InputError(f"{where}: {mid}", "not a JASPAR matrix id",
                             "write ids like MA0139.2 (or MA0139 for the latest version)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = db.fetch_motif_by_id(mid)
        if m is None:
            raise InputError(f"{where}: {mid}", f"JASPAR id {mid} does not exist in {release}",
                             "check the id on jaspar.elixir.no or pick another release")
        out.append(_to_motif(m))
    return out


def collection_size(release: str, collection: str, tax_group: str | None) -> int:
    """Number of matrices (all versions) in a collection and tax group (None or "": all), counted
    in pyjaspar's database without building them (a cheap check of a config before any work)."""
    import sqlite3

    db = _db(release)
    query = ("SELECT COUNT(*) FROM MATRIX m WHERE m.COLLECTION = ? AND (? = '' OR EXISTS (SELECT 1 "
             "FROM MATRIX_ANNOTATION a WHERE a.ID = m.ID AND a.TAG = 'tax_group' AND a.VAL = ?))")
    try:
        return int(db.conn.execute(query, (collection, tax_group or "", tax_group or "")).fetchone()[0])
    except (sqlite3.Error, AttributeError):       # another database layout: build the collection
        try:
            return len(fetch_collection(release, collection, tax_group))
        except InputError:
            return 0


def fetch_collection(release: str = "JASPAR2024", collection: str = "CORE",
                     tax_group: str | None = "vertebrates", all_versions: bool = False) -> list[Motif]:
    """Every matrix of a collection (JASPAR2024 CORE vertebrates, latest versions: 879)."""
    db = _db(release)
    kw = dict(collection=[collection], all_versions=all_versions)
    if tax_group:
        kw["tax_group"] = [tax_group]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ms = db.fetch_motifs(**kw)
    if not ms:
        raise InputError(f"{release} {collection} {tax_group}", "no JASPAR matrices match",
                         "check the collection and tax_group names (e.g. CORE, vertebrates)")
    return sorted((_to_motif(m) for m in ms), key=lambda m: m.id)


def motifs_with_reverse_complements(motifs: Sequence[Motif], rc_ids: Iterable[str]) -> list[Motif]:
    """``motifs`` followed by the reverse complements of those named in ``rc_ids`` (full id, or
    base id without version), as DanQ-JASPAR adds a few reverse complements to its kernels."""
    index = {}
    for m in motifs:
        index[m.id] = m
        index.setdefault(m.id.split(".")[0], m)
    out = list(motifs)
    for rid in rc_ids:
        if rid not in index:
            raise InputError(f"model.jaspar_reverse_complements: {rid}",
                             "not one of the initial JASPAR motifs", "name a matrix of the collection")
        m = index[rid].reverse_complement()
        out.append(replace(m, id=f"{m.id}_rc"))
    return out


def jaspar_init_motifs(release: str = "JASPAR2016", collection: str = "CORE",
                       tax_group: str | None = "vertebrates", rc_ids: Iterable[str] = ()) -> list[Motif]:
    """The motifs DanQ-JASPAR initialises its kernels with: a JASPAR collection from pyjaspar
    (JASPAR2016 CORE vertebrates: 519 matrices), sorted by id, then the reverse complements of
    ``rc_ids``."""
    return motifs_with_reverse_complements(fetch_collection(release, collection, tax_group), rc_ids)
