"""TF-MoDISco (tfmodisco-lite, ``modiscolite``) on the attributions of :mod:`danqmotifs.attribution.attribute`:
patterns, trimmed by their contribution, as MEME PFMs for this package's Tomtom.

One run per target, on the sampled sequences positive for it (their central ``window`` bp), through
the library call ``modiscolite.tfmodisco.TFMoDISco(one_hot, hypothetical_contribs)`` with arrays
(N, L, 4) (its command line reads (N, 4, L) files and transposes them). Its defaults differ between
the library and the command line; this module takes the command line's, which is what its users run
and what the published examples use: seqlet FDR 0.05 (the library's 0.2 admits four times as many
background windows as seqlets, which on a few hundred sequences become clusters of noise), at most
2,000 seqlets per metacluster, 2 Leiden runs, 20 bp seqlet cores with 5 bp flanks.

Each pattern (positive: raises the logit; negative: lowers it) becomes one motif whose id is
``<target>.<pos|neg>_pattern_<i>`` (the target's name with characters other than letters, digits,
``.``, ``_`` and ``-`` replaced by ``_``). Its matrix is the pattern's PFM (the base frequencies of
its aligned seqlets), trimmed to the span from the first to the last column whose summed absolute
contribution (CWM) is at least ``trim_threshold`` times the largest (tfmodisco-lite's report trims
the same way, at 0.3). The PFM, not the CWM, is what is matched: a CWM has negative entries, which
no MEME matrix may hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..core.errors import InputError, atomic_output
from ..core.motif import Motif

#: tfmodisco-lite's command-line defaults, which :func:`run_modisco` uses (see the module text)
DEFAULTS = dict(fdr=0.05, max_seqlets=2000, n_leiden=2, sliding_window=20, flank=5, trim_threshold=0.3,
                min_metacluster_size=100, final_min_cluster_size=20)


@dataclass
class Pattern:
    """One TF-MoDISco pattern: ``ppm``, ``cwm``, ``hcwm`` (W, 4) A, C, G, T; ``trim`` [start, stop)."""

    id: str
    target: str
    sign: str
    n_seqlets: int
    ppm: np.ndarray
    cwm: np.ndarray
    hcwm: np.ndarray
    trim: tuple = (0, 0)
    seqlets: dict = field(default_factory=dict)

    def motif(self, name: str = "modisco") -> Motif:
        """The trimmed PFM as a :class:`~danqmotifs.core.motif.Motif` (rows renormalised)."""
        p = np.asarray(self.ppm[self.trim[0]:self.trim[1]], dtype=np.float64)
        p = p / p.sum(axis=1, keepdims=True)
        return Motif(self.id, p, name=name, nsites=int(self.n_seqlets),
                     extra={"target": self.target, "sign": self.sign, "trim": tuple(self.trim)})


def cwm_trim_span(cwm: np.ndarray, threshold: float) -> tuple[int, int]:
    """[start, stop) from the first to the last column whose summed |CWM| is at least
    ``threshold`` x the largest column's."""
    score = np.abs(np.asarray(cwm, dtype=np.float64)).sum(axis=1)
    if score.size == 0 or not np.isfinite(score).all() or score.max() <= 0:
        return 0, int(score.size)
    keep = np.flatnonzero(score >= threshold * score.max())
    return int(keep[0]), int(keep[-1]) + 1


