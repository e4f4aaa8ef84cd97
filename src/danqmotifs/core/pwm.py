"""The exact transformation between a convolution kernel and a PWM (docs/design.md section 5).

For a kernel ``W`` (L, 4) in correlation orientation (row j faces base i + j) and v = ln b >= 0::

    P[j, c] = exp(v W[j, c]) / sum_c' exp(v W[j, c'])            (a softmax per row)
    sum_j W[j, x_j] = ln P(x) / v + C,   C = sum_j logsumexp_c(v W[j, c]) / v

Everything is computed from ``W - rowmax`` so that no ``b ** W`` is ever formed: the result is finite
for any finite v (a very large v gives rows that are one-hot on their maximum, ties shared).
``ln_b`` may be a scalar or one value per kernel (leading axis of a (K, L, 4) tensor).
"""

from __future__ import annotations

import numpy as np

CONVENTIONS = ("convolution", "correlation")


def _as_kernels(W) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim not in (2, 3) or W.shape[-1] != 4:
        raise ValueError(f"a kernel must be (L, 4) or (K, L, 4), got shape {W.shape}")
    return W


def _as_base(ln_b, W: np.ndarray) -> np.ndarray:
    """ln b broadcastable against ``W`` (scalar, or (K,) for a (K, L, 4) tensor)."""
    v = np.asarray(ln_b, dtype=np.float64)
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ValueError(f"ln b must be finite and >= 0 (base b >= 1), got {ln_b!r}")
    if v.ndim == 0:
        return v.reshape((1,) * W.ndim)
    if W.ndim != 3 or v.shape != (W.shape[0],):
        raise ValueError(f"ln b must be a scalar or one value per kernel ({W.shape[0]},), got {v.shape}")
    return v[:, None, None]


