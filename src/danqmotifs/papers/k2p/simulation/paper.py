"""The authors' protocol, piece by piece: their data draws, their split, their one initial draw
per kernel width, and their two metrics (docs/k2p_simulation.md says what each piece was checked
against).

- Data (:func:`simulate`): NumPy's legacy generator seeded with the matrix's index in the sorted
  list of matrix ids, the same seed for the positives and then again for the negatives; each
  positive is a uniform head, one instance of the matrix, a uniform tail; each negative a uniform
  head and tail (the draws are made in the same order and with the same calls as the authors').
- Split (:func:`split`): unshuffled stratified folds, first of 4 = test, first of 5 of the rest =
  validation; the members of each class keep their order.
- Initial weights (:func:`fixed_init`): one legacy generator seeded 789 per model; Keras 1.0.4's
  ``Convolution1D`` default (``init='uniform'``: U(-0.05, 0.05)) for the Theano-ordered kernel
  (nb_filter, 4, w, 1), then the dense weight (``Dense``'s default, glorot uniform), then one
  in-place shuffle of the training indices per epoch. Every motif of a width gets the same
  weights and the same batch order.
- Metrics: :func:`class_label_auroc` (the area under the ROC of predicted 0/1 labels) and
  :func:`trapezoid_auprc` (trapezoids between the precision-recall points of every cut-off).
"""

from __future__ import annotations

import numpy as np

from .settings import Settings

#: the authors' seed of every model (their training script)
INIT_SEED = 789
#: Keras 1.0.4's ``initializations.uniform`` default scale, ``Convolution1D``'s default initialiser
KERAS1_UNIFORM_SCALE = 0.05


