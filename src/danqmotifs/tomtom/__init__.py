"""Tomtom (Gupta, Stergiou, Bailey, Noble, Genome Biology 2007) with numba: motif against motif.

Follows the MEME suite's ``tomtom`` 5.5 (``tomtom.c``), defaults as ``tomtom -dist pearson
-min-overlap 5``, the DanQ paper's setting (docs/design.md section 9); ``-no-ssc`` only changes
logos, so it has no counterpart here:

1. Motifs get MEME's pseudocount (0.1 x background, weighted by the motif's site count).
2. Each query column is scored against every column of every target, both strands
   (:mod:`._columns`): Pearson correlation, or minus the Euclidean distance. Each query row is
   shifted by its median so an unaligned column scores 0 ("complete" scores, Tomtom's default);
   all scores are binned to integers 0..100.
3. The null distribution of an alignment score is the convolution of the aligned query columns'
   score histograms (:mod:`._pvalues`). For each target and strand, the best alignment with at
   least ``min_overlap`` columns (ties: the larger overlap, then the first, i.e. the most negative
   offset) gets the p-value of the maximum over all alignments and both strands.
4. Per target the strand with the smaller p-value is reported (ties: larger overlap, then '+').
   E = p x number of targets. q-values: Storey's pi0 and Benjamini-Hochberg over the query's
   p-values of every target strand (2 x n_targets values; :mod:`._qvalues`).

Conventions (Tomtom's): ``offsets[i, j]`` = Optimal_offset: query column k faces target column
k + offset (negative: the target starts inside the query); ``orientations`` 0 = '+', 1 = '-'
(the target reverse-complemented, its columns reversed and complemented, before aligning).

The first call in a fresh environment compiles the kernels (cached on disk afterwards).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from . import distances
from ._inputs import TomtomInputError, pack, prepare, symmetric_background
from .format import consensus, tomtom_table

#: the column score each distance of tomtom/distances.json selects in ._columns (by its name)
SCORE_CODES = {"pearson": 0, "euclidean": 1}

__all__ = ["SCORE_CODES", "TomtomInputError", "TomtomResult", "consensus", "tomtom", "tomtom_table"]


@dataclass
class TomtomResult:
    """Every query x target comparison; arrays are (n_queries, n_targets).

    Attributes
    ----------
    p_values, e_values, q_values : float64; E = p x n_targets.
    offsets : int32, Tomtom's Optimal_offset (query column k faces target column k + offset).
    overlaps : int32, aligned columns.
    orientations : int8, 0 for '+', 1 for '-' (target reverse-complemented).
    strand_p_values : (n_queries, n_targets, 2) p-values of the '+' and '-' strands.
    pi0 : (n_queries,) the pi0 used for each query's q-values.
    distance, min_overlap, complete_scores : the settings used.
    query_consensus : Tomtom's consensus of each query (after the pseudocount).
    target_consensus : per target, the consensus of its '+' and '-' strands.
    """

    p_values: np.ndarray
    e_values: np.ndarray
    q_values: np.ndarray
    offsets: np.ndarray
    overlaps: np.ndarray
    orientations: np.ndarray
    strand_p_values: np.ndarray
    pi0: np.ndarray
    distance: str
    min_overlap: int
    complete_scores: bool
    query_consensus: list
    target_consensus: list

    @property
    def n_targets(self) -> int:
        return self.p_values.shape[1]

    @property
    def strands(self) -> np.ndarray:
        """Tomtom's Orientation column: '+' or '-' per pair."""
        return np.where(self.orientations == 1, "-", "+")


@contextlib.contextmanager
def _threads(n_jobs):
    import numba

    old = numba.get_num_threads()
    if n_jobs is not None and n_jobs != -1:
        if int(n_jobs) < 1:
            raise TomtomInputError("n_jobs", f"{n_jobs} is not a number of threads",
                                   "give a positive integer, -1 or None (all cores)")
        numba.set_num_threads(min(int(n_jobs), numba.config.NUMBA_NUM_THREADS))
    try:
        yield
    finally:
        numba.set_num_threads(old)


