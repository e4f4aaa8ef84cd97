"""Which JASPAR matrices the simulation runs on, and how they are cut into chunks.

Every check happens here, before anything is trained or written: a release pyjaspar does not ship,
an unknown matrix id, a matrix wider than the sequences, or a sample larger than the set each
raise one :class:`~danqmotifs.core.errors.InputError`.
"""

from __future__ import annotations

import numpy as np

from ....core.errors import InputError
from ....core.motif import Motif
from ....sources.jaspar import check_release, fetch_collection, fetch_motifs
from .data import motif_seed

WHERE = "figures.k2p_simulation"


def select_motifs(release: str = "JASPAR2016", collection: str = "CORE", tax_group: str | None = None,
                  motif_ids=None, sample: int | None = None, seed: int = 1, length: int = 50) -> list[Motif]:
    """The matrices to run, sorted by id.

    Parameters
    ----------
    release, collection, tax_group : the JASPAR set (latest version of each matrix).
    motif_ids : explicit matrix ids instead of the set (``MA0139`` = its latest version).
    sample : run a random sample of this many matrices of the set (None or 0: all of them); the
        draw depends only on ``seed`` and the set.
    seed : the config seed.
    length : the sequence length; every matrix must fit in it.
    """
    check_release(release, f"{WHERE}.release: {release}")
    if motif_ids:
        ids = list(motif_ids)
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise InputError(f"{WHERE}.motif_ids", f"repeated id(s) {', '.join(dup)}", "list each id once")
        motifs = fetch_motifs(ids, release, where=f"{WHERE}.motif_ids")
        seen = [m.id for m in motifs]
        if len(set(seen)) < len(seen):
            raise InputError(f"{WHERE}.motif_ids", "two ids name the same matrix (e.g. MA0139 and MA0139.1)",
                             "list each matrix once")
        motifs = sorted(motifs, key=lambda m: m.id)
    else:
        motifs = fetch_collection(release, collection, tax_group or None)
    if sample:
        if sample > len(motifs):
            raise InputError(f"{WHERE}.sample: {sample}", f"only {len(motifs)} matrices to sample from",
                             f"set sample to at most {len(motifs)}, or to null for all of them")
        rng = np.random.default_rng(motif_seed(seed, "sample"))
        pick = np.sort(rng.choice(len(motifs), size=int(sample), replace=False))
        motifs = [motifs[i] for i in pick]
    wide = [f"{m.id} ({m.width} bp)" for m in motifs if m.width > length]
    if wide:
        raise InputError(f"{WHERE}.sizes.length: {length}", f"matrices wider than the sequences: {', '.join(wide)}",
                         "raise sizes.length or leave these matrices out")
    return motifs


def chunks(items: list, chunk_size: int) -> list[list]:
    """Consecutive chunks of at most ``chunk_size`` items."""
    if chunk_size < 1:
        raise InputError(f"{WHERE}.chunk_size: {chunk_size}", "chunk_size must be >= 1", "set it to e.g. 64")
    return [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]


def data_indices(motifs, whole_set) -> list[int]:
    """Each matrix's 0-based position among the sorted ids of the whole set (the authors' data
    seed: their matrices are read in sorted-name order and seeded by position). A matrix outside
    the set is placed among the set's ids by the same sort."""
    ids = sorted({m.id for m in whole_set} | {m.id for m in motifs})
    pos = {i: k for k, i in enumerate(ids)}
    return [pos[m.id] for m in motifs]


def chunk_motifs(ids, whole_set, release: str) -> list[Motif]:
    """The matrices ``ids`` of one chunk, taken from ``whole_set`` (the collection a chunk job reads
    anyway, so the release is read once per job); ids not in it (explicit ``motif_ids`` from
    elsewhere, or without a version) are fetched from the release."""
    have = {m.id: m for m in whole_set}
    missing = [i for i in ids if i not in have]
    extra = dict(zip(missing, fetch_motifs(missing, release, where=f"{WHERE}.motif_ids"))) if missing else {}
    return [have[i] if i in have else extra[i] for i in ids]
