"""Kernel influence: how much each first-layer kernel matters, and for which targets.

For each kernel k, on a seeded sample of an evaluation split, the kernel's activation after its
ReLU (before pooling) is replaced by one constant, its mean over the sample's sequences and
positions (both strands when predictions average each sequence with its reverse complement), and
the model's predictions are compared with the unperturbed ones. Replacing by the mean rather than
by zero is the choice of Basset's filter influence: the layers above then see a kernel that
carries no information but still contributes its average level, so the change measures the
information the kernel carries, not the shift of removing its mean. Per kernel and target:

* ``mean_abs_dp``: mean over sequences of |p' - p| (probabilities);
* ``mean_dlogit``: mean of logit(p') - logit(p) (probabilities clipped to [1e-7, 1 - 1e-7]):
  negative when the kernel pushes the target up;
* ``d_roc_auc``: ROC AUC with the kernel perturbed minus the original ROC AUC on the sample (NA
  when the sample has no positive or no negative for the target): negative when the kernel helps.

The overall influence of a kernel is its mean |dp| averaged over targets.

Speed: the first layer is computed once per sequence for the means and once for the
perturbations, never once per kernel; only the layers above it (pooling, BiLSTM, dense) run for
each perturbed kernel, K perturbed copies of a batch at a time (:func:`kernel_influence`). The plain
way, one full model call per kernel with that kernel's weights zeroed and its bias set to its mean
(ReLU(mean) = mean: the same perturbation), is :func:`kernel_influence_plain`, kept for checks and
for the benchmark (benchmarks/bench_influence.py).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..core.alphabet import codes_to_onehot
from ..core.errors import InputError
from ..core.metrics import log_odds, roc_auc
from ..formats.influence_table import InfluenceResult


# ------------------------------------------------------------------------------------- model split

def split_model(model, where="model"):
    """(first Conv1D layer, upper) where ``upper`` is a Keras model from the Conv1D's output to the
    model's output (sharing the model's layers and weights).

    A ``keras.Sequential`` must hold the Conv1D at its top level; a functional model may be any graph
    whose output depends on the input only through that layer.
    """
    import keras

    from ..model.modelio import first_conv_layer

    conv = first_conv_layer(model, where)
    if isinstance(model, keras.Sequential):
        if conv not in model.layers:
            raise InputError(where, "its first Conv1D is nested inside another model",
                             "give a model whose first Conv1D is a top-level layer")
        i = model.layers.index(conv)
        return conv, keras.Sequential([keras.Input(shape=tuple(conv.output.shape[1:]))] + model.layers[i + 1:])
    try:
        return conv, keras.Model(conv.output, model.outputs[0])
    except Exception as exc:  # keras raises several types for a disconnected graph
        raise InputError(where, f"its output cannot be computed from its first Conv1D's output alone ({exc})",
                         "give a model whose layers above the first Conv1D read only that layer") from None


def _activation_of(model) -> str:
    from ..model.kernels import activation_name
    from ..model.modelio import first_conv_layer

    return activation_name(first_conv_layer(model))


def _rc(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x[:, ::-1, ::-1])


def _layer_with(conv, W, bias) -> Callable[[np.ndarray], np.ndarray]:
    """x -> the activation of ``conv`` (its strides, padding, dilation and activation function)
    with kernels ``W`` (K, L, 4, correlation orientation) and biases ``bias`` instead of its own."""
    from keras import ops

    k = np.ascontiguousarray(np.asarray(W, dtype=np.float32).transpose(1, 2, 0))
    b = np.asarray(bias, dtype=np.float32)
    if k.shape != tuple(conv.kernel.shape):
        raise ValueError(f"substitute kernels {k.shape} do not fit the layer's {tuple(conv.kernel.shape)}")

    def act(x):
        z = ops.conv(x, k, strides=conv.strides, padding=conv.padding, dilation_rate=conv.dilation_rate) + b
        return np.asarray(conv.activation(z), dtype=np.float32)
    return act


def mean_activations(conv, codes: np.ndarray, batch_size: int, average_rc: bool) -> np.ndarray:
    """(K,) mean of each kernel's activation over the sequences, positions (and both strands)."""
    total, count = None, 0
    for i in range(0, codes.shape[0], batch_size):
        x = codes_to_onehot(codes[i:i + batch_size])
        for xs in ((x, _rc(x)) if average_rc else (x,)):
            a = np.asarray(conv(xs), dtype=np.float64)
            s = a.sum(axis=(0, 1))
            total = s if total is None else total + s
            count += a.shape[0] * a.shape[1]
    return total / count


# ------------------------------------------------------------------------------------- influence

def _check(model, codes, labels, target_names):
    if codes.shape[0] == 0:
        raise InputError("influence sample", "no sequences", "use a non-empty evaluation split")
    if labels.shape != (codes.shape[0], len(target_names)):
        raise ValueError(f"labels {labels.shape} do not match {codes.shape[0]} sequences and "
                         f"{len(target_names)} targets")


