"""Two motif methods that read the sequences again, reported beside ``exact`` (never replacing it).

``exact_oops``: the kernel's exact PWM, softmax(v W) (docs/design.md section 5; the identity holds
for any base), with v = ln b fitted per kernel by a likelihood that accounts for the max
selection. The MLE of ``danqmotifs.motifs.mle`` treats each sequence's best window as a draw from the
PWM; but that window was chosen as the maximum of some 180 windows, so even in a sequence without
a site it scores high, and the likelihood rewards a large b. Here every window of a sequence
enters, as in MEME's OOPS model: one window (uniformly placed) is drawn from the PWM, the others
from the 0-order background q of the sample::

    loglik(v) = sum_s log sum_i exp(v score(s, i) - A(v) - sum_j ln q(x_{s, i + j})) + const
    A(v) = sum_j logsumexp_c(v W[j, c])

over the sequences where the kernel is activated (m + bias > 0: the windows a ReLU passes, an
exponential layer lifts above 1; docs/design.md section 7b). Windows
with N are left out. The maximum is found on a geometric grid of v (to the point where the PWM rows
are one-hot) refined by bisection of the derivative around the best grid point.

``refined``: expectation-maximisation of the same OOPS model over the PWM itself, starting from the
exact PWM (at the configured base), with sites allowed only in the windows where the kernel is
activated (score + bias > 0; without this restriction EM drifts to the strongest motif of the
sequences: on the CTCF peaks 47 of 64 kernels ended at CTCF), and stopping when no entry moves more than ``1e-4`` or after
``motifs.refine_iterations`` rounds (a warning names how many kernels stopped at that cap); a
pseudocount of ``motifs.refine_pseudocount`` (spread as q) per column.
Its first E-step puts each sequence's weight near the kernel's best window (as the heuristic does);
later steps spread it over the windows the current PWM likes. Forward strand, like the kernel's own
scan. Kernels without an activated sequence are dead (no motif).
"""

from __future__ import annotations

import numpy as np

from ..core.logsetup import Ticker

_NEG = -1e30


def window_scores(codes: np.ndarray, M: np.ndarray) -> np.ndarray:
    """(n, Ls - L + 1) sums of ``M[j, code]`` over every window; a window with N gets ``_NEG``.

    ``M`` is (L, 4) (a kernel or log-odds matrix), codes (n, Ls) uint8.
    """
    L = M.shape[0]
    n, Ls = codes.shape
    npos = Ls - L + 1
    padded = np.concatenate([np.asarray(M, dtype=np.float64), np.full((L, 1), _NEG)], axis=1)
    out = np.zeros((n, npos))
    for j in range(L):
        out += padded[j][codes[:, j:j + npos]]
    return np.maximum(out, _NEG)


def _sum_windows(codes, L, table):
    """(n, npos) sums of ``table[code]`` over each window of L bases (table of 5: A, C, G, T, N)."""
    n, Ls = codes.shape
    npos = Ls - L + 1
    out = np.zeros((n, npos))
    for j in range(L):
        out += table[codes[:, j:j + npos]]
    return out


def _logsumexp_rows(x: np.ndarray) -> np.ndarray:
    mx = x.max(axis=1, keepdims=True)
    return (mx + np.log(np.exp(x - mx).sum(axis=1, keepdims=True)))[:, 0]


def oops_loglik(v: float, W: np.ndarray, sc: np.ndarray, lbg: np.ndarray) -> tuple[float, float]:
    """(loglik, derivative) of the OOPS model at v for one kernel W (L, 4), window scores ``sc``
    and window background logs ``lbg`` (both (n, npos))."""
    from ..core.pwm import row_logsumexp

    z = np.where(sc <= _NEG / 2, _NEG, v * sc - lbg)      # windows with N never enter
    lse = _logsumexp_rows(z)
    post = np.exp(z - lse[:, None])
    Wr = np.asarray(W, dtype=np.float64)[None]
    A = float(row_logsumexp(Wr, np.array([v])).sum())
    p = np.exp(v * (Wr[0] - Wr[0].max(axis=1, keepdims=True)))
    p /= p.sum(axis=1, keepdims=True)
    n = sc.shape[0]
    return float(lse.sum() - n * A), float((post * sc).sum() - n * (p * Wr[0]).sum())


def fit_oops_v(W: np.ndarray, sc: np.ndarray, lbg: np.ndarray, v_cap: float, points: int = 60) -> float:
    """The v maximising ``oops_loglik`` on [0, v_cap] (grid, then bisection of the derivative)."""
    grid = np.concatenate([[0.0], np.geomspace(1e-3 * v_cap, v_cap, points)])
    ll = np.array([oops_loglik(v, W, sc, lbg)[0] for v in grid])
    k = int(np.argmax(ll))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    if oops_loglik(lo, W, sc, lbg)[1] <= 0 or oops_loglik(hi, W, sc, lbg)[1] >= 0:
        return float(grid[k])
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if oops_loglik(mid, W, sc, lbg)[1] > 0:
            lo = mid
        else:
            hi = mid
    return float(0.5 * (lo + hi))


def _activated(inputs) -> np.ndarray:
    return (np.asarray(inputs.scan.m) + np.asarray(inputs.bias)[None, :]) > 0


def _background(codes: np.ndarray) -> np.ndarray:
    counts = np.bincount(codes.ravel(), minlength=5)[:4].astype(np.float64) + 1.0
    return counts / counts.sum()


