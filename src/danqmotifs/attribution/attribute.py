"""Attributions of a trained model's logits: in-silico mutagenesis and gradient x input.

What is attributed is the logit (the pre-sigmoid output, :func:`logit_model`) of each chosen target.
With ``average_rc`` (as ``evaluate.average_reverse_complement`` averages the predictions) the
function attributed is the mean of the logits of a sequence and of its reverse complement; its
attributions are the mean of the forward strand's and of the reverse strand's mapped back onto the
forward strand (reversed and complemented), which is the chain rule for gradients and the same
function for mutagenesis.

Both kinds give HYPOTHETICAL contributions, (n, L, 4): at each position a score for each of the four
bases, mean-centred over the bases (TF-MoDISco's input; the actual contribution is that times the
one-hot sequence):

* ``ism``: in-silico mutagenesis, for each position and each base the sequence does not hold there,
  the logit of the mutated sequence minus the reference's (3L + 1 predictions per sequence of A, C,
  G, T; a position holding N is mutated to all four bases), 0 for the reference base, then
  mean-centred per position. It runs on every Keras backend (predictions only).
* ``grad``: the gradient of the logit with respect to the one-hot input, mean-centred per position
  (the gradient's component along the all-ones direction of a position is what no one-hot change
  can follow, so it is removed). One small function per backend (:data:`GRADIENTS`): TensorFlow,
  JAX, PyTorch.

:func:`attribute_split` streams a seeded sample of a data split's positives through either kind,
``block`` sequences at a time, into an HDF5 file (the layout :mod:`danqmotifs.formats.attributions`
reads), so memory does not grow with the number of sequences. TF-MoDISco on the result: :mod:`danqmotifs.attribution.modisco`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..core.alphabet import codes_to_onehot
from ..core.errors import InputError, atomic_output

#: attribution kinds (config ``attribution.kind``)
KINDS = ("ism", "grad")

from ..formats.attributions import LAYOUT, read_attributions  # noqa: F401  (the file's reader)


# --------------------------------------------------------------------------------------- logits

def _is_sigmoid(activation) -> bool:
    return getattr(activation, "__name__", "") == "sigmoid"


def logit_model(model, where="model"):
    """A Keras model from the model's input to its logits (its output before the final sigmoid).

    The output layer must be a Dense (or any layer with an ``activation``) whose activation is the
    sigmoid, as the workflow's DanQ builds it, or a separate sigmoid ``Activation`` layer, as in
    DanQ's published model: the first gets a linear copy of its weights on the same input, the
    second is left out. Anything else is an InputError (logits cannot be read off reliably).
    """
    import keras

    last = model.layers[-1]
    h = last.input
    if isinstance(last, keras.layers.Activation) and _is_sigmoid(last.activation):
        return keras.Model(model.inputs, h)
    if isinstance(last, keras.layers.Dense) and _is_sigmoid(last.activation):
        linear = keras.layers.Dense(last.units, activation=None, use_bias=last.use_bias, dtype="float32",
                                    name="logits")
        out = linear(h)
        linear.set_weights(last.get_weights())
        return keras.Model(model.inputs, out)
    raise InputError(where, f"its output layer {last.name!r} ({type(last).__name__}) is not a sigmoid "
                     "output, so its logits cannot be read off",
                     "attribute a model whose last layer is a Dense with a sigmoid activation or a "
                     "sigmoid Activation layer")


def _rc(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x[:, ::-1, ::-1])


def predict_logits(lmodel, x: np.ndarray, targets: Sequence[int], average_rc: bool) -> np.ndarray:
    """(B, k) float64 logits of the target columns ``targets`` for one-hot ``x`` (B, L, 4)."""
    t = np.asarray(targets, dtype=np.int64)
    z = np.asarray(lmodel.predict_on_batch(x), dtype=np.float64)[:, t]
    if average_rc:
        z = (z + np.asarray(lmodel.predict_on_batch(_rc(x)), dtype=np.float64)[:, t]) / 2.0
    return z


def centre(h: np.ndarray) -> np.ndarray:
    """Mean-centre over the last axis (the four bases of each position)."""
    return h - h.mean(axis=-1, keepdims=True)


# ------------------------------------------------------------------------------------------- ISM

def _mutants(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sequence index, position, base) of every single-base change of the one-hot batch ``x``:
    every base a position does not hold (all four at an N)."""
    s, l, b = np.nonzero(x == 0)
    return s, l, b


