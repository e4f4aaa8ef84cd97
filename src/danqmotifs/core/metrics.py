"""Classification metrics of scores against binary labels, in NumPy/SciPy only.

* ROC AUC: the Mann-Whitney statistic with ties counted one half (average ranks).
* PR AUC: average precision, the sum over distinct score thresholds of (recall step) x precision.

A metric that is undefined (no positives, or for ROC AUC no negatives) is NaN.
"""

from __future__ import annotations

import numpy as np


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve; NaN without positives or without negatives."""
    from scipy.stats import rankdata

    y = np.asarray(labels).astype(bool)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(np.asarray(scores, dtype=np.float64), method="average")
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """Average precision (the area under the precision-recall curve as a step function); NaN
    without positives. Tied scores form one threshold."""
    y = np.asarray(labels).astype(bool)
    n_pos = int(y.sum())
    if n_pos == 0:
        return float("nan")
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.flatnonzero(np.r_[s[1:] != s[:-1], True])       # last index of each distinct score
    tp = np.cumsum(y)[last]
    precision = tp / (last + 1.0)
    recall = tp / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


LOG_ODDS_EPS = 1e-7
"""Probabilities are clipped to [eps, 1 - eps] before the log-odds (a sigmoid output of exactly 0
or 1 would give an infinite change)."""


def log_odds(p: np.ndarray) -> np.ndarray:
    """ln(p / (1 - p)) in float64, ``p`` clipped to [LOG_ODDS_EPS, 1 - LOG_ODDS_EPS]."""
    q = np.clip(np.asarray(p, np.float64), LOG_ODDS_EPS, 1 - LOG_ODDS_EPS)
    return np.log(q) - np.log1p(-q)
