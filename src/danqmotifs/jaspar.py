"""JASPAR matrices from the pyjaspar package (it ships the databases: no download)."""

from __future__ import annotations

import functools
import re
import warnings

import numpy as np

from .errors import InputError
from .motif import Motif

_ID = re.compile(r"^[A-Z]{2}[0-9]{4}(\.[0-9]+)?$")


@functools.lru_cache(maxsize=4)
def _db(release: str):
    from pyjaspar import jaspardb

    try:
        return jaspardb(release=release)
    except Exception as exc:  # pyjaspar raises plain exceptions for unknown releases
        raise InputError(f"jaspar_release={release}", f"pyjaspar has no release {release} ({exc})",
                         "use one of the releases pyjaspar ships, e.g. JASPAR2024 or JASPAR2016") from None


def counts_to_ppm(counts) -> np.ndarray:
    """A Bio.motifs counts matrix (dict-like A,C,G,T -> columns) -> (L, 4) probabilities."""
    pfm = np.array([counts[b] for b in "ACGT"], dtype=np.float64).T
    s = pfm.sum(axis=1, keepdims=True)
    return pfm / np.where(s > 0, s, 1.0)


def _to_motif(m) -> Motif:
    pfm = np.array([m.counts[b] for b in "ACGT"], dtype=np.float64).T
    nsites = int(round(pfm.sum(axis=1).max())) if pfm.size else 0
    return Motif(m.matrix_id, counts_to_ppm(m.counts), name=str(m.name).replace(" ", "_"),
                 nsites=max(nsites, 1), extra={"pfm": pfm})


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
                             f"check the id on jaspar.elixir.no or pick another release")
        out.append(_to_motif(m))
    return out


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