def _finish(preds0, perturbed, labels, target_names, sum_abs, sum_dlogit, mean_act, average_rc, sel) -> InfluenceResult:
    n = labels.shape[0]
    K, T = sum_abs.shape
    y = labels.astype(bool)
    auc0 = np.array([roc_auc(y[:, t], preds0[:, t]) for t in range(T)], dtype=np.float64)
    d_auc = np.full((K, T), np.nan)
    for k in range(K):
        pk = np.asarray(perturbed[k])                    # (T, n)
        for t in range(T):
            if np.isfinite(auc0[t]):
                d_auc[k, t] = roc_auc(y[:, t], pk[t]) - auc0[t]
    return InfluenceResult(list(target_names), sum_abs / n, sum_dlogit / n, d_auc, auc0,
                           np.asarray(mean_act, dtype=np.float64)[sel], int(n), bool(average_rc), np.asarray(sel))


def _store(K: int, T: int, n: int, tmp_dir, budget_bytes: int, stack):
    """(K, T, n) float32 array for the perturbed predictions: in memory when it fits the budget,
    else a memory-mapped file in a temporary directory (removed by ``stack``)."""
    if K * T * n * 4 <= budget_bytes:
        return np.empty((K, T, n), dtype=np.float32)
    d = stack.enter_context(tempfile.TemporaryDirectory(prefix=".influence.", dir=tmp_dir))
    return np.lib.format.open_memmap(Path(d) / "perturbed.npy", mode="w+", dtype=np.float32, shape=(K, T, n))


