"""Train many one-kernel CNNs at once, with Keras 1.0.4's or Keras 3's semantics, in compiled code (numba).

The model of the k2p simulation (docs/design.md section 12) is tiny: for a sequence x (codes),

    a = max_p ReLU(b + sum_j W[j, x[p + j]])        (Conv1D, one kernel of width w, valid; global max)
    z = d a + e,   y_hat = sigmoid(z)                (Dense(1), sigmoid)

Calling Keras's ``model.fit`` once per motif costs seconds of framework overhead per epoch; the
arithmetic is a few million additions. Here one compiled function trains one motif's model
completely (all epochs, early stopping included), and a parallel loop runs the motifs of a chunk
side by side. ``Settings.semantics`` chooses between two behaviours. ``keras1`` (the default: the
k2p authors ran Keras 1.0.4 on Theano; docs/k2p_simulation.md) differs from the list below in:
RMSprop's epsilon added after the square root (default 1e-8); the sigmoid output clipped to
[1e-7, 1 - 1e-7] inside the loss, no gradient where the clip binds; the max-pool gradient given
whole to every tied maximum; early stopping that checks ``wait >= patience`` before counting (so
patience + 1 epochs without improvement run) and keeps the FINAL weights. What Keras 3
(TensorFlow backend) does, ``keras3``, and this code reproduces:

- initial weights: glorot-uniform kernel, limit sqrt(6 / (fan_in + fan_out)) with fan_in = 4 w and
  fan_out = w for the (w, 4, 1) conv kernel (Keras 1.0.4's ``Convolution1D``: U(-0.05, 0.05)), and sqrt(3) for the (1, 1) dense kernel; zero biases
  (:func:`init_weights`; drawn with NumPy, not Keras's generator);
- loss: binary cross-entropy computed FROM THE LOGITS. Keras's sigmoid activation caches its input
  (``_keras_logits``) and ``binary_crossentropy`` then uses ``sigmoid_cross_entropy_with_logits``:
  no epsilon clipping happens for a sigmoid output, and the gradient is exactly y_hat - y. The
  batch loss is the mean over the batch;
- global max-pool gradient: ``tf.reduce_max`` shares the gradient equally among tied maxima; the
  ReLU's gradient is 0 at 0;
- RMSprop (rho 0.9, epsilon 1e-7, no momentum, not centred): v <- rho v + (1 - rho) g^2,
  theta <- theta - lr g / sqrt(v + epsilon), per variable, velocities starting at 0;
- one shuffle of the training set per epoch (here a per-motif permutation given by the caller),
  batches in that order, the last one possibly smaller;
- early stopping on the validation loss (mean over the validation set after each epoch), patience
  p, ``restore_best_weights=True``: ``wait`` grows every epoch and returns to 0 on an improvement
  (strictly lower loss); training stops when wait >= p (after the first epoch); the weights of the
  best epoch are restored at the end.

Arithmetic is float64 (Keras: float32), which the test against Keras tolerates (~1e-6 after an
epoch from the same weights and batch order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange
from scipy.special import expit

from .paper import KERAS1_UNIFORM_SCALE
from .score import best_windows
from .settings import Settings


@dataclass
class Trained:
    """A chunk's trained models; arrays have a leading motif axis (M)."""

    W: list                     # M kernels, each (w_m, 4) float64, correlation orientation
    bias: np.ndarray            # (M,) conv bias
    dense_w: np.ndarray         # (M,) dense weight
    dense_b: np.ndarray         # (M,) dense bias
    best_epoch: np.ndarray      # (M,) 0-based epoch whose weights were kept
    epochs: np.ndarray          # (M,) epochs run
    train_loss: np.ndarray      # (M, max_epochs) mean training loss per epoch (NaN after stop)
    val_loss: np.ndarray        # (M, max_epochs) validation loss per epoch (NaN after stop)


def init_weights(width: int, rng: np.random.Generator,
                 semantics: str = "keras3") -> tuple[np.ndarray, float, float, float]:
    """Keras's default initial weights: (kernel (w, 4), conv bias 0, dense weight, dense bias 0).

    The kernel: Keras 3's ``Conv1D`` default, glorot uniform (fan_in 4 w, fan_out w), or, with
    ``semantics="keras1"``, Keras 1.0.4's ``Convolution1D`` default ``'uniform'``, U(-0.05, 0.05).
    The (1, 1) dense weight: glorot uniform (limit sqrt(3)) in both.
    """
    lim = KERAS1_UNIFORM_SCALE if semantics == "keras1" else np.sqrt(6.0 / (4 * width + width))
    W = rng.uniform(-lim, lim, size=(width, 4))
    d = float(rng.uniform(-np.sqrt(3.0), np.sqrt(3.0)))
    return W, 0.0, d, 0.0


