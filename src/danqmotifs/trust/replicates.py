"""Reproducibility across training replicates: which motifs another seed would find again.

The same config trained with N seeds (``train.replicates``) gives N sets of kernels. All replicates'
motifs (the exact PWMs, low-information flanks trimmed) are compared with each other by Tomtom
(this package's, Pearson column distance, minimum overlap 5, both strands) and grouped by
average-linkage clustering on log10 of the pairwise p-value (the larger of the two directions),
cut at :data:`LINK_P`: two groups merge when the geometric mean of their members' pairwise p-values
is at most 1e-4. The threshold: two kernels learning the same site give p-values far below it (the
same JASPAR matrix with noise, shifted or reverse-complemented, in the tests), while Tomtom's
p-value of two unrelated motifs of 5 to 20 columns is rarely below 1e-3; a pair of unrelated
motifs meeting it by chance among the K^2 N^2 / 2 pairs still needs its whole group's mean to stay
below it.

Per cluster: the replicates it occurs in, its kernels, a representative (the member with the
smallest mean distance to the others), the representative's best JASPAR match, and the members'
mean influence and faithfulness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..core.motif import Motif

#: average-linkage cut: the geometric mean of the pairwise Tomtom p-values within a cluster
LINK_P = 1e-4
#: trimming of the exact PWMs before comparison (as meme.trim's defaults)
TRIM_IC, TRIM_MIN_WIDTH = 0.3, 5
P_FLOOR = 1e-300


@dataclass
class Member:
    """One kernel of one replicate: its trimmed motif, influence and faithfulness numbers."""

    replicate: int
    kernel: int
    motif: Motif
    influence: float = float("nan")
    faithfulness: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"r{self.replicate}:k{self.kernel}"


def replicate_members(replicate: int, pwms, nsites, keep, influence=None, faith_rows=None,
                      trim_ic: float = TRIM_IC, min_width: int = TRIM_MIN_WIDTH) -> list[Member]:
    """Members of one replicate: every kept kernel with a positive influence (all kept kernels when
    ``influence`` is None), its PWM trimmed (``danqmotifs.formats.meme.trim_motif``)."""
    from ..formats.meme import kernel_motifs, trim_motif

    pwms = np.asarray(pwms, dtype=np.float64)
    faith = {int(r["kernel"]): {k: float(v) if v not in ("NA", "") else float("nan")
                                for k, v in r.items() if k != "kernel"} for r in faith_rows or []}
    out = []
    for m in kernel_motifs(pwms, nsites, "exact", keep):
        k = m.extra["kernel"]
        inf = float(influence[k]) if influence is not None else float("nan")
        if influence is not None and not inf > 0:
            continue
        out.append(Member(replicate, k, trim_motif(m, trim_ic, min_width), inf, faith.get(k, {})))
    return out


def pair_p_values(motifs: Sequence[Motif], min_overlap: int = 5) -> np.ndarray:
    """(n, n) symmetric Tomtom p-values (Pearson, both strands; the larger of the two directions),
    0 on the diagonal."""
    from ..tomtom import tomtom

    res = tomtom(motifs, motifs, "pearson", min_overlap)
    P = np.maximum(res.p_values, res.p_values.T)
    np.fill_diagonal(P, 0.0)
    return P


def cluster_labels(P: np.ndarray, link_p: float = LINK_P) -> np.ndarray:
    """Cluster of each motif (0, 1, ... numbered in order of first member) by average linkage on
    log10 p, cut at log10 ``link_p``."""
    n = P.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    D = np.log10(np.clip(P, P_FLOOR, 1.0)) - math.log10(P_FLOOR)       # >= 0, monotone in p
    np.fill_diagonal(D, 0.0)
    Z = linkage(squareform(D, checks=False), method="average")
    raw = fcluster(Z, math.log10(link_p) - math.log10(P_FLOOR), criterion="distance")
    first: dict[int, int] = {}
    for c in raw:
        first.setdefault(int(c), len(first))
    return np.array([first[int(c)] for c in raw], dtype=np.int64)


def representative(P: np.ndarray, idx: np.ndarray) -> int:
    """The member of ``idx`` with the smallest mean log10 p to the others (ties: the first)."""
    if idx.size == 1:
        return int(idx[0])
    L = np.log10(np.clip(P[np.ix_(idx, idx)], P_FLOOR, 1.0))
    np.fill_diagonal(L, 0.0)
    return int(idx[int(np.argmin(L.sum(axis=1)))])


def cluster_rows(members: Sequence[Member], n_replicates: int, jaspar: Sequence[Motif] | None = None,
                 link_p: float = LINK_P) -> tuple[list[dict], np.ndarray]:
    """One row per cluster, ranked by replicates then mean influence, and each member's cluster.

    Row keys: ``cluster``, ``replicates`` (distinct replicates it occurs in), ``n_replicates``,
    ``n_kernels``, ``kernels`` (``r<replicate>:k<kernel>`` ...), ``representative``, ``influence``
    (mean over members), the members' mean of each faithfulness column, ``match_id``, ``match_name``,
    ``match_p``, ``match_q`` (the representative's best JASPAR match; empty without ``jaspar``),
    ``pwm`` (the representative's PWM, not written to tables).
    """
    P = pair_p_values([m.motif for m in members]) if len(members) > 1 else np.zeros((len(members),) * 2)
    labels = cluster_labels(P, link_p)
    rows = []
    for c in range(int(labels.max()) + 1 if labels.size else 0):
        idx = np.flatnonzero(labels == c)
        rep = members[representative(P, idx)]
        ms = [members[i] for i in idx]
        infl = [m.influence for m in ms if math.isfinite(m.influence)]
        row = dict(cluster=c, replicates=len({m.replicate for m in ms}), n_replicates=int(n_replicates),
                   n_kernels=len(ms), kernels=" ".join(m.label for m in ms), representative=rep.label,
                   influence=float(np.mean(infl)) if infl else float("nan"), pwm=rep.motif.pwm)
        for key in dict.fromkeys(k for m in ms for k in m.faithfulness):
            vals = [m.faithfulness.get(key, float("nan")) for m in ms]
            vals = [v for v in vals if math.isfinite(v)]
            row[key] = float(np.mean(vals)) if vals else float("nan")
        rows.append(row)
    if jaspar and rows:
        from ..tomtom import tomtom

        res = tomtom([r["pwm"] for r in rows], [m.pwm for m in jaspar], "pearson", 5)
        for i, r in enumerate(rows):
            j = int(np.argmin(res.p_values[i]))
            r.update(match_id=jaspar[j].id, match_name=jaspar[j].name, match_p=float(res.p_values[i, j]),
                     match_q=float(res.q_values[i, j]))
    rows.sort(key=lambda r: (-r["replicates"], -(r["influence"] if math.isfinite(r["influence"]) else -1),
                             r["cluster"]))
    return rows, labels


# ------------------------------------------------------------------------------------- tables

CLUSTER_COLUMNS = ("rank", "cluster", "replicates", "n_replicates", "n_kernels", "representative", "influence",
                   "match_id", "match_name", "match_p", "match_q", "consensus", "kernels")


def _cell(v) -> str:
    if isinstance(v, float):
        return "NA" if not math.isfinite(v) else f"{v:.4g}"
    return str(v)


def write_cluster_table(rows: Sequence[dict], path) -> None:
    """reproducibility.tsv: ``CLUSTER_COLUMNS`` then the faithfulness means, one row per cluster."""
    from pathlib import Path

    from ..core.errors import atomic_output
    from ..core.pwm import consensus

    extra = list(dict.fromkeys(k for r in rows for k in r if k not in CLUSTER_COLUMNS and k != "pwm"))
    cols = list(CLUSTER_COLUMNS[:-1]) + extra + ["kernels"]
    lines = ["\t".join(cols)]
    for i, r in enumerate(rows, 1):
        r = dict(r, rank=i, consensus=consensus(r["pwm"]))
        lines.append("\t".join(_cell(r.get(c, "")) for c in cols))
    with atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")


def write_member_table(members: Sequence[Member], labels, path) -> None:
    """reproducibility_kernels.tsv: replicate, kernel, cluster, influence, trimmed width."""
    from pathlib import Path

    from ..core.errors import atomic_output

    lines = ["replicate\tkernel\tcluster\tinfluence\twidth"]
    lines += [f"{m.replicate}\t{m.kernel}\t{int(c)}\t{_cell(m.influence)}\t{m.motif.width}"
              for m, c in zip(members, labels)]
    with atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")
