"""Substitute first layers: a model's first-layer kernels replaced by what a motif method makes of them.

Shared by the per-kernel faithfulness table (:mod:`danqmotifs.trust.faithfulness`), kernel influence's
plain check (:mod:`danqmotifs.trust.influence`) and the k2p paper's whole-model fidelity test
(:mod:`danqmotifs.papers.k2p.fidelity`, which imports them from here: the core never imports
``papers/``).

* **exact** (docs/design.md section 5): kernel k becomes ln P_k / v_k, built back from its exact PWM
  P_k at the estimated base (v = ln b, shared or per kernel as base.json says), and the constant
  C_k = sum_j logsumexp(v W_k[j]) / v is folded into the bias. The layer then computes
  ln P(window) / ln b + C + bias, which is the original pre-activation for every window without N
  (an N row scores 0 in both kernels, but its row constant stays in C). Kernels with ln b = 0
  (uniform PWM, no inverse) keep their original weights and are listed.
* **heuristic** (section 7): kernel k becomes a_k ln Q_k with bias c_k, where Q_k is the heuristic
  PPM and (a_k, c_k) the least-squares fit of a_k * sum_j ln Q_k[j, x_j] + c_k to the original
  pre-activation W_k . x + bias_k over windows drawn uniformly from the sampled sequences
  (kernels.h5): the fairest use of a PFM that has no base. Zero entries of Q first get k2p's
  pseudocount, a tenth of the PPM's smallest positive entry (``danqmotifs.core.pwm.pwm_to_kernel``).
  Dead kernels (never activated: no PFM) get zero weights and a bias equal to their mean
  activation, f(W_k . x + bias_k) with f the layer's (ReLU or exponential; the bias is ln of it
  under exponential), over the same windows: a constant output.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..core.alphabet import codes_to_onehot
from ..core.errors import InputError
from ..core.pwm import kernel_to_pwm, log_pwm, pwm_to_kernel, score_offset
from ..model.kernels import apply_activation
from ..model.modelio import first_conv_layer

PSEUDOCOUNT_RULE = "zero PPM entries get a tenth of the smallest positive entry (k2p); rows not renormalised"


@dataclass
class Substitute:
    """First-layer weights of a substitute model and how they were made.

    Attributes
    ----------
    W : (K, L, 4) float32 kernels, correlation orientation.
    bias : (K,) float32.
    info : dict, JSON-able notes (kernels treated specially, fitted coefficients).
    """

    W: np.ndarray
    bias: np.ndarray
    info: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ exact

def exact_substitute(W, bias, pwms, ln_b, where="exact PWMs", tol: float = 1e-9) -> Substitute:
    """Kernels rebuilt from their exact PWMs, ln P / ln b, with C folded into the biases.

    Parameters
    ----------
    W : (K, L, 4) original kernels; bias : (K,) original biases.
    pwms : (K, L, 4) the exact PWMs (softmax of ln b * W per row).
    ln_b : (K,) ln b per kernel.
    where : the PWM file, for errors.
    tol : largest accepted |P - softmax(ln b * W)|; more means the files do not belong together.
    """

    W = np.asarray(W, dtype=np.float64)
    P = np.asarray(pwms, dtype=np.float64)
    v = np.asarray(ln_b, dtype=np.float64)
    if P.shape != W.shape:
        raise InputError(where, f"PWMs have shape {P.shape}, the kernels {W.shape}",
                         "rerun the motif stage: the kernel file changed since")
    err = float(np.abs(P - kernel_to_pwm(W, v)).max())
    if err > tol:
        raise InputError(where, f"the PWMs are not the exact PWMs of these kernels at base.json's base "
                         f"(max difference {err:.3g})", "rerun the motif stage: the kernels or the base changed since")
    W_new = W.copy()
    b_new = np.asarray(bias, dtype=np.float64).copy()
    kept, from_log = [], []
    for k in range(W.shape[0]):
        if v[k] <= 0:
            kept.append(k)                       # uniform PWM: no inverse, the kernel stays
            continue
        if (P[k] > 0).all():
            W_new[k], _ = pwm_to_kernel(P[k], v[k])
        else:                                    # entries below float64's range: ln P is still exact
            W_new[k] = log_pwm(W[k], v[k]) / v[k]
            from_log.append(k)
        b_new[k] += score_offset(W[k], v[k])
    info = {"kernels_kept_original": kept, "kernels_from_log_pwm": from_log}
    return Substitute(W_new.astype(np.float32), b_new.astype(np.float32), info)


# ------------------------------------------------------------------------------------------ heuristic

def log_pfm(ppm) -> np.ndarray:
    """ln Q of heuristic PPMs (K, L, 4), zero entries first given k2p's pseudocount (per kernel)."""

    ppm = np.asarray(ppm, dtype=np.float64)
    return np.stack([pwm_to_kernel(q, 1.0)[0] for q in ppm]) if ppm.size else ppm.copy()


def sample_windows(codes, L: int, n_windows: int, seed: int = 0) -> np.ndarray:
    """(M, L) codes of windows drawn uniformly (seeded, without replacement) from all windows of the
    sequences ``codes`` (n, Ls); every window when there are at most ``n_windows``."""
    codes = np.asarray(codes, dtype=np.uint8)
    n, Ls = codes.shape
    per = Ls - L + 1
    total = n * per
    if per < 1 or n == 0:
        raise ValueError(f"no window of {L} bp in {n} sequences of {Ls} bp")
    flat = np.arange(total) if total <= n_windows else \
        np.sort(np.random.default_rng(seed).choice(total, size=n_windows, replace=False))
    s, p = np.divmod(flat, per)
    return codes[s[:, None], p[:, None] + np.arange(L)[None, :]]


