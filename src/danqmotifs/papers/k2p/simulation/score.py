"""Scoring sequences with a matrix, and the classification metrics of the benchmark.

A sequence's score under a PWM P (L, 4) is its maximal log-likelihood over the windows of the
forward strand, max_p sum_l ln P[l, x_{p+l}] (single strand, as the model sees it); zero entries of
P are first replaced by a tenth of the smallest nonzero entry, as k2p published. The same window
maximum of a kernel W gives the model's raw max score, and by the identity of docs/design.md
section 5 the exact PWM's score is an increasing affine function of it.
"""

from __future__ import annotations

import numpy as np

from ....core.metrics import average_precision, roc_auc


def best_windows(M: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sequence, max_p sum_j M[j, x_{p+j}] and its first argmax p.

    Parameters
    ----------
    M : (w, 4) float array (a kernel, or a log-PWM).
    codes : (n, length) uint8 base codes 0..3, length >= w.

    Returns
    -------
    best : (n,) float64
    argmax : (n,) int64 window starts
    """
    M = np.asarray(M, dtype=np.float64)
    codes = np.asarray(codes)
    w = M.shape[0]
    P = codes.shape[1] - w + 1
    s = np.zeros((codes.shape[0], P))
    for j in range(w):
        s += M[j][codes[:, j:j + P]]
    return s.max(axis=1), s.argmax(axis=1)


def floor_zeros(P: np.ndarray) -> np.ndarray:
    """Zero entries replaced by (smallest nonzero entry) / 10, without renormalising (k2p)."""
    P = np.array(P, dtype=np.float64)
    zero = P <= 0
    if zero.any():
        P[zero] = P[~zero].min() / 10.0
    return P


def loglik_scores(P: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each sequence's maximal log-likelihood under PWM ``P`` (forward strand)."""
    return best_windows(np.log(floor_zeros(P)), codes)[0]


def metrics(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """(AUROC, AUPRC = average precision) of ``scores`` for binary ``labels``."""
    return roc_auc(labels, scores), average_precision(labels, scores)