def safe_name(target: str) -> str:
    """A target name usable in a MEME motif id."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", target) or "target"


def run_modisco(one_hot: np.ndarray, hyp: np.ndarray, target: str, fdr: float = DEFAULTS["fdr"],
                max_seqlets: int = DEFAULTS["max_seqlets"], n_leiden: int = DEFAULTS["n_leiden"],
                trim_threshold: float = DEFAULTS["trim_threshold"],
                sliding_window: int = DEFAULTS["sliding_window"], flank: int = DEFAULTS["flank"],
                min_metacluster_size: int = DEFAULTS["min_metacluster_size"],
                final_min_cluster_size: int = DEFAULTS["final_min_cluster_size"],
                log: Callable[[str], None] = print) -> list[Pattern]:
    """TF-MoDISco's patterns of one target's attributions.

    Parameters
    ----------
    one_hot, hyp : (N, L, 4) one-hot sequences and their hypothetical contributions (float32).
    target : the target's name (pattern ids and messages).
    fdr : seqlet FDR (``target_seqlet_fdr``); max_seqlets : per metacluster; n_leiden : Leiden runs.
    trim_threshold : CWM trimming (:func:`cwm_trim_span`).
    sliding_window, flank : seqlet core width and flank (bp).
    min_metacluster_size, final_min_cluster_size : fewest seqlets for a metacluster / a pattern.

    Returns
    -------
    list of Pattern: positive patterns first, each in modisco's order. Empty when too few seqlets.
    """
    try:
        import modiscolite
    except ImportError:
        raise InputError("attribution", "the attribution route needs tfmodisco-lite (imports as modiscolite)",
                         "install it: .venv/bin/pip install -e '.[attrib]' (PyPI modisco-lite)") from None
    one_hot = np.ascontiguousarray(one_hot, dtype=np.float32)
    hyp = np.ascontiguousarray(hyp, dtype=np.float32)
    if one_hot.shape != hyp.shape or one_hot.ndim != 3 or one_hot.shape[2] != 4:
        raise ValueError(f"one-hot {one_hot.shape} and attributions {hyp.shape} must both be (N, L, 4)")
    if not np.isfinite(hyp).all():
        raise InputError("attributions", f"{target}: {int((~np.isfinite(hyp)).sum())} attribution value(s) "
                         "are not finite", "check the model (NaN or infinite logits) and rerun the attribution")
    if one_hot.shape[0] == 0:
        log(f"modisco {target}: no sequence positive for it in the sample: no pattern")
        return []
    if one_hot.shape[1] < sliding_window + 2 * flank:
        raise InputError("attribution.modisco.window", f"{one_hot.shape[1]} bp is shorter than a seqlet "
                         f"({sliding_window} + 2 x {flank} bp)", "use a larger window (or 0: the whole sequence)")
    pos, neg = modiscolite.tfmodisco.TFMoDISco(
        one_hot=one_hot, hypothetical_contribs=hyp, sliding_window_size=sliding_window, flank_size=flank,
        target_seqlet_fdr=fdr, max_seqlets_per_metacluster=max_seqlets, n_leiden_runs=n_leiden,
        min_metacluster_size=min_metacluster_size, final_min_cluster_size=final_min_cluster_size,
        trim_to_window_size=30, initial_flank_to_add=10, final_flank_to_add=0, verbose=False)
    out = []
    tag = safe_name(target)
    for sign, pats in (("pos", pos), ("neg", neg)):
        for i, p in enumerate(pats or []):
            cwm = np.asarray(p.contrib_scores, dtype=np.float64)
            sl = p.seqlets
            out.append(Pattern(
                id=f"{tag}.{sign}_pattern_{i}", target=target, sign=sign, n_seqlets=len(sl),
                ppm=np.asarray(p.sequence, dtype=np.float64), cwm=cwm,
                hcwm=np.asarray(p.hypothetical_contribs, dtype=np.float64),
                trim=cwm_trim_span(cwm, trim_threshold),
                seqlets=dict(example=np.array([s.example_idx for s in sl], dtype=np.int64),
                             start=np.array([s.start for s in sl], dtype=np.int64),
                             end=np.array([s.end for s in sl], dtype=np.int64),
                             revcomp=np.array([bool(s.is_revcomp) for s in sl], dtype=bool))))
    log(f"modisco {target}: {one_hot.shape[0]} sequences -> "
        f"{sum(p.sign == 'pos' for p in out)} positive, {sum(p.sign == 'neg' for p in out)} negative pattern(s)")
    return out


def write_patterns(path, patterns: Sequence[Pattern], attrs: dict | None = None) -> None:
    """All patterns in one HDF5 file (atomically): a group per pattern id with ppm, cwm, hcwm,
    trim and its seqlets (sequence index in the target's positives, start, end, revcomp)."""
    import h5py

    with atomic_output(path) as tmp:
        with h5py.File(tmp, "w") as f:     # no creation order (track_order): it stores times
            for k, v in (attrs or {}).items():
                f.attrs[k] = v
            for i, p in enumerate(patterns):
                g = f.create_group(p.id)
                g.attrs["order"] = i
                g.attrs["target"] = p.target
                g.attrs["sign"] = p.sign
                g.attrs["n_seqlets"] = int(p.n_seqlets)
                g.attrs["trim"] = np.asarray(p.trim, dtype=np.int64)
                for name in ("ppm", "cwm", "hcwm"):
                    g.create_dataset(name, data=getattr(p, name), track_times=False)
                s = g.create_group("seqlets")
                for name, v in p.seqlets.items():
                    s.create_dataset(name, data=v, track_times=False)


def read_patterns(path) -> list[Pattern]:
    """Patterns written by :func:`write_patterns`, in their order."""
    import h5py

    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise InputError(path, f"cannot read the pattern file ({exc})", "rerun the modisco rule") from None
    out = []
    with f:
        for pid, g in sorted(f.items(), key=lambda kv: int(kv[1].attrs["order"])):
            a = g.attrs
            out.append(Pattern(pid, str(a["target"]), str(a["sign"]), int(a["n_seqlets"]), g["ppm"][()],
                               g["cwm"][()], g["hcwm"][()], tuple(int(v) for v in a["trim"]),
                               {k: v[()] for k, v in g["seqlets"].items()}))
    return out
