"""The heuristic PFM of a kernel (DeepBind; DanQ issue #9; docs/design.md section 7).

For each kernel and sequence, the window of the maximum activation is added to the kernel's count
matrix when its pre-activation score + bias is > 0 (a ReLU's output > 0, an exponential layer's
output > 1: one threshold for both, docs/design.md section 7b); nsites counts the windows added. With
both strands, the best minus-strand window is added too (read on the minus strand, i.e. reverse
complemented), so a sequence gives up to 2 sites. Both activations are monotone, so the argmax of
the activation is the argmax of the score, and the scan of ``danqmotifs.motifs.scoring`` is reused.
A kernel that is never activated is "dead": no counts, a uniform PWM, flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.alphabet import N_CODE
from .scoring import numba_available

_COMPLEMENT = np.array([3, 2, 1, 0, N_CODE], dtype=np.uint8)
_NUMBA_MIN_PAIRS = 1 << 17      # below this many (sequence, kernel) pairs NumPy is faster


@dataclass
class HeuristicResult:
    counts: np.ndarray          # (K, L, 4) float64 base counts of the aligned windows
    nsites: np.ndarray          # (K,) int windows added
    max_activation: np.ndarray  # (K,) max over sequences (and strands) of ReLU(m + bias)

    @property
    def dead(self) -> np.ndarray:
        return self.nsites == 0

    @property
    def pwm(self) -> np.ndarray:
        return counts_to_pwm(self.counts)


def counts_to_pwm(counts) -> np.ndarray:
    """Rows normalised to sum to 1; a row without counts (dead kernel, or N only) is uniform."""
    counts = np.asarray(counts, dtype=np.float64)
    s = counts.sum(axis=-1, keepdims=True)
    return np.where(s > 0, counts / np.where(s > 0, s, 1.0), 0.25)


def _add_windows(counts: np.ndarray, codes: np.ndarray, pos: np.ndarray, take: np.ndarray,
                 L: int, reverse: bool) -> None:
    """counts[t, j, base] += 1 for every window (s, t) with take[s, t]; in place."""
    s_idx, t_idx = np.nonzero(take)
    if s_idx.size == 0:
        return
    Ls = codes.shape[1]
    j = np.arange(L, dtype=np.int64)
    start = s_idx.astype(np.int64) * Ls + pos[s_idx, t_idx]           # flat start of each window
    win = np.take(codes.reshape(-1), start[:, None] + (j[::-1] if reverse else j)[None, :])   # (w, L)
    if reverse:
        win = _COMPLEMENT[win]
    K = counts.shape[0]
    flat = (t_idx.astype(np.int64) * (L * 5))[:, None] + (j * 5)[None, :] + win   # into (K, L, 5)
    counts += np.bincount(flat.ravel(), minlength=K * L * 5).reshape(K, L, 5)[:, :, :4]


_numba_count = None


def _get_numba_count():
    """Compile (once, cached on disk) the counting loop: sequences split into chunks counted in
    parallel, each into its own integer counts (summed afterwards: the result does not depend on
    the thread count). Within a chunk each sequence is read once for all kernels."""
    global _numba_count
    if _numba_count is not None:
        return _numba_count
    import numba as nb

    @nb.njit(parallel=True, cache=True, nogil=True)
    def count(codes, pos, take, L, reverse, counts):  # pragma: no cover - compiled
        C = counts.shape[0]
        n, K = pos.shape
        for ch in nb.prange(C):
            for s in range(ch * n // C, (ch + 1) * n // C):
                for t in range(K):
                    if take[s, t]:
                        p = pos[s, t]
                        for j in range(L):
                            if reverse:
                                c = codes[s, p + L - 1 - j]
                                if c < 4:
                                    c = 3 - c
                            else:
                                c = codes[s, p + j]
                            counts[ch, t, j, c] += 1

    _numba_count = count
    return count


def _add_windows_numba(counts: np.ndarray, codes: np.ndarray, pos: np.ndarray, take: np.ndarray,
                       L: int, reverse: bool, chunks: int = 16) -> None:
    K = counts.shape[0]
    c5 = np.zeros((chunks, K, L, 5), dtype=np.int64)
    _get_numba_count()(np.ascontiguousarray(codes, dtype=np.uint8), np.ascontiguousarray(pos, dtype=np.int64),
                       np.ascontiguousarray(take), L, reverse, c5)
    counts += c5.sum(axis=0)[:, :, :4]


def heuristic_counts(codes: np.ndarray, L: int, bias, m: np.ndarray, pos: np.ndarray,
                     m_rc: np.ndarray | None = None, pos_rc: np.ndarray | None = None,
                     batch_size: int = 512, engine: str = "auto") -> HeuristicResult:
    """Counts, nsites and max activation of every kernel.

    Parameters
    ----------
    codes : (n, Ls) uint8 base codes of the sequences that were scanned.
    L : kernel length.
    bias : (K,) kernel biases.
    m, pos : (n, K) best forward score and its window start (``scoring.scan_max``).
    m_rc, pos_rc : the same on the minus strand, to count both strands (None: forward only).
    batch_size : sequences per step of the NumPy counting (bounds memory to batch_size * K * L).
    engine : auto (numba if installed and the problem is large enough to repay its fixed cost) |
        numpy | numba -- the same integer counts either way.
    """

    if engine not in ("auto", "numpy", "numba"):
        raise ValueError(f"engine must be auto, numpy or numba, got {engine!r}")
    use_numba = engine == "numba" or (engine == "auto" and m.size >= _NUMBA_MIN_PAIRS and numba_available())
    codes = np.asarray(codes)
    bias = np.asarray(bias, dtype=np.float64)
    n, K = m.shape
    counts = np.zeros((K, L, 4), dtype=np.float64)
    strands = [(m, pos, False)] + ([(m_rc, pos_rc, True)] if m_rc is not None else [])
    nsites = np.zeros(K, dtype=np.int64)
    max_act = np.zeros(K, dtype=np.float64)
    for mm, pp, rev in strands:
        act = np.maximum(mm + bias[None, :], 0.0)
        if n:
            max_act = np.maximum(max_act, act.max(axis=0))
        take = act > 0
        nsites += take.sum(axis=0)
        if use_numba:
            _add_windows_numba(counts, codes, pp, take, L, rev)
            continue
        for s in range(0, n, batch_size):
            _add_windows(counts, codes[s:s + batch_size], pp[s:s + batch_size],
                         take[s:s + batch_size], L, rev)
    return HeuristicResult(counts, nsites, max_act)
