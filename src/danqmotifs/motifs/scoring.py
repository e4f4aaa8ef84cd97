"""Best window scores m[s, t] = max_i (x_s * W_t)_i of kernels over sequences, batched.

The scores are a convolution; two engines compute it without a Python loop over sequences or
kernels, in float32, a bounded batch of sequences at a time:

- ``blas``: im2col (every window of a batch as a row of L*4 one-hot entries) times the (L*4, K)
  kernel matrix, one BLAS matrix product per batch;
- ``numba``: a compiled scan that exploits the one-hot input: kernel rows are grouped by 4 and each
  group's score is looked up in a table of the 625 possible 4-mers (A, C, G, T, N), so a window of
  26 rows costs 7 table-row additions instead of 104 multiply-adds per kernel. Parallel over
  sequences.

``auto`` picks numba when it is importable, else blas. Both return the first maximal window; the
score of that window is then recomputed exactly in float64 from the kernel, so ``m`` does not
depend on float32 rounding beyond the choice of the window among near-ties.

With ``both_strands`` the reverse-complement strand is scanned too: the score of a minus-strand
window equals the score of the reverse-complemented kernel ``W[::-1, ::-1]`` on the forward window,
so the kernels are scanned together with their reverse complements. Window positions are always
the forward-strand start of the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.alphabet import N_CODE
from ..core.errors import InputError, atomic_output, require_file

ENGINES = ("auto", "blas", "numba")
_EYE5 = np.vstack([np.eye(4, dtype=np.float32), np.zeros((1, 4), dtype=np.float32)])
_WORK_ELEMENTS = 1 << 24        # bound on the float32 (batch, positions, kernels) score array
_KMER = 4                       # 4-mer tables: 5**4 = 625 rows per group of kernel rows


@dataclass
class ScanResult:
    """Per sequence and kernel: best score and its window start (forward, and reverse complement)."""

    m: np.ndarray               # (n, K) float64 best forward-strand score
    pos: np.ndarray             # (n, K) int32 window start of that score
    m_rc: np.ndarray | None = None    # (n, K) float64 best minus-strand score
    pos_rc: np.ndarray | None = None  # (n, K) int32 forward start of that window
    engine: str = ""

    def best(self, both: bool) -> np.ndarray:
        """m over the forward strand, or the max over both strands."""
        if not both:
            return self.m
        if self.m_rc is None:
            raise ValueError("this scan has no reverse-complement scores")
        return np.maximum(self.m, self.m_rc)


def numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if engine == "auto":
        return "numba" if numba_available() else "blas"
    if engine == "numba" and not numba_available():
        raise ValueError("engine 'numba' asked for but numba is not installed; use 'blas'")
    return engine


def with_reverse_complements(W: np.ndarray) -> np.ndarray:
    """(K, L, 4) -> (2K, L, 4): the kernels, then their reverse complements W[::-1, ::-1]."""
    W = np.asarray(W)
    return np.concatenate([W, W[:, ::-1, ::-1]], axis=0)


# ---------------------------------------------------------------------------------------------
# engines: (codes (b, Ls) uint8, W (K, L, 4) float32) -> first argmax window (b, K) int32


def _argmax_blas(codes: np.ndarray, W32: np.ndarray) -> np.ndarray:
    b, Ls = codes.shape
    K, L, _ = W32.shape
    P = Ls - L + 1
    Wm = np.ascontiguousarray(W32.reshape(K, L * 4).T)              # (L*4, K), rows (j, c)
    out = np.empty((b, K), dtype=np.int32)
    step = max(1, min(b, _WORK_ELEMENTS // max(1, P * K)))
    for s in range(0, b, step):
        c = codes[s:s + step]
        x = _EYE5[c]                                                  # (bb, Ls, 4); N -> zero row
        win = np.lib.stride_tricks.sliding_window_view(x, L, axis=1)  # (bb, P, 4, L) view
        A = win.transpose(0, 1, 3, 2).reshape(c.shape[0] * P, L * 4)  # copies: im2col
        S = (A @ Wm).reshape(c.shape[0], P, K)
        out[s:s + c.shape[0]] = S.argmax(axis=1)
    return out


_numba_scan = None


def _get_numba_scan():
    """Compile (once, cached on disk) the k-mer-table scan."""
    global _numba_scan
    if _numba_scan is not None:
        return _numba_scan
    import numba as nb

    @nb.njit(parallel=True, cache=True, nogil=True)
    def scan(codes, T, k, P, out):  # pragma: no cover - compiled
        n, Ls = codes.shape
        G, R, K = T.shape
        for si in nb.prange(n):
            padded = np.full(Ls + G * k + k, 4, np.int64)
            for p in range(Ls):
                padded[p] = codes[si, p]
            key = np.empty(P + G * k, np.int64)
            for p in range(P + G * k):
                c = 0
                for d in range(k):
                    c = c * 5 + padded[p + d]
                key[p] = c
            acc = np.empty(K, np.float32)
            best = np.full(K, -np.inf, np.float32)
            arg = np.zeros(K, np.int32)
            last = T[G - 1]
            for i in range(P):
                if G > 1:
                    row = T[0, key[i]]
                    for t in range(K):
                        acc[t] = row[t]
                    for g in range(1, G - 1):
                        row = T[g, key[i + k * g]]
                        for t in range(K):
                            acc[t] += row[t]
                else:
                    acc[:] = 0.0
                row = last[key[i + k * (G - 1)]]
                # the last group's add fused with a branch-free running argmax (first maximum kept)
                for t in range(K):
                    a = acc[t] + row[t]
                    better = a > best[t]
                    best[t] = a if better else best[t]
                    arg[t] = i if better else arg[t]
            for t in range(K):
                out[si, t] = arg[t]

    _numba_scan = scan
    return scan


def kmer_tables(W32: np.ndarray, k: int = _KMER) -> np.ndarray:
    """Score tables of groups of ``k`` kernel rows: T[g, code, t] = sum_d W[t, g*k + d, base_d].

    ``code`` is the base-5 number of the k bases (A, C, G, T, N = 0..4, first base most
    significant); N and rows past the kernel's end score 0. Shape (ceil(L / k), 5**k, K), float32.
    """
    K, L, _ = W32.shape
    G = -(-L // k)
    W5 = np.zeros((K, G * k, 5), dtype=np.float64)
    W5[:, :L, :4] = W32
    digits = np.indices((5,) * k).reshape(k, -1)                      # (k, 5**k)
    T = np.zeros((G, 5 ** k, K), dtype=np.float64)
    for g in range(G):
        for d in range(k):
            T[g] += W5[:, g * k + d, digits[d]].T
    return T.astype(np.float32)


def _argmax_numba(codes: np.ndarray, W32: np.ndarray, T: np.ndarray | None = None) -> np.ndarray:
    b, Ls = codes.shape
    K, L, _ = W32.shape
    scan = _get_numba_scan()
    T = kmer_tables(W32) if T is None else T
    out = np.empty((b, K), dtype=np.int32)
    scan(np.ascontiguousarray(codes, dtype=np.uint8), T, _KMER, Ls - L + 1, out)
    return out


# ---------------------------------------------------------------------------------------------


def exact_window_scores(codes: np.ndarray, W64: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """float64 score of kernel t on the window of sequence s starting at pos[s, t]: (b, K)."""
    K, L, _ = W64.shape
    W5 = np.concatenate([W64, np.zeros((K, L, 1))], axis=-1)
    idx = pos[:, :, None] + np.arange(L)[None, None, :]              # (b, K, L)
    win = codes[np.arange(codes.shape[0])[:, None, None], idx]        # (b, K, L) window codes
    return W5[np.arange(K)[None, :, None], np.arange(L)[None, None, :], win].sum(axis=-1)


def scan_max(codes: np.ndarray, W, both_strands: bool = False, batch_size: int = 256,
             engine: str = "auto", progress=None) -> ScanResult:
    """m[s, t] and its window for every sequence and kernel.

    Parameters
    ----------
    codes : (n, Ls) uint8 base codes (0..3 = A, C, G, T; 4 = N), Ls >= L.
    W : (K, L, 4) kernels, correlation orientation (row j faces base i + j).
    both_strands : also scan the reverse-complement strand.
    batch_size : sequences per batch (bounds memory together with an internal work-size cap).
    engine : auto | blas | numba.
    progress : optional callable(done, total) called after each batch.
    """
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError(f"codes must be (n, length), got {codes.shape}")
    if codes.dtype != np.uint8:
        codes = codes.astype(np.uint8)
    if codes.size and codes.max() > N_CODE:
        raise ValueError("codes must be 0..4 (A, C, G, T, N)")
    W64 = np.asarray(W, dtype=np.float64)
    K, L, _ = W64.shape
    n, Ls = codes.shape
    if Ls < L:
        raise ValueError(f"sequences ({Ls} bp) are shorter than the kernels ({L} rows)")
    engine = resolve_engine(engine)
    Wall = with_reverse_complements(W64) if both_strands else W64
    W32 = Wall.astype(np.float32)
    T = kmer_tables(W32) if engine == "numba" else None
    K2 = Wall.shape[0]
    m = np.empty((n, K2), dtype=np.float64)
    pos = np.empty((n, K2), dtype=np.int32)
    batch_size = int(batch_size)
    for s in range(0, n, batch_size):
        c = codes[s:s + batch_size]
        a = _argmax_numba(c, W32, T) if engine == "numba" else _argmax_blas(c, W32)
        pos[s:s + c.shape[0]] = a
        m[s:s + c.shape[0]] = exact_window_scores(c, Wall, a)
        if progress is not None:
            progress(min(s + batch_size, n), n)
    if both_strands:
        return ScanResult(m[:, :K].copy(), pos[:, :K].copy(), m[:, K:].copy(), pos[:, K:].copy(), engine)
    return ScanResult(m, pos, None, None, engine)



def write_scores(path, scan: ScanResult) -> None:
    """Save a scan (datasets m, pos and, for both strands, m_rc, pos_rc) atomically."""
    import h5py


    with atomic_output(path) as tmp:
        with h5py.File(tmp, "w") as f:
            for name in ("m", "pos", "m_rc", "pos_rc"):
                arr = getattr(scan, name)
                if arr is not None:
                    f.create_dataset(name, data=arr, track_times=False)
            f.attrs["both_strands"] = scan.m_rc is not None
            f.attrs["engine"] = scan.engine


def read_scores(path, n: int | None = None, K: int | None = None) -> ScanResult:
    """Load a scan written by ``write_scores``; checks its shape against (n, K) when given."""
    from pathlib import Path

    import h5py


    path = Path(path)
    require_file(path, "the score file", "run the scan_kernels rule first")
    with h5py.File(path, "r") as f:
        if "m" not in f or "pos" not in f:
            raise InputError(path, "not a score file (no m / pos datasets)", "rerun the scan_kernels rule")
        get = lambda k: f[k][()] if k in f else None  # noqa: E731
        scan = ScanResult(get("m"), get("pos"), get("m_rc"), get("pos_rc"), str(f.attrs.get("engine", "")))
    if (n is not None and scan.m.shape[0] != n) or (K is not None and scan.m.shape[1] != K):
        raise InputError(path, f"scores for {scan.m.shape} (sequences, kernels), expected ({n}, {K})",
                         "rerun scan_kernels: the kernel file changed since")
    return scan
