"""The two matrices derived from a trained kernel: exact (k2p; base e as the authors, or the MLE
base) and heuristic (the authors' code)."""

from __future__ import annotations

import numpy as np

from ....core.pwm import kernel_to_pwm
from ....motifs.mle import estimate_base
from .score import best_windows

#: the heuristic's count matrix starts at this value everywhere (the paper's code)
HEURISTIC_PSEUDOCOUNT = 1e-5


def exact_pwm(W: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, float, int]:
    """The exact PWM of kernel ``W`` (w, 4) with the MLE base fitted on ``codes``.

    k2p's estimate: every sequence's best forward-strand window (all sequences, bias and ReLU not
    applied), one shared base (docs/design.md sections 5 and 6).

    Returns
    -------
    pwm : (w, 4) probabilities.
    ln_b : the estimate of ln b.
    status : 0 interior, 1 at zero (uniform PWM), 2 unbounded (see :mod:`danqmotifs.motifs.mle`).
    """
    m, _ = best_windows(W, codes)
    fit = estimate_base(np.asarray(W, dtype=np.float64)[None], m[:, None], sequences="all", base="shared")
    v = float(fit.ln_b[0])
    return kernel_to_pwm(W, v), v, int(fit.status[0])


def exact_pwm_base_e(W: np.ndarray) -> np.ndarray:
    """The authors' exact PWM: base e, no fitted base. Row j is exp(W[j, c]) / sum_c' exp(W[j, c'])
    (they add bias / w to every entry first, which cancels in each row's normalisation)."""
    return kernel_to_pwm(np.asarray(W, dtype=np.float64), 1.0)


def heuristic_pwm(W: np.ndarray, bias: float, codes: np.ndarray) -> tuple[np.ndarray, int]:
    """The heuristic PFM as in the k2p paper's code: over the sequences whose max activation
    a = max_p ReLU(score + bias) is > 0, add a x (one-hot window at the argmax) to a count matrix
    that starts at 1e-5, then normalise the rows.

    Returns
    -------
    pwm : (w, 4) probabilities.
    nsites : number of windows added.
    """
    W = np.asarray(W, dtype=np.float64)
    w = W.shape[0]
    top, pos = best_windows(W, codes)
    act = top + bias
    take = np.flatnonzero(act > 0)
    counts = np.full((w, 4), HEURISTIC_PSEUDOCOUNT)
    if take.size:
        win = np.asarray(codes)[take[:, None], pos[take, None] + np.arange(w)[None, :]]     # (n, w)
        flat = (np.arange(w)[None, :] * 4 + win).ravel()
        counts += np.bincount(flat, weights=np.repeat(act[take], w), minlength=4 * w).reshape(w, 4)
    return counts / counts.sum(axis=1, keepdims=True), int(take.size)