def _window_scores(windows: np.ndarray, kernels: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Linear scores (M, K) of (M, L) code windows for each (K, L, 4) kernel stack (N scores 0)."""
    X = codes_to_onehot(windows, dtype=np.float64).reshape(windows.shape[0], -1)
    return [X @ np.asarray(k, dtype=np.float64).reshape(k.shape[0], -1).T for k in kernels]


@dataclass
class HeuristicFit:
    """Per kernel: slope a, intercept c, R^2 of the fit, mean activation, over ``n_windows``."""

    a: np.ndarray
    c: np.ndarray
    r2: np.ndarray
    mean_activation: np.ndarray
    n_windows: int


def fit_heuristic(W, bias, lnQ, windows, batch: int = 20000, activation: str = "relu") -> HeuristicFit:
    """Least squares of z = W_k . x + bias_k on q = lnQ_k . x over ``windows`` (M, L), per kernel.

    Sums are accumulated around the first batch's means (no cancellation). A kernel whose q does
    not vary (constant rows) gets a = 0 and c = mean z. The mean activation applies the layer's
    ``activation`` (relu or exponential) to z.
    """
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(bias, dtype=np.float64)
    K = W.shape[0]
    M = windows.shape[0]
    s = {k: np.zeros(K) for k in ("z", "q", "zz", "qq", "zq", "act")}
    z0 = q0 = None
    for i in range(0, M, batch):
        z, q = _window_scores(windows[i:i + batch], (W, lnQ))
        z += b
        s["act"] += apply_activation(z, activation).sum(axis=0)
        if z0 is None:
            z0, q0 = z.mean(axis=0), q.mean(axis=0)
        z, q = z - z0, q - q0
        for key, val in (("z", z), ("q", q), ("zz", z * z), ("qq", q * q), ("zq", z * q)):
            s[key] += val.sum(axis=0)
    mz, mq = s["z"] / M, s["q"] / M
    var_q = s["qq"] / M - mq ** 2
    var_z = s["zz"] / M - mz ** 2
    cov = s["zq"] / M - mz * mq
    flat = var_q <= 1e-12 * np.maximum(1.0, s["qq"] / M)
    a = np.where(flat, 0.0, cov / np.where(flat, 1.0, var_q))
    c = (mz + z0) - a * (mq + q0)
    resid = np.maximum(var_z - a * cov, 0.0)
    r2 = np.where(var_z > 0, 1.0 - resid / np.where(var_z > 0, var_z, 1.0), 1.0)
    return HeuristicFit(a, c, r2, s["act"] / M, int(M))


def heuristic_substitute(W, bias, ppm, dead, windows, activation: str = "relu") -> Substitute:
    """Kernels a_k ln Q_k with biases c_k (:func:`fit_heuristic`); dead kernels a constant output:
    their mean activation (the bias that gives it: itself under ReLU, its log under exponential)."""
    dead = np.asarray(dead, dtype=bool)
    lnQ = log_pfm(ppm)
    fit = fit_heuristic(W, bias, lnQ, windows, activation=activation)
    W_new = fit.a[:, None, None] * lnQ
    b_new = fit.c.copy()
    W_new[dead] = 0.0
    b_new[dead] = (np.log(fit.mean_activation[dead]) if activation == "exponential"
                   else fit.mean_activation[dead])
    live = ~dead
    info = {"pseudocount": PSEUDOCOUNT_RULE, "n_windows": fit.n_windows,
            "dead_kernels": np.flatnonzero(dead).tolist(),
            "a": [float(x) if d == 0 else None for x, d in zip(fit.a, dead)],
            "c": [float(x) if d == 0 else None for x, d in zip(fit.c, dead)],
            "r2": [float(x) if d == 0 else None for x, d in zip(fit.r2, dead)],
            "median_r2": float(np.median(fit.r2[live])) if live.any() else None,
            "dead_mean_activation": [float(x) for x in fit.mean_activation[dead]]}
    return Substitute(W_new.astype(np.float32), b_new.astype(np.float32), info)


# ------------------------------------------------------------------------------------------ models

@contextlib.contextmanager
def swapped_kernels(model, W, bias):
    """Within the block, the model's first Conv1D holds kernels ``W`` (K, L, 4) and ``bias``;
    the original weights are restored afterwards (no copy of the model is made)."""

    layer = first_conv_layer(model)
    if not layer.use_bias:
        raise InputError(f"model {model.name!r}", "its first Conv1D has no bias, so the substitutes' "
                         "constants cannot be folded into it", "use a model whose first Conv1D has a bias")
    old = [np.array(layer.kernel.numpy()), np.array(layer.bias.numpy())]
    new_k = np.asarray(W, dtype=np.float32).transpose(1, 2, 0)
    if new_k.shape != old[0].shape:
        raise ValueError(f"substitute kernels {new_k.shape} do not fit the layer's {old[0].shape}")
    layer.kernel.assign(new_k)
    layer.bias.assign(np.asarray(bias, dtype=np.float32))
    try:
        yield model
    finally:
        layer.kernel.assign(old[0])
        layer.bias.assign(old[1])