def flip_convention(W, convention: str) -> np.ndarray:
    """Kernel(s) given in ``convention`` -> correlation orientation (and back: the map is an involution).

    ``convolution`` (Theano, k2p's files) reverses the rows: W_corr = W_conv[::-1, :].
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    W = np.asarray(W)
    return W[..., ::-1, :].copy() if convention == "convolution" else W.copy()


def _shifted(W: np.ndarray, v: np.ndarray):
    """(row max, z = v * (W - row max)); z <= 0 with a 0 in every row."""
    mx = W.max(axis=-1, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        z = v * (W - mx)
    # 0 * (-inf) cannot happen (W finite); a huge v may give -inf entries, which exp() maps to 0
    return mx, z


def log_pwm(W, ln_b) -> np.ndarray:
    """ln P, same shape as ``W``: a stable log-softmax of ``ln_b * W`` along the last axis."""
    W = _as_kernels(W)
    v = _as_base(ln_b, W)
    _, z = _shifted(W, v)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def kernel_to_pwm(W, ln_b) -> np.ndarray:
    """The exact PWM(s) of kernel(s) ``W`` for base ``e ** ln_b``; rows sum to 1.

    ln b = 0 gives uniform rows; a constant kernel row gives a uniform PWM row for any base.
    """
    W = _as_kernels(W)
    v = _as_base(ln_b, W)
    _, z = _shifted(W, v)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def row_logsumexp(W, ln_b) -> np.ndarray:
    """logsumexp_c(v W[..., j, c]) for every row (shape ``W.shape[:-1]``), without overflow."""
    W = _as_kernels(W)
    v = _as_base(ln_b, W)
    mx, z = _shifted(W, v)
    return (v * mx + np.log(np.exp(z).sum(axis=-1, keepdims=True)))[..., 0]


def score_offset(W, ln_b) -> np.ndarray | float:
    """The constant C with ``score(x) = ln P(x) / ln_b + C``: sum_j logsumexp(v W_j) / v.

    Computed as sum_j [max_c W_j + ln sum_c exp(v (W_j - max)) / v]. Undefined (NaN) for ln b = 0.
    """
    W = _as_kernels(W)
    v = _as_base(ln_b, W)
    mx, z = _shifted(W, v)
    lse0 = np.log(np.exp(z).sum(axis=-1, keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        per_row = np.where(v > 0, mx + lse0 / np.where(v > 0, v, 1.0), np.nan)
    out = per_row[..., 0].sum(axis=-1)
    return float(out) if out.ndim == 0 else out


def pwm_to_kernel(P, ln_b: float, delta: float | None = None, shift: float = 0.0,
                  shift_by_minimum: bool = False) -> tuple[np.ndarray, float]:
    """Inverse transformation: W = ln P / ln b (correlation orientation, like ``P``).

    Zero entries first get ``delta`` (default: the smallest positive entry / 10), to zeros only and
    without renormalising. ``shift`` is added to every entry; ``shift_by_minimum`` adds |min W|
    instead (handy before a ReLU). Returns (W, delta actually used; 0 when there was no zero).
    """
    P = np.array(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != 4:
        raise ValueError(f"a PWM must be (L, 4), got {P.shape}")
    v = float(ln_b)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"ln b must be > 0 (base > 1) to invert a PWM, got {ln_b!r}")
    if not np.all(np.isfinite(P)) or (P < 0).any() or (P > 1).any():
        raise ValueError("PWM entries must be probabilities in [0, 1]")
    used = 0.0
    zeros = P == 0
    if zeros.any():
        pos = P[P > 0]
        if pos.size == 0:
            raise ValueError("the PWM has no positive entry")
        used = float(pos.min() / 10.0) if delta is None else float(delta)
        if not used > 0:
            raise ValueError(f"delta must be > 0, got {delta!r}")
        P[zeros] += used
    W = np.log(P) / v
    if shift_by_minimum:
        W = W + abs(W.min())
    else:
        W = W + float(shift)
    return W, used


def window_scores(W, codes_windows) -> np.ndarray:
    """Linear scores sum_j W[t, j, x_j] of windows given as codes.

    W: (K, L, 4); codes_windows: (K, n, L) uint8 codes (4 = N adds 0). Returns (K, n) float64.
    """
    W = _as_kernels(W)
    if W.ndim == 2:
        W = W[None]
    K, L, _ = W.shape
    W5 = np.concatenate([W, np.zeros((K, L, 1))], axis=-1)          # code 4 (N) scores 0
    c = np.asarray(codes_windows)
    t = np.arange(K)[:, None, None]
    j = np.arange(L)[None, None, :]
    return W5[t, j, c].sum(axis=-1)


def exactness_check(W, P, ln_b, n_windows: int = 1000, seed: int = 0, batch: int = 64) -> dict:
    """Check the identity of section 5 on random windows, and that ``P`` is the exact PWM.

    For each kernel with ln b > 0, ``n_windows`` uniform random windows x (one base per row):
    error = |sum_j W[j, x_j] - (sum_j ln P[j, x_j] / ln b + C)|, with ln P the stable log-softmax
    (entries below float64's range, e ** -745, cannot be stored in P but are exact in ln P). The
    PWM as given must equal exp(ln P) entrywise (``max_pwm_error``). Kernels with ln b = 0 (uniform
    PWMs, for which the identity is void) are checked to be uniform instead and listed apart.

    Returns a dict: max_abs_error, max_rel_error (error / (|score| + 1)), max_pwm_error, n_windows
    (per kernel), n_kernels_checked, uniform_kernels (indices with ln b = 0), uniform_ok.
    """
    W = _as_kernels(W)
    P = np.asarray(P, dtype=np.float64)
    if W.ndim == 2:
        W, P = W[None], P[None]
    K, L, _ = W.shape
    v = np.broadcast_to(np.asarray(ln_b, dtype=np.float64), (K,))
    rng = np.random.default_rng(seed)
    check = np.flatnonzero(v > 0)
    uniform = np.flatnonzero(v == 0)
    uniform_ok = bool(np.all(np.abs(P[uniform] - 0.25) <= 1e-15)) if uniform.size else True
    max_abs, max_rel = 0.0, 0.0
    max_pwm = float(np.abs(P - kernel_to_pwm(W, v)).max()) if K else 0.0
    for s in range(0, check.size, batch):
        ks = check[s:s + batch]
        x = rng.integers(0, 4, size=(ks.size, n_windows, L)).astype(np.uint8)
        score = window_scores(W[ks], x)
        lp = window_scores(log_pwm(W[ks], v[ks]), x)
        C = score_offset(W[ks], v[ks])
        err = np.abs(score - (lp / v[ks, None] + np.asarray(C)[:, None]))
        max_abs = max(max_abs, float(err.max()))
        max_rel = max(max_rel, float((err / (np.abs(score) + 1.0)).max()))
    return {"max_abs_error": max_abs, "max_rel_error": max_rel, "max_pwm_error": max_pwm,
            "n_windows": int(n_windows), "n_kernels_checked": int(check.size),
            "uniform_kernels": [int(k) for k in uniform], "uniform_ok": uniform_ok}


def total_information(P) -> np.ndarray:
    """Information content of each whole PWM (bits, uniform background): the sum over its columns
    of 2 - entropy; (..., L, 4) -> (...). See :func:`column_information` for one value per column."""
    P = np.asarray(P, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(P > 0, P * np.log2(P), 0.0).sum(axis=-1)
    return (2.0 - h).sum(axis=-1)


def column_information(pwm: np.ndarray, background=None) -> np.ndarray:
    """Information content (bits) of each column against ``background`` (A, C, G, T; uniform if
    None): sum_c p log2(p / bg); (..., L, 4) -> (..., L). See :func:`total_information` for one
    value per PWM."""
    p = np.asarray(pwm, dtype=np.float64)
    bg = np.full(4, 0.25) if background is None else np.asarray(background, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p / bg), 0.0)
    return terms.sum(axis=-1)


def consensus(P) -> str | list[str]:
    """Consensus letters (argmax per row) of one PWM (L, 4) or of a (K, L, 4) tensor."""
    P = np.asarray(P)
    letters = np.array(list("ACGT"))
    if P.ndim == 2:
        return "".join(letters[P.argmax(axis=-1)])
    return ["".join(r) for r in letters[P.argmax(axis=-1)]]
