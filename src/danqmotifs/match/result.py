"""The result of matching one query set against a database: full (queries x targets) matrices."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class MatchResult:
    """All query x target comparisons of one query set (arrays are (n_queries, n_targets)).

    ``reported`` is False where the engine gave no value (the ``meme`` engine reports only pairs
    under its threshold); there p = q = 1 and offset = overlap = 0.
    """

    query_ids: list[str]
    target_ids: list[str]
    target_names: list[str]
    p_value: np.ndarray
    q_value: np.ndarray
    offset: np.ndarray
    overlap: np.ndarray
    orientation: np.ndarray  # 0: '+', 1: '-' (target reverse-complemented)
    engine: str = "memelite"
    distance: str = "euclidean"
    reported: np.ndarray | None = field(default=None)

    def __post_init__(self):
        shape = (len(self.query_ids), len(self.target_ids))
        for name in ("p_value", "q_value", "offset", "overlap", "orientation"):
            if np.shape(getattr(self, name)) != shape:
                raise ValueError(f"{name} must have shape {shape}, got {np.shape(getattr(self, name))}")
        if self.reported is None:
            self.reported = np.ones(shape, dtype=bool)

    @property
    def n_targets(self) -> int:
        return len(self.target_ids)

    @property
    def e_value(self) -> np.ndarray:
        return self.p_value * self.n_targets


def empty_result(targets, engine: str, distance: str) -> MatchResult:
    """A result without queries against ``targets`` (motifs): a route that found no motif."""
    z = np.zeros((0, len(targets)))
    return MatchResult([], [t.id for t in targets], [t.name for t in targets], z, z.copy(),
                       z.astype(np.int32), z.astype(np.int32), z.astype(np.int8), engine=engine,
                       distance=distance)


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values along the last axis (each row its own family).

    q_(i) = min_{j >= i} p_(j) * m / j over the sorted p-values, capped at 1.
    """
    p = np.asarray(p, dtype=np.float64)
    m = p.shape[-1]
    if m == 0:
        return p.copy()
    order = np.argsort(p, axis=-1, kind="stable")
    ps = np.take_along_axis(p, order, axis=-1)
    ranks = np.arange(1, m + 1, dtype=np.float64)
    q = ps * m / ranks
    q = np.minimum.accumulate(q[..., ::-1], axis=-1)[..., ::-1]
    q = np.minimum(q, 1.0)
    out = np.empty_like(q)
    np.put_along_axis(out, order, q, axis=-1)
    return out



def best_indices(res: MatchResult) -> np.ndarray:
    """Per query, the target with the smallest p-value (ties: the first target); -1 if none reported."""
    p = np.where(res.reported, res.p_value, np.inf)
    best = np.argmin(p, axis=1)
    best[~res.reported.any(axis=1)] = -1
    return best



def count_matched(res: MatchResult, evalue_threshold: float) -> int:
    """Queries whose best match has E < ``evalue_threshold``."""
    return int(((res.e_value < evalue_threshold) & res.reported).any(axis=1).sum())