def simulate(pwm: np.ndarray, index: int, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """The authors' sequences for one matrix: (codes (N, length) uint8, labels (N,) uint8),
    positives first.

    Parameters
    ----------
    pwm : (w, 4) probabilities (each row is renormalised, as the authors divide counts by column sums).
    index : the matrix's 0-based position among the sorted ids of the whole set (the data seed).
    settings : sizes (n_positive, n_negative, length).
    """
    P = np.asarray(pwm, dtype=np.float64)
    P = P / P.sum(axis=1, keepdims=True)
    w, L = P.shape[0], settings.length
    cdf = np.cumsum(P, axis=1)
    cdf /= cdf[:, -1:]
    npos, nneg = settings.n_positive, settings.n_negative
    codes = np.empty((npos + nneg, L), dtype=np.uint8)
    # The authors draw one sequence at a time: randint(0, 4, h) for the head, random_sample(w) for
    # the site (what choice(p=column) draws), randint(0, 4, L - w - h) for the tail. The legacy
    # generator makes each randint(0, 4) value from one 32-bit word (word & 3: the mask of 3 never
    # rejects) and each double from two words ((a >> 5) * 2**26 + (b >> 6)) / 2**53, so after the
    # heads every positive takes exactly L + w words, every negative L: all of them are drawn in
    # one call and cut up, the same numbers as the call-by-call draws (tested).
    rs = np.random.RandomState(int(index))
    heads = rs.randint(0, L - w + 1, size=npos)
    words = rs.randint(0, 2 ** 32, size=(npos, L + w), dtype=np.uint32)
    p = np.arange(L)[None, :]
    h = heads[:, None]
    # position p of the sequence: head word p, site column p - h (two words from h + 2 (p - h)),
    # tail word p + w
    in_site = (p >= h) & (p < h + w)
    base_word = np.take_along_axis(words, np.where(p < h, p, np.minimum(p + w, L + w - 1)), axis=1)
    col = np.clip(p - h, 0, w - 1)
    first = np.minimum(h + 2 * col, L + w - 2)
    a = np.take_along_axis(words, first, axis=1) >> np.uint32(5)
    b = np.take_along_axis(words, first + 1, axis=1) >> np.uint32(6)
    u = (a.astype(np.float64) * 67108864.0 + b.astype(np.float64)) / 9007199254740992.0
    site = (cdf[col, :3] <= u[..., None]).sum(axis=-1)           # searchsorted, side "right"
    codes[:npos] = np.where(in_site, site, base_word & np.uint32(3))
    rs = np.random.RandomState(int(index))
    rs.randint(0, L + 1, size=nneg)                                # the heads: no effect on the bases
    codes[npos:] = rs.randint(0, 2 ** 32, size=(nneg, L), dtype=np.uint32) & np.uint32(3)
    labels = np.r_[np.ones(npos, np.uint8), np.zeros(nneg, np.uint8)]
    return codes, labels


def _first_fold(members: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Unshuffled k-fold of ``members`` (in order): (first fold, the rest). The first fold has
    n // k members, one more when k does not divide n."""
    n = members.size
    size = n // k + (1 if n % k else 0)
    return members[:size], members[size:]


def split(labels: np.ndarray, settings: Settings) -> dict[str, np.ndarray]:
    """Train / valid / test indices as the authors' unshuffled stratified folds: test = the first
    fold of round(1 / test_fraction) folds of each class, validation = the first of
    round(1 / valid_fraction) folds of each class's rest. Positives come first in each part."""
    k_test = int(round(1.0 / settings.test_fraction))
    k_valid = int(round(1.0 / settings.valid_fraction))
    parts = {"train": [], "valid": [], "test": []}
    for cls in (1, 0):
        members = np.flatnonzero(labels == cls)
        test, rest = _first_fold(members, k_test)
        valid, train = _first_fold(rest, k_valid)
        parts["test"].append(test)
        parts["valid"].append(valid)
        parts["train"].append(train)
    return {k: np.concatenate(v) for k, v in parts.items()}


def fixed_init(width: int, n_train: int, epochs: int, seed: int = INIT_SEED):
    """The initial weights and batch orders every motif of this width gets.

    Keras 1.0.4 draws its weights with NumPy's global generator, which the authors seed (789)
    right before building each model: the kernel first, shape (1, 4, w, 1) (Theano order), with
    ``Convolution1D``'s default initialiser ``'uniform'``, U(-0.05, 0.05) whatever the width; then
    the (1, 1) dense weight with ``Dense``'s default, glorot uniform (fan_in = fan_out = 1: limit
    sqrt(3)); biases zero; the values are stored as float32. Its fit loop then shuffles one index array in place at
    the start of every epoch with the same generator. Theano's conv2d flips the kernel, so the
    cross-correlation kernel is the drawn one reversed along its length.

    Returns
    -------
    init : (W (w, 4) correlation orientation, 0.0, dense weight, 0.0)
    perms : (epochs, n_train) int32 batch orders
    """
    rs = np.random.RandomState(int(seed))
    lim = KERAS1_UNIFORM_SCALE
    K = rs.uniform(low=-lim, high=lim, size=(1, 4, width, 1)).astype(np.float32)
    D = rs.uniform(low=-np.sqrt(3.0), high=np.sqrt(3.0), size=(1, 1)).astype(np.float32)
    W = K[0, :, ::-1, 0].T.astype(np.float64)
    order = np.arange(n_train)
    perms = np.empty((epochs, n_train), dtype=np.int32)
    for e in range(epochs):
        rs.shuffle(order)
        perms[e] = order
    return (np.ascontiguousarray(W), 0.0, float(D[0, 0]), 0.0), perms


def class_label_auroc(labels, predicted) -> np.ndarray:
    """AUROC of predicted 0/1 class labels: the ROC has one inner point (FPR, TPR), so the area is
    (1 + TPR - FPR) / 2. Rows of ``predicted`` are scored separately; ``labels`` broadcasts."""
    y = np.asarray(labels).astype(bool)
    p = np.asarray(predicted).astype(bool)
    tpr = (p & y).sum(axis=-1) / y.sum(axis=-1)
    fpr = (p & ~y).sum(axis=-1) / (~y).sum(axis=-1)
    return 0.5 * (1.0 + tpr - fpr)


def trapezoid_auprc(labels, scores, order_key=None) -> np.ndarray:
    """Area under the precision-recall points of every cut-off, by trapezoids between consecutive
    points (no point added at recall 0): the sequences sorted by decreasing score, ties kept in
    the order of ``order_key`` (default: as given). Rows of ``scores`` are scored separately."""
    s = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    y = np.broadcast_to(np.asarray(labels, dtype=np.float64), s.shape)
    base = np.arange(s.shape[1]) if order_key is None else np.argsort(np.asarray(order_key), kind="stable")
    s, y = s[:, base], y[:, base]
    order = np.argsort(-s, axis=1, kind="stable")
    ys = np.take_along_axis(y, order, axis=1)
    tp = np.cumsum(ys, axis=1)
    k = np.arange(1, s.shape[1] + 1)
    precision, recall = tp / k, tp / ys.sum(axis=1, keepdims=True)
    area = (np.diff(recall, axis=1) * (precision[:, 1:] + precision[:, :-1]) / 2.0).sum(axis=1)
    return area if np.ndim(scores) > 1 else area[0]