def kernel_influence(model, codes: np.ndarray, labels: np.ndarray, target_names: Sequence[str],
                     batch_size: int = 100, average_rc: bool = True, row_budget_bytes: int = 32 << 20,
                     store_budget_bytes: int = 512 << 20, tmp_dir=None, kernels: Sequence[int] | None = None,
                     log: Callable[[str], None] = print, substitute=None) -> InfluenceResult:
    """Influence of every first-layer kernel of ``model`` on every target, over the sequences ``codes``.

    Parameters
    ----------
    model : keras.Model (see :func:`split_model`).
    codes : (n, L) uint8 sequence codes (A, C, G, T, N = 0..4); labels : (n, T) 0/1.
    target_names : T names.
    batch_size : sequences whose first-layer activations are computed at a time.
    average_rc : average each prediction with its reverse complement's (as the evaluate rule).
    row_budget_bytes : bound on one batch of perturbed activations sent to the upper layers (sets
        how many perturbed copies run at once).
    store_budget_bytes : perturbed predictions (K x T x n float32) beyond this go to a temporary
        memory-mapped file in ``tmp_dir`` (default the system's).
    kernels : the kernels to perturb (default all); the result has one row per kernel asked for.
    substitute : optional (W (K, L, 4), bias (K,)) other first-layer weights: kernel k's activation
        is then replaced by the activation of substitute kernel k (the same layer, the same
        activation function) instead of by its mean. ``mean_activation`` still reports the means.

    Returns
    -------
    InfluenceResult
    """
    import contextlib

    codes = np.asarray(codes, dtype=np.uint8)
    labels = np.asarray(labels)
    _check(model, codes, labels, target_names)
    conv, upper = split_model(model)
    n, T = labels.shape
    mean_act = mean_activations(conv, codes, batch_size, average_rc).astype(np.float32)
    K = mean_act.shape[0]
    sel = np.arange(K) if kernels is None else np.asarray(kernels, dtype=np.int64)
    sub_conv = _layer_with(conv, *substitute) if substitute is not None else None
    preds0 = np.empty((n, T), dtype=np.float32)
    sum_abs = np.zeros((sel.size, T))
    sum_dlogit = np.zeros((sel.size, T))
    report = max(1, math.ceil(n / batch_size) // 10)
    with contextlib.ExitStack() as stack:
        perturbed = _store(sel.size, T, n, tmp_dir, store_budget_bytes, stack)
        for bi, i in enumerate(range(0, n, batch_size)):
            x = codes_to_onehot(codes[i:i + batch_size])
            strands = (x, _rc(x)) if average_rc else (x,)
            acts = [np.asarray(conv(xs), dtype=np.float32) for xs in strands]
            subs = [sub_conv(xs) for xs in strands] if substitute is not None else [None] * len(strands)
            B, Lc = acts[0].shape[:2]
            p0 = sum(np.asarray(upper.predict_on_batch(a), dtype=np.float32) for a in acts) / len(acts)
            preds0[i:i + B] = p0
            l0 = log_odds(p0)
            copies = max(1, min(K, row_budget_bytes // max(1, B * Lc * K * 4)))
            for k0 in range(0, sel.size, copies):
                js = np.arange(k0, min(sel.size, k0 + copies))          # rows of the result
                ks = sel[js]                                            # kernels perturbed
                pk = 0.0
                for a, sa in zip(acts, subs):
                    big = np.repeat(a[None], ks.size, axis=0)                  # (c, B, Lc, K)
                    big[np.arange(ks.size), :, :, ks] = (mean_act[ks][:, None, None] if sa is None
                                                         else sa[:, :, ks].transpose(2, 0, 1))
                    out = upper.predict_on_batch(big.reshape(ks.size * B, Lc, K))
                    pk = pk + np.asarray(out, dtype=np.float32).reshape(ks.size, B, T)
                pk = pk / len(acts)
                sum_abs[js] += np.abs(pk - p0[None]).sum(axis=1)
                sum_dlogit[js] += (log_odds(pk) - l0[None]).sum(axis=1)
                perturbed[js, :, i:i + B] = pk.transpose(0, 2, 1)
            if (bi + 1) % report == 0:
                log(f"  influence: {i + B:,}/{n:,} sequences x {sel.size} kernels")
        return _finish(preds0, perturbed, labels, target_names, sum_abs, sum_dlogit, mean_act, average_rc, sel)


def kernel_influence_plain(model, codes: np.ndarray, labels: np.ndarray, target_names: Sequence[str],
                           batch_size: int = 100, average_rc: bool = True,
                           kernels: Sequence[int] | None = None) -> InfluenceResult:
    """The same measurement the plain way: per kernel, one full model call per batch with that
    kernel's weights zeroed and its bias set to its mean activation (for checks and benchmarks)."""
    from ..model.kernels import kernels_from_layer
    from ..model.modelio import make_predictor, predict_codes
    from .substitutes import swapped_kernels

    codes = np.asarray(codes, dtype=np.uint8)
    labels = np.asarray(labels)
    _check(model, codes, labels, target_names)
    conv, _ = split_model(model)
    mean_act = mean_activations(conv, codes, batch_size, average_rc).astype(np.float32)
    ks = kernels_from_layer(conv)
    sel = np.arange(ks.W.shape[0]) if kernels is None else np.asarray(kernels, dtype=np.int64)
    predict = make_predictor(model, average_rc)
    preds0 = predict_codes(predict, codes, batch_size)
    l0 = log_odds(preds0)
    n, T = preds0.shape
    sum_abs, sum_dlogit = np.zeros((sel.size, T)), np.zeros((sel.size, T))
    perturbed = np.empty((sel.size, T, n), dtype=np.float32)
    for j, k in enumerate(sel):
        W, b = ks.W.copy(), ks.bias.copy()
        W[k] = 0.0
        b[k] = mean_act[k]
        with swapped_kernels(model, W, b):
            pk = predict_codes(predict, codes, batch_size)
        sum_abs[j] = np.abs(pk - preds0).sum(axis=0)
        sum_dlogit[j] = (log_odds(pk) - l0).sum(axis=0)
        perturbed[j] = pk.T
    return _finish(preds0, perturbed, labels, target_names, sum_abs, sum_dlogit, mean_act, average_rc, sel)


# ------------------------------------------------------------------------------------- on a split

def influence_on_split(model, data_path, n_sequences: int, seed: int, batch_size: int = 100,
                       average_rc: bool = True, tmp_dir=None,
                       log: Callable[[str], None] = print) -> tuple[InfluenceResult, dict]:
    """:func:`kernel_influence` on a seeded sample of ``n_sequences`` of the split ``data_path``
    (all of them when it has fewer). Returns the result and a JSON-able summary."""
    from ..model.kernels import sample_rows
    from ..model.modelio import check_model_matches
    from ..sources.datafile import DataReader

    with DataReader(data_path) as r:
        check_model_matches(model, "", r.length, r.n_targets, data_path)
        rows, info = sample_rows(r, n_sequences, seed, where="influence.n_sequences")
        codes, labels = r.read_rows(rows)
        names = r.target_names
    if rows.size == 0:
        raise InputError(data_path, "the split holds no sequences", "rerun the data stage with a non-empty split")
    res = kernel_influence(model, codes, labels, names, batch_size, average_rc, tmp_dir=tmp_dir, log=log)
    overall = res.overall
    summary = dict(sample=info, n_sequences=res.n_sequences, n_kernels=int(overall.size), n_targets=len(names),
                   average_rc=res.average_rc, seed=int(seed),
                   perturbation=f"activation after the first layer's {_activation_of(model)}, "
                                "before pooling, replaced by its mean over the "
                                "sample's sequences and positions" + (" and both strands" if average_rc else ""),
                   overall="mean |dp| over sequences, averaged over targets",
                   top_kernels=[int(k) for k in np.argsort(-overall, kind="stable")[:10]],
                   max_overall=float(overall.max()), median_overall=float(np.median(overall)),
                   kernels_without_influence=int((res.mean_abs_dp.max(axis=1) == 0).sum()))
    return res, summary