def permutations(n: int, epochs: int, rng: np.random.Generator) -> np.ndarray:
    """One shuffle of ``n`` training examples per epoch: (epochs, n) int32."""
    return np.stack([rng.permutation(n) for _ in range(epochs)]).astype(np.int32)


@njit(cache=True)
def _scores(x, W, w, b, out):
    """out[p] = b + sum_j W[j, x[p + j]] for every valid p; returns the max."""
    best = -np.inf
    for p in range(x.shape[0] - w + 1):
        s = 0.0
        for j in range(w):
            s += W[j, x[p + j]]
        s += b
        out[p] = s
        if s > best:
            best = s
    return best


@njit(cache=True)
def _bce_logits(z, y):
    """Binary cross-entropy from a logit (TensorFlow's stable form)."""
    return max(z, 0.0) - z * y + np.log1p(np.exp(-abs(z)))


#: Keras 1's clipping of a sigmoid output inside binary_crossentropy (its backend's _EPSILON)
KERAS1_CLIP = 1e-7


@njit(cache=True)
def _loss_grad(z, y, keras1):
    """(loss, d loss / d z) of one example. Keras 3: from the logit, gradient p - y. Keras 1: the
    output p is clipped to [1e-7, 1 - 1e-7] first; where the clip binds the gradient is 0."""
    if not keras1:
        return _bce_logits(z, y), 1.0 / (1.0 + np.exp(-z)) - y
    p = 1.0 / (1.0 + np.exp(-z))
    g = p - y
    if p < KERAS1_CLIP:
        p = KERAS1_CLIP
        g = 0.0
    elif p > 1.0 - KERAS1_CLIP:
        p = 1.0 - KERAS1_CLIP
        g = 0.0
    return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)), g


@njit(cache=True)
def _mean_loss(codes, y, W, w, b, d, e, buf, keras1):
    tot = 0.0
    for i in range(codes.shape[0]):
        a = max(_scores(codes[i], W, w, b, buf), 0.0)
        tot += _loss_grad(d * a + e, y[i], keras1)[0]
    return tot / codes.shape[0]


@njit(cache=True)
def _rmsprop(theta, g, v, lr, rho, eps, keras1):
    """Keras 3: epsilon inside the square root; Keras 1.0.4: added after it."""
    v_new = rho * v + (1.0 - rho) * g * g
    if keras1:
        return theta - lr * g / (np.sqrt(v_new) + eps), v_new
    return theta - lr * g / np.sqrt(v_new + eps), v_new


@njit(cache=True)
def _train_one(xtr, ytr, xva, yva, w, W, b, d, e, perms, lr, rho, eps, batch, patience, tr_hist, va_hist, keras1):
    """Train one model in place from (W, b, d, e); returns (W, b, d, e, best_epoch, epochs)."""
    n = xtr.shape[0]
    P = xtr.shape[1] - w + 1
    buf = np.empty(P)
    gW = np.zeros((w, 4))
    vW = np.zeros((w, 4))
    vb = 0.0
    vd = 0.0
    ve = 0.0
    best = np.inf
    bestW = W.copy()
    best_b, best_d, best_e = b, d, e
    best_epoch = 0
    wait = 0
    epochs = 0
    for epoch in range(perms.shape[0]):
        order = perms[epoch]
        tot = 0.0
        for start in range(0, n, batch):
            stop = min(start + batch, n)
            m = stop - start
            gW[:, :] = 0.0
            gb = 0.0
            gd = 0.0
            ge = 0.0
            for k in range(start, stop):
                i = order[k]
                x = xtr[i]
                top = _scores(x, W, w, b, buf)
                a = max(top, 0.0)
                z = d * a + e
                li, gz = _loss_grad(z, ytr[i], keras1)
                tot += li
                dz = gz / m
                gd += dz * a
                ge += dz
                if top > 0.0:
                    da = dz * d
                    ties = 0
                    for p in range(P):
                        if buf[p] == top:
                            ties += 1
                    # TensorFlow shares the gradient among tied maxima; Theano gives it to each
                    share = da if keras1 else da / ties
                    gb += da
                    for p in range(P):
                        if buf[p] == top:
                            for j in range(w):
                                gW[j, x[p + j]] += share
            for j in range(w):
                for c in range(4):
                    W[j, c], vW[j, c] = _rmsprop(W[j, c], gW[j, c], vW[j, c], lr, rho, eps, keras1)
            b, vb = _rmsprop(b, gb, vb, lr, rho, eps, keras1)
            d, vd = _rmsprop(d, gd, vd, lr, rho, eps, keras1)
            e, ve = _rmsprop(e, ge, ve, lr, rho, eps, keras1)
        epochs = epoch + 1
        tr_hist[epoch] = tot / n
        vl = _mean_loss(xva, yva, W, w, b, d, e, buf, keras1)
        va_hist[epoch] = vl
        if keras1:
            # Keras 1.0.4's EarlyStopping: the check comes before the increment, so training
            # stops after patience + 1 epochs without improvement; nothing is restored
            if vl < best:
                best = vl
                best_epoch = epoch
                wait = 0
            else:
                if wait >= patience:
                    break
                wait += 1
            continue
        wait += 1
        if vl < best:
            best = vl
            best_epoch = epoch
            bestW[:, :] = W
            best_b, best_d, best_e = b, d, e
            wait = 0
            continue
        if wait >= patience and epoch > 0:
            break
    if keras1:
        return b, d, e, best_epoch, epochs
    W[:, :] = bestW
    return best_b, best_d, best_e, best_epoch, epochs


