"""Per-motif seeds and generators (the random initialisation of the held-out check draws from
them), and a seeded random simulation with a shuffled stratified split, used by the Keras 3
reference tests and benchmark. The authors' own data draws and split are in :mod:`.paper`.

A positive sequence is uniform i.i.d. background with exactly one instance of the matrix (each
position drawn from the matrix's column frequencies) at a uniform random offset in [0, length - w];
a negative is background only. Sequences are uint8 base codes (0..3 = A, C, G, T).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .settings import Settings

#: streams spawned from a motif's seed, one per purpose (adding one never changes the others)
STREAMS = ("data", "split", "init", "shuffle")


def motif_seed(seed: int, matrix_id: str) -> int:
    """A 64-bit seed from the config seed and a matrix id (SHA-256: stable across runs and
    platforms, unlike Python's ``hash``)."""
    digest = hashlib.sha256(f"k2p_simulation:{int(seed)}:{matrix_id}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def motif_rngs(seed: int, matrix_id: str) -> dict[str, np.random.Generator]:
    """Independent generators for each purpose in :data:`STREAMS`."""
    children = np.random.SeedSequence(motif_seed(seed, matrix_id)).spawn(len(STREAMS))
    return {name: np.random.default_rng(ss) for name, ss in zip(STREAMS, children)}


def sample_sites(pwm: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` instances of a PWM (L, 4): (n, L) codes, position j drawn from row j."""
    pwm = np.asarray(pwm, dtype=np.float64)
    cdf = np.cumsum(pwm / pwm.sum(axis=1, keepdims=True), axis=1)
    u = rng.random((n, pwm.shape[0]))
    return np.minimum((u[:, :, None] >= cdf[None, :, :]).sum(axis=2), 3).astype(np.uint8)


def simulate(pwm: np.ndarray, settings: Settings, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Positives then negatives: (codes (N, length) uint8, labels (N,) uint8)."""
    w = pwm.shape[0]
    n_pos, n_neg, length = settings.n_positive, settings.n_negative, settings.length
    codes = rng.integers(0, 4, size=(n_pos + n_neg, length), dtype=np.uint8)
    sites = sample_sites(pwm, n_pos, rng)
    offsets = rng.integers(0, length - w + 1, size=n_pos)
    rows = np.arange(n_pos)[:, None]
    codes[rows, offsets[:, None] + np.arange(w)[None, :]] = sites
    labels = np.r_[np.ones(n_pos, np.uint8), np.zeros(n_neg, np.uint8)]
    return codes, labels


def _stratified_take(labels: np.ndarray, idx: np.ndarray, fraction: float,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split ``idx`` into (kept, taken): a ``fraction`` of each class taken, at random."""
    taken, kept = [], []
    for cls in (1, 0):
        members = rng.permutation(idx[labels[idx] == cls])
        k = int(round(fraction * members.size))
        taken.append(members[:k])
        kept.append(members[k:])
    return np.sort(np.concatenate(kept)), np.sort(np.concatenate(taken))


def split(labels: np.ndarray, settings: Settings, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Stratified train / valid / test indices: test = ``test_fraction`` of all, valid =
    ``valid_fraction`` of the rest (as scikit-learn's ``train_test_split`` twice)."""
    rest, test = _stratified_take(labels, np.arange(labels.size), settings.test_fraction, rng)
    train, valid = _stratified_take(labels, rest, settings.valid_fraction, rng)
    return {"train": train, "valid": valid, "test": test}


@dataclass
class MotifData:
    """One motif's sequences, split."""

    codes: np.ndarray           # (N, length) uint8
    labels: np.ndarray          # (N,) uint8
    idx: dict                   # split name -> indices

    def part(self, *names: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, labels) of the union of the named splits, in that order."""
        i = np.concatenate([self.idx[n] for n in names])
        return self.codes[i], self.labels[i]


def make_data(pwm: np.ndarray, settings: Settings, rngs: dict) -> MotifData:
    """Simulate and split one motif's data with its generators (:func:`motif_rngs`)."""
    codes, labels = simulate(pwm, settings, rngs["data"])
    return MotifData(codes, labels, split(labels, settings, rngs["split"]))
