"""The paper's alternative scoring: an L2 logistic regression on a PWM's score, with its penalty
chosen by 5-fold cross-validation, then its probabilities on the test split.

A small stand-in for scikit-learn's ``LogisticRegressionCV`` defaults (not a dependency here): C
over ``logspace(-4, 4, 10)``, 5 stratified folds without shuffling (each class cut in order),
accuracy to pick C, the intercept not penalised, then a refit on all the data with the best C. The
objective is C * sum(log-loss) + w^2 / 2, minimised with L-BFGS. On one feature the fitted model
is monotone in the score, so it changes the AUROC only where its slope is negative: a PWM that
ranks the sequences backwards (see ``positive_dense_weight`` in wilcoxon.json) is turned round.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

CS = np.logspace(-4, 4, 10)


def _fit(x: np.ndarray, y: np.ndarray, C: float) -> np.ndarray:
    """(w, intercept) of the L2-penalised logistic regression on a 1-D feature."""
    X = np.c_[x, np.ones_like(x)]

    def f(theta):
        z = X @ theta
        loss = np.logaddexp(0.0, z) - y * z
        g = X.T @ (expit(z) - y)
        return C * loss.sum() + 0.5 * theta[0] ** 2, C * g + np.r_[theta[0], 0.0]

    return minimize(f, np.zeros(2), jac=True, method="L-BFGS-B").x


def _folds(y: np.ndarray, k: int = 5) -> np.ndarray:
    """Stratified fold number of each example: each class cut into k consecutive parts."""
    fold = np.empty(y.size, dtype=np.int64)
    for cls in np.unique(y):
        idx = np.flatnonzero(y == cls)
        fold[idx] = np.arange(idx.size) * k // idx.size
    return fold


def fit_cv(x, y, k: int = 5) -> tuple[np.ndarray, float]:
    """Pick C by k-fold accuracy, refit on everything: ((w, intercept), C)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    fold = _folds(y, k)
    acc = np.zeros(CS.size)
    for i, C in enumerate(CS):
        for f in range(k):
            tr, te = fold != f, fold == f
            w = _fit(x[tr], y[tr], C)
            acc[i] += np.mean(((w[0] * x[te] + w[1]) > 0) == (y[te] > 0.5))
    best = float(CS[int(np.argmax(acc))])
    return _fit(x, y, best), best


def cv_probabilities(x_fit, y_fit, x_test) -> np.ndarray:
    """Test probabilities of the cross-validated logistic regression fitted on (x_fit, y_fit)."""
    theta, _ = fit_cv(x_fit, y_fit)
    return expit(theta[0] * np.asarray(x_test, np.float64) + theta[1])
