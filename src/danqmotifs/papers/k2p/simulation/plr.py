"""The authors' last step: a penalised logistic regression on one PWM's score, tuned by 5-fold
cross-validation, as R's caret runs ``train(method="plr")`` from the stepPlr package.

What is reproduced (docs/k2p_simulation.md gives the sources):

- the model: P(y = 1) = sigmoid(b0 + b1 x), fitted by minimising the negative log-likelihood plus
  lambda * b1^2 (stepPlr's criterion; the intercept is not penalised). caret codes the first
  factor level ("0") as 1, which flips the signs of (b0, b1) and nothing else;
- caret's default grid for this model (tuneLength 3): cp = "bic" (used only in stepPlr's reported
  score, never in the fit) and lambda in {0, 1e-1, 1e-4};
- 5 stratified folds, accuracy (labels at probability 0.5) averaged over the folds, the largest
  accuracy chosen, then a refit on all rows. Ties go to the LARGEST lambda: caret sorts the results
  with the model's ``sort`` (for plr, by decreasing lambda) and its ``best`` selection takes the
  first maximum (``which.max``); :data:`LAMBDAS` is kept in that order;
- the folds: the authors call ``set.seed(123)`` before each ``train``, and the labels are laid out
  the same way for every matrix and every PWM, so every fit uses the same folds. R's generator is
  not reproduced: here the folds are a stratified random assignment from NumPy seeded 123.

Every fit is vectorised: all rows (motif x PWM), all grid values and all folds solve their 2 x 2
Newton systems in one array operation.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log1p

#: caret's default plr grid (tuneLength 3): lambda = c(0, 10^seq(-1, -4, length = 2)), in the order
#: caret's plr ``sort`` puts it (decreasing lambda), so ``argmax`` breaks ties as caret does
LAMBDAS = np.array([1e-1, 1e-4, 0.0])


def folds(labels, k: int = 5, seed: int = 123) -> np.ndarray:
    """Stratified fold number (0..k-1) of each example: within each class, a random permutation
    dealt round-robin (the stand-in for caret's createFolds)."""
    y = np.asarray(labels)
    rs = np.random.RandomState(int(seed))
    out = np.empty(y.size, dtype=np.int64)
    for cls in np.unique(y):
        idx = np.flatnonzero(y == cls)
        out[rs.permutation(idx)] = np.arange(idx.size) % k
    return out


def _objective(b0, b1, x, y, w, lam):
    eta = b0[..., None] + b1[..., None] * x
    nll = (w * (np.maximum(eta, 0) + log1p(np.exp(-np.abs(eta))) - y * eta)).sum(-1)
    return nll + lam * b1 ** 2


def fit(x, y, weights, lam, iterations: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Penalised logistic regressions on one feature, many at once.

    Each fit runs its own Newton iterations: a fit stops as soon as its step is below 1e-10 (or
    after ``iterations``), whatever the others do, and only the fits still moving are computed
    (the arithmetic of a fit does not depend on which others share the arrays).

    Parameters
    ----------
    x : (..., n) feature values; y : (..., n) 0/1 labels; weights : (..., n) 0/1 row weights (a
        fold's training rows); lam : (...) penalty of each fit. All broadcast together.
    iterations : Newton steps (each halved until the objective does not increase, at most 30
        tries; a fit whose 30 tries all increase it does not move in that iteration).

    Returns
    -------
    (b0, b1) : the intercepts and slopes on the original scale of x.
    """
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    w = np.asarray(weights, np.float64)
    lam = np.asarray(lam, np.float64)
    shape = np.broadcast_shapes(x.shape, y.shape, w.shape, lam.shape + (1,))
    x, y, w = (np.broadcast_to(a, shape) for a in (x, y, w))
    lam = np.broadcast_to(lam, shape[:-1])
    # centre and scale x per fit for conditioning; the penalty moves to the scaled slope
    nw = w.sum(-1)
    mu = (w * x).sum(-1) / nw
    sd = np.sqrt((w * (x - mu[..., None]) ** 2).sum(-1) / nw)
    sd = np.where(sd > 0, sd, 1.0)
    n = shape[-1]
    z = ((x - mu[..., None]) / sd[..., None]).reshape(-1, n)
    y, w = y.reshape(-1, n), w.reshape(-1, n)
    lz = (lam / sd ** 2).reshape(-1)
    a0 = np.zeros(z.shape[0])
    a1 = np.zeros(z.shape[0])
    f = _objective(a0, a1, z, y, w, lz)
    live = np.arange(z.shape[0])            # the fits still moving; zl, yl, wl, ll: their rows
    zl, yl, wl, ll = z, y, w, lz
    for _ in range(iterations):
        c0, c1 = a0[live], a1[live]
        p = expit(c0[:, None] + c1[:, None] * zl)
        r = wl * (p - yl)
        g0, g1 = r.sum(-1), (r * zl).sum(-1) + 2 * ll * c1
        h = wl * p * (1 - p)
        h00, h01, h11 = h.sum(-1) + 1e-12, (h * zl).sum(-1), (h * zl * zl).sum(-1) + 2 * ll + 1e-12
        det = h00 * h11 - h01 ** 2
        s0 = (h11 * g0 - h01 * g1) / det
        s1 = (h00 * g1 - h01 * g0) / det
        moving = (np.abs(s0) > 1e-10) | (np.abs(s1) > 1e-10)
        if not moving.all():                # converged fits stop here for good (their step stays 0)
            keep = np.flatnonzero(moving)
            live, c0, c1, s0, s1 = live[keep], c0[keep], c1[keep], s0[keep], s1[keep]
            zl, yl, wl, ll = zl[keep], yl[keep], wl[keep], ll[keep]
        if live.size == 0:
            break
        # step halving, each fit on its own: the fits whose objective grew try half the step
        fl = f[live]
        step = np.ones(live.size)
        n0, n1 = c0 - s0, c1 - s1
        fn = np.empty(live.size)
        ok = np.zeros(live.size, dtype=bool)
        todo = np.arange(live.size)
        for _h in range(30):
            if todo.size == live.size:      # every fit: no copies of the rows
                t0, t1 = c0 - step * s0, c1 - step * s1
                ft = _objective(t0, t1, zl, yl, wl, ll)
            else:
                t0, t1 = c0[todo] - step[todo] * s0[todo], c1[todo] - step[todo] * s1[todo]
                ft = _objective(t0, t1, zl[todo], yl[todo], wl[todo], ll[todo])
            n0[todo], n1[todo], fn[todo] = t0, t1, ft
            good = ft <= fl[todo] + 1e-12 * (1.0 + np.abs(fl[todo]))
            ok[todo] = good
            todo = todo[~good]
            if todo.size == 0:
                break
            step[todo] = step[todo] / 2
        take = live[ok]
        a0[take], a1[take] = n0[ok], n1[ok]
        f[take] = np.minimum(fn[ok], fl[ok])
    b1 = (a1 / sd.reshape(-1)).reshape(shape[:-1])
    return a0.reshape(shape[:-1]) - b1 * mu, b1


def train(x, labels, k: int = 5, seed: int = 123, block: int = 64) -> dict:
    """caret's ``train(method="plr")`` for every row of ``x`` (R rows, n examples): the lambda of
    best cross-validated accuracy, then the refit on all n. Rows are solved ``block`` at a time
    (memory: about block x 15 x n doubles per array).

    Returns
    -------
    dict with ``b0``, ``b1`` (R,), ``lam`` (R,) the chosen penalties, ``accuracy`` (R, grid) the
    cross-validated accuracies.
    """
    x = np.atleast_2d(np.asarray(x, np.float64))
    if x.shape[0] > block:
        parts = [train(x[i:i + block], labels, k, seed, block) for i in range(0, x.shape[0], block)]
        return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    y = np.asarray(labels, np.float64)
    fold = folds(y, k, seed)
    train_w = (fold[None, :] != np.arange(k)[:, None]).astype(np.float64)        # (k, n)
    # fits: (R, grid, k, n)
    b0, b1 = fit(x[:, None, None, :], y, train_w[None, None], LAMBDAS[None, :, None])
    eta = b0[..., None] + b1[..., None] * x[:, None, None, :]
    held = ~train_w.astype(bool)
    correct = ((eta >= 0) == (y > 0.5)) & held[None, None]
    acc = (correct.sum(-1) / held.sum(-1)).mean(-1)                              # (R, grid)
    best = np.argmax(acc, axis=1)
    lam = LAMBDAS[best]
    B0, B1 = fit(x, y, np.ones_like(y), lam)
    return {"b0": B0, "b1": B1, "lam": lam, "accuracy": acc}


def predict(model: dict, x) -> tuple[np.ndarray, np.ndarray]:
    """(class labels 0/1, probabilities of class 1) of the fitted rows on ``x`` (R, m). The label
    is 1 where b0 + b1 x >= 0 (caret's plr predicts the first level, "0", only where its own
    linear predictor, the negation of this one, is > 0)."""
    eta = model["b0"][:, None] + model["b1"][:, None] * np.atleast_2d(np.asarray(x, np.float64))
    return (eta >= 0).astype(np.uint8), expit(eta)