def ism(lmodel, x: np.ndarray, targets: Sequence[int], average_rc: bool = True,
        batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """In-silico mutagenesis of the targets' logits.

    Parameters
    ----------
    lmodel : the logit model (:func:`logit_model`).
    x : (B, L, 4) one-hot float32 (A, C, G, T; N an all-zero row).
    targets : k target columns.
    average_rc : attribute the mean of the forward and reverse-complement logits.
    batch_size : sequences (mutants) per model call.

    Returns
    -------
    (delta (k, B, L, 4) float32: logit of the mutant minus the reference's, 0 at the reference
    base; z0 (k, B) float64 reference logits). Not centred: see :func:`centre`.
    """
    x = np.asarray(x, dtype=np.float32)
    B, L, _ = x.shape
    k = len(targets)
    z0 = predict_logits(lmodel, x, targets, average_rc)                  # (B, k)
    s, l, b = _mutants(x)
    delta = np.zeros((k, B, L, 4), dtype=np.float32)
    for i in range(0, s.size, batch_size):
        ss, ll, bb = s[i:i + batch_size], l[i:i + batch_size], b[i:i + batch_size]
        m = x[ss].copy()
        r = np.arange(ss.size)
        m[r, ll, :] = 0.0
        m[r, ll, bb] = 1.0
        z = predict_logits(lmodel, m, targets, average_rc)               # (m, k)
        delta[:, ss, ll, bb] = (z - z0[ss]).T.astype(np.float32)
    return delta, z0.T


def ism_loop(lmodel, x: np.ndarray, targets: Sequence[int], average_rc: bool = True) -> np.ndarray:
    """The same deltas the plain way, one model call per single-base change (for the tests)."""
    x = np.asarray(x, dtype=np.float32)
    B, L, _ = x.shape
    out = np.zeros((len(targets), B, L, 4), dtype=np.float32)
    for i in range(B):
        z0 = predict_logits(lmodel, x[i:i + 1], targets, average_rc)[0]
        for pos in range(L):
            for base in range(4):
                if x[i, pos, base] == 1:
                    continue
                m = x[i:i + 1].copy()
                m[0, pos, :] = 0.0
                m[0, pos, base] = 1.0
                out[:, i, pos, base] = predict_logits(lmodel, m, targets, average_rc)[0] - z0
    return out


# ------------------------------------------------------------------------------------- gradients

def _grad_tensorflow(lmodel, x: np.ndarray, targets: Sequence[int]) -> np.ndarray:
    import tensorflow as tf

    xt = tf.convert_to_tensor(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xt)
        z = lmodel(xt, training=False)
        sums = [tf.reduce_sum(z[:, int(t)]) for t in targets]    # recorded inside the tape
    out = np.stack([np.asarray(tape.gradient(s, xt)) for s in sums])
    del tape
    return out


def _backend_module(name: str):
    """An optional backend's package, imported by name only when it is the backend (the rules'
    environments install TensorFlow; see danqmotifs.model.training.runtime)."""
    from ..model.training.runtime import _module

    return _module(name)


def _grad_jax(lmodel, x: np.ndarray, targets: Sequence[int]) -> np.ndarray:
    jax = _backend_module("jax")
    jnp = _backend_module("jax.numpy")

    tv = [v.value for v in lmodel.trainable_variables]
    ntv = [v.value for v in lmodel.non_trainable_variables]

    def forward(xx):
        z, _ = lmodel.stateless_call(tv, ntv, xx, training=False)
        return z

    z, vjp = jax.vjp(forward, jnp.asarray(x))
    out = []
    for t in targets:
        ct = jnp.zeros_like(z).at[:, int(t)].set(1.0)
        out.append(np.asarray(vjp(ct)[0]))
    return np.stack(out)


def _grad_torch(lmodel, x: np.ndarray, targets: Sequence[int]) -> np.ndarray:
    torch = _backend_module("torch")
    from keras import ops

    xt = ops.convert_to_tensor(x)
    xt.requires_grad_(True)
    z = lmodel(xt, training=False)
    out = [torch.autograd.grad(z[:, int(t)].sum(), xt, retain_graph=True)[0].detach().cpu().numpy()
           for t in targets]
    return np.stack(out)


#: the gradient of the summed logit of each target with respect to the input, per Keras backend
GRADIENTS: dict[str, Callable] = {"tensorflow": _grad_tensorflow, "jax": _grad_jax, "torch": _grad_torch}


def gradient(lmodel, x: np.ndarray, targets: Sequence[int], average_rc: bool = True) -> np.ndarray:
    """(k, B, L, 4) float32 gradient of each target's logit (RC-averaged with ``average_rc``) with
    respect to the one-hot input, on the active Keras backend. Not centred: see :func:`centre`."""
    import keras

    backend = keras.backend.backend()
    if backend not in GRADIENTS:
        raise InputError("attribution.kind", f"no gradient for the Keras backend {backend}",
                         f"use attribution.kind: ism, or one of the backends {', '.join(GRADIENTS)}")
    fn = GRADIENTS[backend]
    x = np.asarray(x, dtype=np.float32)
    g = fn(lmodel, x, targets).astype(np.float64)
    if average_rc:
        g = (g + fn(lmodel, _rc(x), targets)[:, :, ::-1, ::-1]) / 2.0
    return g.astype(np.float32)


def hypothetical(lmodel, x: np.ndarray, targets: Sequence[int], kind: str = "ism", average_rc: bool = True,
                 batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """(hypothetical contributions (k, B, L, 4) float32, mean-centred over the bases; reference
    logits (k, B)) of one batch of one-hot sequences by ``kind`` (:data:`KINDS`)."""
    if kind == "ism":
        d, z0 = ism(lmodel, x, targets, average_rc, batch_size)
    elif kind == "grad":
        d = gradient(lmodel, x, targets, average_rc)
        z0 = predict_logits(lmodel, np.asarray(x, np.float32), targets, average_rc).T
    else:
        raise InputError("attribution.kind", f"unknown attribution kind {kind!r}", f"use one of {', '.join(KINDS)}")
    return centre(d.astype(np.float64)).astype(np.float32), z0


# ------------------------------------------------------------------------------------- targets

def choose_targets(target_names: Sequence[str], requested: Sequence[str], n_best: int,
                   auc_rows: Sequence[dict] | None, where="attribution.targets") -> list[str]:
    """The targets to attribute: ``requested`` (checked against the model's), else the ``n_best``
    targets with the highest test ROC AUC (``auc_rows`` from evaluate's table; NA left out; ties
    in file order)."""
    names = list(target_names)
    if requested:
        missing = [t for t in requested if t not in names]
        if missing:
            shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
            raise InputError(where, f"target(s) {', '.join(missing)} are not the model's (its targets: {shown})",
                             "name targets exactly as in model/targets.txt, or leave the list empty")
        return list(dict.fromkeys(requested))
    if not auc_rows:
        return names[:n_best]
    scored = [(r["roc_auc"], i, r["target"]) for i, r in enumerate(auc_rows)
              if r["target"] in names and np.isfinite(r["roc_auc"])]
    if not scored:
        raise InputError(where, "no target has a test ROC AUC to choose by",
                         "list the targets to attribute in attribution.targets")
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [t for _, _, t in scored[:n_best]]


# ------------------------------------------------------------------------------------- on a split

def attribute_split(model, data_path, out, targets: Sequence[str], kind: str = "ism", n_sequences: int = 1000,
                    seed: int = 1, average_rc: bool = True, batch_size: int = 256, block: int = 32,
                    log: Callable[[str], None] = print) -> dict:
    """Attribute a seeded sample of ``n_sequences`` of the split's sequences positive for any of
    ``targets`` and write them to ``out`` (HDF5, atomically), ``block`` sequences at a time.

    Layout: ``codes`` (n, L) uint8, ``rows`` (n,) the sampled rows of the split, ``labels`` (n, k)
    uint8, ``targets`` (k,) names, ``hypothetical`` (k, n, L, 4) float32 (mean-centred), ``logits``
    (k, n) float32; attributes ``layout``, ``kind``, ``average_rc``, ``seed``, ``split_file``.
    Returns a JSON-able summary (counts, predictions made).
    """
    import h5py

    from ..model.kernels import sample_rows
    from ..model.modelio import check_model_matches
    from ..sources.datafile import DataReader

    if kind not in KINDS:
        raise InputError("attribution.kind", f"unknown attribution kind {kind!r}", f"use one of {', '.join(KINDS)}")
    lm = logit_model(model)
    with DataReader(data_path) as r:
        check_model_matches(model, "", r.length, r.n_targets, data_path)
        rows, info = sample_rows(r, n_sequences, seed, positive_for=list(targets), where="attribution.targets")
        codes, labels = r.read_rows(rows)
        names = r.target_names
    cols = [names.index(t) for t in targets]
    labels = labels[:, cols]
    n, L = codes.shape
    k = len(cols)
    n_pred = 0
    with atomic_output(out) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["layout"] = LAYOUT
            f.attrs["kind"] = kind
            f.attrs["average_rc"] = bool(average_rc)
            f.attrs["seed"] = int(seed)
            f.attrs["split_file"] = Path(data_path).name
            st = h5py.string_dtype("utf-8")
            f.create_dataset("targets", data=np.array(list(targets), dtype=object), dtype=st, track_times=False)
            f.create_dataset("codes", data=codes, track_times=False)
            f.create_dataset("rows", data=rows.astype(np.int64), track_times=False)
            f.create_dataset("labels", data=labels.astype(np.uint8), track_times=False)
            hyp = f.create_dataset("hypothetical", shape=(k, n, L, 4), dtype="f4",
                                   chunks=(1, max(1, min(block, n)), L, 4), track_times=False)
            zs = f.create_dataset("logits", shape=(k, n), dtype="f4", track_times=False)
            every = max(1, math.ceil(n / block) // 10)
            for bi, i in enumerate(range(0, n, block)):
                x = codes_to_onehot(codes[i:i + block])
                h, z0 = hypothetical(lm, x, cols, kind, average_rc, batch_size)
                hyp[:, i:i + x.shape[0]] = h
                zs[:, i:i + x.shape[0]] = z0
                if kind == "ism":
                    n_pred += (int((x == 0).sum()) + x.shape[0]) * (2 if average_rc else 1)
                else:
                    n_pred += x.shape[0] * (2 if average_rc else 1)
                if (bi + 1) % every == 0:
                    log(f"  attribution ({kind}): {i + x.shape[0]:,}/{n:,} sequences")
    return dict(kind=kind, targets=list(targets), n_sequences=int(n), length=int(L), average_rc=bool(average_rc),
                seed=int(seed), sample=info, model_calls_rows=int(n_pred),
                positives_per_target={t: int(labels[:, j].sum()) for j, t in enumerate(targets)})
