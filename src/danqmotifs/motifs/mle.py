"""Maximum-likelihood estimate of the base b linking kernels to PWMs (docs/design.md section 6).

With v = ln b, the best window of each (sequence s, kernel t) pair is one sample from kernel t's
PWM. Over the pairs used for kernel t (n_t of them, their scores summing to S_t)::

    loglik_t(v) = v S_t - n_t sum_j logsumexp_c(v W_t[j, c])
    dloglik_t/dv = S_t - n_t sum_j E_{c ~ softmax(v W_t[j])} W_t[j, c]          (decreasing)
    d2loglik_t/dv2 = -n_t sum_j Var_{c ~ softmax(v W_t[j])} W_t[j, c]          (<= 0)

The problem is concave in v, so it has one maximum on v >= 0: v = 0 when the derivative at 0 is
<= 0, else the root of the derivative, found by a bracket (doubling) and safeguarded Newton steps
(bisection whenever Newton leaves the bracket), in float64, for all problems at once. When the
derivative stays positive up to the point where every PWM row is numerically one-hot (all the
best windows are the kernel's consensus), the maximum is at infinity: v is capped there and the
problem is reported as unbounded.

Variants: ``sequences="all"`` (k2p: every pair, n_t = n) or ``"activated"`` (pairs with
m + bias > 0: the windows a ReLU passes, and an exponential layer lifts above 1; docs/design.md
section 7b); ``base="shared"`` (k2p: one v for all kernels, the
sum of the kernels' log-likelihoods) or ``"per_kernel"``. The strand choice is made before: m is
the forward-strand best score or the max over both strands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.pwm import row_logsumexp

SEQUENCES = ("all", "activated")
BASES = ("shared", "per_kernel")
#: cap on v * (largest row range): beyond it every PWM row is one-hot in float64 (e ** -700 = 0)
_SATURATION = 700.0
_MAX_ITER = 200


def used_pairs(m: np.ndarray, bias, sequences: str = "all") -> np.ndarray:
    """Boolean (n, K): the (sequence, kernel) pairs that enter the likelihood."""
    if sequences not in SEQUENCES:
        raise ValueError(f"sequences must be one of {SEQUENCES}, got {sequences!r}")
    m = np.asarray(m, dtype=np.float64)
    if sequences == "all":
        return np.ones(m.shape, dtype=bool)
    return (m + np.asarray(bias, dtype=np.float64)[None, :]) > 0


def sufficient_stats(m: np.ndarray, used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(S_t, n_t): the sum of the used scores and their number, per kernel."""
    m = np.asarray(m, dtype=np.float64)
    return np.where(used, m, 0.0).sum(axis=0), used.sum(axis=0).astype(np.int64)


def _moments(W: np.ndarray, v: np.ndarray):
    """Per kernel: sum_j E[W_j] and sum_j Var[W_j] under softmax(v W_j). v: (K,)."""
    mx = W.max(axis=-1, keepdims=True)
    z = v[:, None, None] * (W - mx)
    p = np.exp(z)
    p /= p.sum(axis=-1, keepdims=True)
    mean = (p * W).sum(axis=-1)
    var = (p * (W - mean[..., None]) ** 2).sum(axis=-1)
    return mean.sum(axis=-1), var.sum(axis=-1)


def loglik(v, W, S, n) -> np.ndarray:
    """Per-kernel log-likelihood (nats) at v (scalar or (K,))."""
    W = np.asarray(W, dtype=np.float64)
    v = np.broadcast_to(np.asarray(v, dtype=np.float64), (W.shape[0],))
    return v * S - n * row_logsumexp(W, v).sum(axis=-1)


def dloglik(v, W, S, n) -> np.ndarray:
    """Per-kernel derivative of the log-likelihood at v (scalar or (K,))."""
    W = np.asarray(W, dtype=np.float64)
    v = np.broadcast_to(np.asarray(v, dtype=np.float64), (W.shape[0],)).astype(np.float64)
    mean, _ = _moments(W, v)
    return S - n * mean