def tomtom(queries, targets, distance: str = "pearson", min_overlap: int = 5, n_jobs=None, *,
           both_strands: bool = True, complete_scores: bool = True, pseudocount: float = 0.1,
           background=None, query_nsites=None, target_nsites=None, seed: int = 0) -> TomtomResult:
    """Compare every query motif with every target motif, as MEME's ``tomtom`` does.

    Parameters
    ----------
    queries, targets : sequences of (L, 4) probability matrices (A, C, G, T; rows sum to 1), or of
        objects with ``.pwm`` and ``.nsites`` (:class:`danqmotifs.core.motif.Motif`).
    distance : ``"pearson"`` (Tomtom's default) or ``"euclidean"`` (``-dist ed``).
    min_overlap : Tomtom's ``-min-overlap`` (lowered to the shorter motif's width when needed).
    n_jobs : threads (None or -1: numba's default, all cores).
    both_strands : also try the reverse complement of each target (False: ``-norc``).
    complete_scores : Tomtom's default scoring; False is ``-incomplete-scores``.
    pseudocount : ``-motif-pseudo`` (0 for none), applied with ``background``.
    background : A, C, G, T frequencies (Tomtom: the query file's, made strand-symmetric);
        default uniform.
    query_nsites, target_nsites : site counts weighting the pseudocount (default: ``.nsites`` of
        each motif, else 20).
    seed : seed of the bootstrap behind pi0 (q-values).

    Returns
    -------
    TomtomResult

    Raises
    ------
    TomtomInputError (a ValueError) for a matrix that is not (L, 4), has entries outside [0, 1]
    or rows not summing to 1 (+/- 0.01), and for unknown options.
    """
    from ._engine import all_queries

    name = distances.canonical(distance)
    if name not in SCORE_CODES:
        raise TomtomInputError(f"distance={distance!r}", "unknown column distance",
                               "use " + " or ".join(map(repr, distances.offered_by("native"))))
    if int(min_overlap) != min_overlap or min_overlap < 0:
        raise TomtomInputError(f"min_overlap={min_overlap!r}", "not a non-negative integer",
                               "give Tomtom's -min-overlap, e.g. 5")
    if pseudocount < 0:
        raise TomtomInputError(f"pseudocount={pseudocount}", "negative", "give 0.1 (MEME) or 0")
    bg = symmetric_background(background)
    Q = prepare(queries, "queries", query_nsites, pseudocount, bg)
    T = prepare(targets, "targets", target_nsites, pseudocount, bg)
    strands = [t for m in T for t in ((m, m[::-1, ::-1]) if both_strands else (m,))]
    qcols, qstarts, qlens = pack(Q)
    tcols, tstarts, tlens = pack(strands)
    n_orient = 2 if both_strands else 1
    with _threads(n_jobs):
        import numba

        p, q, off, ov, pi0 = all_queries(qcols, qstarts, qlens, tcols, tstarts, tlens,
                                         SCORE_CODES[name], int(min_overlap), bool(complete_scores),
                                         n_orient, int(seed), numba.get_num_threads())
    nq, nt = len(Q), len(T)
    p = p.reshape(nq, nt, n_orient)
    q, off, ov = (a.reshape(nq, nt, n_orient) for a in (q, off, ov))
    if n_orient == 2:
        # Tomtom's order: smaller p, then larger overlap, then '+'
        minus = (p[..., 1] < p[..., 0]) | ((p[..., 1] == p[..., 0]) & (ov[..., 1] > ov[..., 0]))
        pick = minus.astype(np.int64)[..., None]
    else:
        pick = np.zeros((nq, nt, 1), dtype=np.int64)

    def take(a):
        return np.take_along_axis(a, pick, axis=2)[..., 0]

    p_best = take(p)
    strand_p = p if n_orient == 2 else np.concatenate([p, np.ones_like(p)], axis=2)
    return TomtomResult(p_values=p_best, e_values=p_best * nt, q_values=take(q),
                        offsets=take(off).astype(np.int32), overlaps=take(ov).astype(np.int32),
                        orientations=pick[..., 0].astype(np.int8), strand_p_values=strand_p,
                        pi0=pi0, distance=name,
                        min_overlap=int(min_overlap), complete_scores=bool(complete_scores),
                        query_consensus=[consensus(m) for m in Q],
                        target_consensus=[(consensus(m), consensus(m[::-1, ::-1])) for m in T])