def exact_oops(inputs) -> tuple[dict, dict, dict]:
    """Method ``exact_oops`` (module docstring): (datasets, attrs, report) of its method file,
    wrapped into a result by :mod:`danqmotifs.motifs.methods`."""
    from ..core.pwm import kernel_to_pwm
    from .mle import _cap

    W, codes = np.asarray(inputs.W, np.float64), np.asarray(inputs.codes)
    K, L, _ = W.shape
    q = _background(codes)
    lbg = _sum_windows(codes, L, np.append(np.log(q), 0.0))
    act = _activated(inputs)
    caps = _cap(W)
    v = np.zeros(K)
    tick = Ticker("exact_oops", K)
    for t in range(K):
        rows = np.flatnonzero(act[:, t])
        sc = window_scores(codes[rows], W[t])
        ok = (sc > _NEG / 2).any(axis=1)                  # sequences with a window free of N
        if ok.any() and np.isfinite(caps[t]):
            v[t] = fit_oops_v(W[t], sc[ok], lbg[rows][ok], float(caps[t]))
        tick(t + 1)
    dead = act.sum(axis=0) == 0
    P = kernel_to_pwm(W, v)
    print(f"exact_oops: ln b median {np.median(v[~dead]) if (~dead).any() else float('nan'):.3g} "
          f"(range {v.min():.3g}-{v.max():.3g}); {int(dead.sum())} kernel(s) never activated")
    return ({"PWM_tensor": P, "ln_b": v, "nsites": act.sum(axis=0).astype(np.int64), "dead": dead},
            {"orientation": "correlation", "alphabet": "ACGT", "base": "oops_per_kernel"},
            {"ln_b": [float(x) for x in v], "dead_kernels": np.flatnonzero(dead).tolist()})


def em_refine(P0: np.ndarray, codes: np.ndarray, q: np.ndarray, iterations: int = 20,
              pseudocount: float = 0.25, tol: float = 1e-4, allowed: np.ndarray | None = None,
              with_converged: bool = False) -> tuple:
    """EM of the OOPS model from the PWM ``P0`` (L, 4) on ``codes`` (n, Ls): (PWM, rounds run),
    and with ``with_converged`` a third value: whether it stopped because no entry moved more than
    ``tol`` (False: it stopped at the cap of ``iterations`` rounds).

    ``allowed`` (n, npos) bool, optional: the windows a site may sit in (the others get no weight).
    """
    P = np.asarray(P0, dtype=np.float64)
    L = P.shape[0]
    npos = codes.shape[1] - L + 1
    lq = np.log(q)
    for it in range(1, iterations + 1):
        lo = np.log(np.maximum(P, 1e-300)) - lq[None, :]
        z = window_scores(codes, lo)
        if allowed is not None:
            z = np.where(allowed, z, _NEG)
        post = np.exp(z - _logsumexp_rows(z)[:, None])
        post[z <= _NEG / 2] = 0.0                          # N windows (and sequences of N only)
        counts = np.empty((L, 4))
        for j in range(L):
            counts[j] = np.bincount(codes[:, j:j + npos].ravel(), weights=post.ravel(), minlength=5)[:4]
        counts += pseudocount * q[None, :]
        new = counts / counts.sum(axis=1, keepdims=True)
        moved = float(np.abs(new - P).max())
        P = new
        if moved <= tol:
            return (P, it, True) if with_converged else (P, it)
    return (P, iterations, False) if with_converged else (P, iterations)


def refined(inputs) -> tuple[dict, dict, dict]:
    """Method ``refined`` (module docstring): (datasets, attrs, report) of its method file."""
    from ..core.pwm import kernel_to_pwm

    W, codes = np.asarray(inputs.W, np.float64), np.asarray(inputs.codes)
    K, L, _ = W.shape
    opts = inputs.options
    iterations = int(opts["refine_iterations"])
    pseudocount = float(opts["refine_pseudocount"])
    P0 = kernel_to_pwm(W, inputs.ln_b())
    q = _background(codes)
    act = _activated(inputs)
    P = np.full_like(P0, 0.25)
    rounds = np.zeros(K, dtype=np.int64)
    tick = Ticker("refined", K)
    capped = np.zeros(K, dtype=bool)
    for t in range(K):
        rows = np.flatnonzero(act[:, t])
        if rows.size:
            # sites only where the kernel itself is activated: the refinement sharpens the kernel's
            # own motif and cannot drift to another motif of the sequences
            allowed = window_scores(codes[rows], W[t]) + float(inputs.bias[t]) > 0
            P[t], rounds[t], conv = em_refine(P0[t], codes[rows], q, iterations, pseudocount, allowed=allowed,
                                              with_converged=True)
            capped[t] = not conv
        tick(t + 1)
    dead = act.sum(axis=0) == 0
    print(f"refined: EM from the exact PWMs, median {np.median(rounds[~dead]) if (~dead).any() else 0:.0f} "
          f"round(s) (max {iterations}); {int(dead.sum())} kernel(s) never activated")
    if capped.any():
        print(f"warning: refined: {int(capped.sum())} of {int((~dead).sum())} kernel(s) stopped at the cap of "
              f"{iterations} EM rounds without converging (no entry moving more than 1e-4); their PWMs are "
              "the last round's: raise motifs.refine_iterations to let them converge")
    return ({"PWM_tensor": P, "nsites": act.sum(axis=0).astype(np.int64), "dead": dead, "rounds": rounds},
            {"orientation": "correlation", "alphabet": "ACGT", "start": "exact", "model": "oops_forward"},
            {"iterations": iterations, "pseudocount": pseudocount, "rounds": rounds.tolist(),
             "at_cap": np.flatnonzero(capped).tolist(),
             "dead_kernels": np.flatnonzero(dead).tolist()})