@njit(cache=True, parallel=True)
def _train_all(xtr, ytr, xva, yva, widths, W, b, d, e, perms, lr, rho, eps, batch, patience,
               best_epoch, epochs, tr_hist, va_hist, keras1):
    for m in prange(xtr.shape[0]):
        w = widths[m]
        Wm = W[m, :w, :].copy()
        bm, dm, em, be, ne = _train_one(xtr[m], ytr[m], xva[m], yva[m], w, Wm, b[m], d[m], e[m], perms[m],
                                        lr, rho, eps, batch, patience, tr_hist[m], va_hist[m], keras1)
        W[m, :w, :] = Wm
        b[m], d[m], e[m] = bm, dm, em
        best_epoch[m], epochs[m] = be, ne


def train_many(train: list, valid: list, init: list, perms: list, settings: Settings,
               threads: int | None = None) -> Trained:
    """Train M independent models (one per motif) in parallel.

    Parameters
    ----------
    train, valid : list of (codes (n, length) uint8, labels (n,)) per motif; every motif has the
        same n and length within a list.
    init : list of (W (w, 4), b, d, e) initial weights per motif (:func:`init_weights`).
    perms : list of (epochs, n_train) int permutations per motif (:func:`permutations`); its
        length caps the number of epochs.
    settings : the learning rate, rho, epsilon, batch size and patience.
    threads : numba threads (default: numba's).

    Returns
    -------
    Trained
    """
    import numba

    M = len(train)
    widths = np.array([np.shape(i[0])[0] for i in init], dtype=np.int64)
    wmax = int(widths.max())
    W = np.zeros((M, wmax, 4))
    for m, (Wm, *_r) in enumerate(init):
        W[m, :widths[m]] = Wm
    b, d, e = (np.array([i[k] for i in init], dtype=np.float64) for k in (1, 2, 3))
    xtr = np.ascontiguousarray(np.stack([t[0] for t in train]), dtype=np.uint8)
    ytr = np.stack([t[1] for t in train]).astype(np.float64)
    xva = np.ascontiguousarray(np.stack([t[0] for t in valid]), dtype=np.uint8)
    yva = np.stack([t[1] for t in valid]).astype(np.float64)
    P = np.ascontiguousarray(np.stack(perms), dtype=np.int32)
    E = P.shape[1]
    best_epoch, epochs = np.zeros(M, np.int64), np.zeros(M, np.int64)
    tr_hist, va_hist = np.full((M, E), np.nan), np.full((M, E), np.nan)
    old = numba.get_num_threads()
    if threads:
        numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    try:
        _train_all(xtr, ytr, xva, yva, widths, W, b, d, e, P, float(settings.learning_rate),
                   float(settings.rho), float(settings.epsilon), int(settings.batch_size),
                   int(settings.patience), best_epoch, epochs, tr_hist, va_hist, settings.semantics == "keras1")
    finally:
        numba.set_num_threads(old)
    return Trained([W[m, :widths[m]].copy() for m in range(M)], b, d, e, best_epoch, epochs, tr_hist, va_hist)


def predict(codes: np.ndarray, W: np.ndarray, bias: float, dense_w: float, dense_b: float) -> np.ndarray:
    """The model's output y_hat for each sequence."""
    top, _ = best_windows(W, codes)
    z = dense_w * np.maximum(top + bias, 0.0) + dense_b
    return expit(z)
