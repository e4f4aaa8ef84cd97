"""Simulated training data: real JASPAR motifs planted into i.i.d. random DNA.

Each sequence gets each motif with probability ``density``, sampled from the motif's PWM, on a
random strand, at a random offset that does not overlap a motif already planted (if no free place
is found in a few tries the motif is not planted, and its label stays 0). Targets: one per motif
(present or not), plus one per configured pair (both present). Labels can be flipped with
probability ``label_noise``. Every random draw comes from one seeded generator per split, so the
same seed gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.alphabet import reverse_complement_codes
from ..core.errors import InputError
from ..core.motif import Motif
from .datafile import SPLITS, DataWriter

_TRIES = 12
_BLOCK = 8192


@dataclass
class SimSpec:
    motifs: list[Motif]
    length: int
    gc: float
    density: float
    label_noise: float = 0.0
    pairs: tuple[tuple[int, int], ...] = ()

    def background(self) -> np.ndarray:
        at, gc = (1 - self.gc) / 2, self.gc / 2
        return np.array([at, gc, gc, at])

    def target_names(self) -> list[str]:
        names = [f"{m.id}_{m.name}" for m in self.motifs]
        return names + [f"{names[a]}+{names[b]}" for a, b in self.pairs]


def resolve_pairs(pairs, motifs: list[Motif]) -> tuple[tuple[int, int], ...]:
    """Pair entries may name a motif by full id (MA0139.2) or base id (MA0139)."""
    index = {}
    for i, m in enumerate(motifs):
        index[m.id] = i
        index.setdefault(m.id.split(".")[0], i)
    out = []
    for p in pairs:
        try:
            a, b = (index[x] for x in p)
        except KeyError as exc:
            raise InputError(f"data.simulate.pairs: {p}", f"{exc.args[0]} is not one of motif_ids",
                             "use ids listed in data.simulate.motif_ids") from None
        if a == b:
            raise InputError(f"data.simulate.pairs: {p}", "a pair names the same motif twice",
                             "name two different motifs")
        out.append((a, b))
    return tuple(out)


def _sample_instances(rng: np.random.Generator, pwm: np.ndarray, k: int) -> np.ndarray:
    """k instances (k, w) of codes drawn from the rows of ``pwm``."""
    cdf = np.cumsum(pwm, axis=1)
    cdf[:, -1] = 1.0
    u = rng.random((k, pwm.shape[0]))
    return (u[:, :, None] > cdf[None, :, :]).sum(axis=2).astype(np.uint8)


def simulate_block(rng: np.random.Generator, spec: SimSpec, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n sequences (codes) and their targets."""
    L = spec.length
    seqs = rng.choice(4, size=(n, L), p=spec.background()).astype(np.uint8)
    occupied = np.zeros((n, L), dtype=bool)
    present = np.zeros((n, len(spec.motifs)), dtype=bool)
    for t, m in enumerate(spec.motifs):
        w = m.width
        if w > L:
            raise InputError(f"data.simulate.motif_ids: {m.id}", f"motif width {w} exceeds the "
                             f"sequence length {L}", "raise data.simulate.length")
        chosen = np.flatnonzero(rng.random(n) < spec.density)
        inst = _sample_instances(rng, m.pwm, chosen.size)
        minus = rng.random(chosen.size) < 0.5
        inst[minus] = reverse_complement_codes(inst[minus])
        cand = rng.integers(0, L - w + 1, size=(chosen.size, _TRIES))
        cum = np.concatenate([np.zeros((n, 1), np.int32), np.cumsum(occupied, axis=1, dtype=np.int32)], axis=1)
        rows = cum[chosen]
        free = (np.take_along_axis(rows, cand + w, axis=1) - np.take_along_axis(rows, cand, axis=1)) == 0
        ok = free.any(axis=1)
        first = free.argmax(axis=1)
        seq_idx = chosen[ok]
        off = cand[np.flatnonzero(ok), first[ok]]
        cols = off[:, None] + np.arange(w)[None, :]
        seqs[seq_idx[:, None], cols] = inst[ok]
        occupied[seq_idx[:, None], cols] = True
        present[seq_idx, t] = True
    targets = [present] + [present[:, [a]] & present[:, [b]] for a, b in spec.pairs]
    y = np.concatenate(targets, axis=1)
    if spec.label_noise > 0:
        y ^= rng.random(y.shape) < spec.label_noise
    return seqs, y.astype(np.uint8)


def simulate_split(path, spec: SimSpec, n: int, seed: int, split: str) -> None:
    """Write one split of ``n`` sequences to ``path`` in the data layout."""
    ss = np.random.SeedSequence([seed, SPLITS.index(split)])
    rng = np.random.default_rng(ss)
    with DataWriter(path, spec.length, spec.target_names(), "simulate", split,
                    attrs={"motif_ids": [m.id for m in spec.motifs], "gc": spec.gc,
                           "motif_density": spec.density, "label_noise": spec.label_noise}) as w:
        for s in range(0, n, _BLOCK):
            x, y = simulate_block(rng, spec, min(_BLOCK, n - s))
            w.append(x, y)