def _solve(f_fp, v_cap: np.ndarray, scale: np.ndarray, f_inf: np.ndarray):
    """Roots of decreasing functions on [0, v_cap], vectorised over problems.

    f_fp(v) -> (f, f') for all problems at once; f_inf is the limit of f at infinity. Returns
    (v, status) with status 0 = interior root, 1 = at zero (f(0) <= 0), 2 = unbounded (f_inf >= 0,
    or f(v_cap) > 0: the maximum is at infinity; v = v_cap, where the PWMs are numerically one-hot).
    """
    P = v_cap.shape[0]
    f0, _ = f_fp(np.zeros(P))
    tol_f = 1e-12 * scale
    status = np.zeros(P, dtype=np.int8)
    status[f0 <= tol_f] = 1
    status[(status == 0) & (f_inf >= -tol_f)] = 2
    lo = np.zeros(P)
    hi = np.minimum(np.ones(P), v_cap)
    active = status == 0
    # bracket: double hi until f(hi) <= 0 or the cap is reached
    for _ in range(2000):
        fh, _ = f_fp(hi)
        grow = active & (fh > 0) & (hi < v_cap)
        if not grow.any():
            break
        lo = np.where(grow, hi, lo)
        hi = np.where(grow, np.minimum(hi * 2.0, v_cap), hi)
    fh, _ = f_fp(hi)
    status[active & (fh > 0)] = 2
    active = status == 0
    v = np.where(active, 0.5 * (lo + hi), np.where(status == 2, v_cap, 0.0))
    for _ in range(_MAX_ITER):
        if not active.any():
            break
        f, fp = f_fp(v)
        pos = f > 0
        lo = np.where(active & pos, v, lo)
        hi = np.where(active & ~pos, v, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = v - f / fp
        ok = np.isfinite(newton) & (newton > lo) & (newton < hi)
        v_new = np.where(ok, newton, 0.5 * (lo + hi))
        # converged: keep the point just evaluated (a Newton step below float resolution would
        # fall on the bracket's end and turn into a bisection step away from the root)
        done = (np.abs(f) <= tol_f) | (np.abs(newton - v) <= 4e-16 * np.maximum(1.0, v)) | \
               (hi - lo <= 4e-16 * np.maximum(1.0, hi))
        v = np.where(active & ~done, v_new, v)
        active &= ~done
    return v, status


@dataclass
class BaseFit:
    """The estimate and everything base.json reports."""

    ln_b: np.ndarray            # (K,) v per kernel (all equal for a shared base)
    loglik: np.ndarray          # (P,) log-likelihood at the optimum per problem (P = 1 or K)
    dloglik: np.ndarray         # (P,) derivative there (~0 unless at zero / unbounded)
    status: np.ndarray          # (P,) 0 interior, 1 at zero (derivative <= 0 at v = 0), 2 unbounded,
                                # 3 no data (per-kernel: no used pair; the shared value is used)
    nsites: np.ndarray          # (K,) pairs used per kernel
    shared: bool
    fallback: list = field(default_factory=list)   # kernels without data given the shared estimate


def _cap(W: np.ndarray) -> np.ndarray:
    """Per kernel, a v beyond which every row's softmax is one-hot (or tied) in float64.

    The smallest positive gap between a row's maximum and another entry sets it; a kernel whose
    rows are all constant has no such gap (its likelihood does not depend on v): NaN.
    """
    gap = W.max(axis=-1, keepdims=True) - W
    gap = np.where(gap > 0, gap, np.inf).min(axis=(-2, -1))          # (K,)
    with np.errstate(divide="ignore"):
        cap = _SATURATION / np.maximum(gap, 1e-12)
    return np.where(np.isfinite(gap), cap, np.nan)


def fit_shared(W, S, n) -> tuple[float, float, float, int]:
    """One v for all kernels (maximising the summed log-likelihood): (v, loglik, dloglik, status)."""
    W = np.asarray(W, dtype=np.float64)
    S, n = np.asarray(S, dtype=np.float64), np.asarray(n, dtype=np.float64)

    def f_fp(v):
        vv = np.full(W.shape[0], v[0])
        mean, var = _moments(W, vv)
        return np.array([np.sum(S - n * mean)]), np.array([-np.sum(n * var)])

    scale = np.array([np.abs(S).sum() + (n * np.abs(W).max(axis=-1).sum(axis=-1)).sum() + 1e-300])
    caps = _cap(W)
    caps = caps[np.isfinite(caps)]
    cap = np.array([caps.max() if caps.size else 1.0])
    f_inf = np.array([np.sum(S - n * W.max(axis=-1).sum(axis=-1))])
    v, status = _solve(f_fp, cap, scale, f_inf)
    v0 = float(v[0])
    return (v0, float(loglik(v0, W, S, n).sum()), float(dloglik(v0, W, S, n).sum()), int(status[0]))


def fit_per_kernel(W, S, n) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One v per kernel, all solved together: (v, loglik, dloglik, status), each (K,).

    Kernels with n_t = 0 have no data: v = 0 and status 1 (``estimate_base`` substitutes the shared
    estimate and marks them 3).
    """
    W = np.asarray(W, dtype=np.float64)
    S, n = np.asarray(S, dtype=np.float64), np.asarray(n, dtype=np.float64)

    def f_fp(v):
        mean, var = _moments(W, v)
        return S - n * mean, -n * var

    scale = np.abs(S) + n * np.abs(W).max(axis=-1).sum(axis=-1) + 1e-300
    cap = _cap(W)
    f_inf = S - n * W.max(axis=-1).sum(axis=-1)
    v, status = _solve(f_fp, np.where(np.isfinite(cap), cap, 1.0), scale, f_inf)
    return v, loglik(v, W, S, n), dloglik(v, W, S, n), status


def estimate_base(W, m, bias=None, sequences: str = "all", base: str = "shared") -> BaseFit:
    """The MLE of ln b for kernels ``W`` (K, L, 4) from best scores ``m`` (n, K).

    ``bias`` (K,) is only used by ``sequences="activated"``. With ``base="per_kernel"``, a kernel
    with no used pair gets the shared estimate of the same data (listed in ``fallback``).
    """
    if base not in BASES:
        raise ValueError(f"base must be one of {BASES}, got {base!r}")
    W = np.asarray(W, dtype=np.float64)
    K = W.shape[0]
    bias = np.zeros(K) if bias is None else np.asarray(bias, dtype=np.float64)
    used = used_pairs(m, bias, sequences)
    S, n = sufficient_stats(m, used)
    v_sh, ll_sh, dl_sh, st_sh = fit_shared(W, S, n)
    if base == "shared":
        return BaseFit(np.full(K, v_sh), np.array([ll_sh]), np.array([dl_sh]), np.array([st_sh]),
                       n, True)
    v, ll, dl, st = fit_per_kernel(W, S, n)
    empty = np.flatnonzero(n == 0)
    if empty.size:
        v[empty] = v_sh
        st[empty] = 3
    return BaseFit(v, ll, dl, st, n, False, [int(k) for k in empty])


def profile(W, m, bias=None, sequences: str = "all", grid=None, points: int = 201,
            v_max: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Total log-likelihood under one common v over a grid (for the figure): (v grid, loglik)."""
    W = np.asarray(W, dtype=np.float64)
    bias = np.zeros(W.shape[0]) if bias is None else bias
    S, n = sufficient_stats(m, used_pairs(m, bias, sequences))
    if grid is None:
        grid = np.linspace(0.0, 1.0 if v_max is None else v_max, points)
    grid = np.asarray(grid, dtype=np.float64)
    return grid, np.array([loglik(v, W, S, n).sum() for v in grid])


STATUS_NAMES = {0: "interior", 1: "zero", 2: "unbounded", 3: "no_data"}


def _num(x):
    """JSON-safe float (None for non-finite)."""
    x = float(x)
    return x if np.isfinite(x) else None


def _b(v):
    return _num(np.exp(v)) if v < 709 else None


def profile_grid(fit: BaseFit, shared_v: float, points: int = 201) -> np.ndarray:
    """A grid of ln b covering the optimum (or optima) with margin, for the profile figure."""
    vs = np.concatenate([[shared_v], fit.ln_b[np.isfinite(fit.ln_b)]])
    top = float(np.percentile(vs, 95)) if vs.size else 1.0
    v_max = max(2.0 * max(shared_v, 0.0), 1.2 * top, 1.0)
    return np.linspace(0.0, v_max, points)


def base_report(fit: BaseFit, W, m, bias, options: dict, n_sequences: int, points: int = 201) -> dict:
    """The content of base.json: the estimate, its log-likelihood and derivative, the data sizes,
    the options, what was reported as zero / unbounded / without data, and a profile over ln b of
    the total log-likelihood under one common base."""
    W = np.asarray(W, dtype=np.float64)
    K, L, _ = W.shape
    S, n = sufficient_stats(m, used_pairs(m, bias, options["sequences"]))
    v_sh, ll_sh, dl_sh, st_sh = fit_shared(W, S, n)
    grid = profile_grid(fit, v_sh, points)
    _, prof = profile(W, m, bias, options["sequences"], grid=grid)
    if fit.shared:
        v = float(fit.ln_b[0])
        head = {"ln_b": v, "b": _b(v), "loglik": float(fit.loglik[0]), "dloglik": float(fit.dloglik[0]),
                "status": STATUS_NAMES[int(fit.status[0])]}
        zero = list(range(K)) if fit.status[0] == 1 else []
        unbounded = list(range(K)) if fit.status[0] == 2 else []
    else:
        head = {"ln_b": [float(x) for x in fit.ln_b], "b": [_b(x) for x in fit.ln_b],
                "loglik": [float(x) for x in fit.loglik], "dloglik": [float(x) for x in fit.dloglik],
                "status": [STATUS_NAMES[int(s)] for s in fit.status]}
        zero = [int(k) for k in np.flatnonzero(fit.status == 1)]
        unbounded = [int(k) for k in np.flatnonzero(fit.status == 2)]
    return {
        **head,
        "n": int(n_sequences),
        "K": int(K),
        "L": int(L),
        "nsites": [int(x) for x in fit.nsites],
        "options": dict(options),
        "zero_base_kernels": zero,
        "unbounded_kernels": unbounded,
        "no_data_kernels": list(fit.fallback),
        "shared_fit": {"ln_b": v_sh, "b": _b(v_sh), "loglik": ll_sh, "dloglik": dl_sh,
                       "status": STATUS_NAMES[st_sh]},
        "profile": {"ln_b": [float(x) for x in grid], "loglik": [float(x) for x in prof]},
    }
