"""DanQ's published weights file (Keras 0.2 on Theano) as an equivalent Keras 3 model.

``DanQ_bestmodel.hdf5`` was written by Keras 0.2's ``save_weights`` (docs/design.md section 11):
a root attribute ``nb_layers`` and groups ``layer_0`` ... ``layer_9``, each with an attribute
``nb_params`` and datasets ``param_0`` ... ``param_{n-1}``:

=========  ==============================  ===================================================
group      datasets                        meaning
=========  ==============================  ===================================================
layer_0    param_0 (K, 4, L, 1), param_1   Convolution1D + ReLU, a TRUE convolution (Theano flips
           (K,)                            the taps); input channels A, G, C, T (DeepSEA's order)
layer_1    -                               MaxPooling1D, size = stride (13; not stored)
layer_2    -                               Dropout 0.2
layer_3    24 arrays                       seya Bidirectional LSTM: forward then "backward", each
                                           [W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o,
                                           b_o], W (K, U), U (U, U), b (U,)
layer_4/5  -                               Dropout 0.5, Flatten (time-major)
layer_6    param_0 (P * 2U, D), param_1    Dense, then layer_7 ReLU
layer_8    param_0 (D, T), param_1 (T,)    Dense, then layer_9 sigmoid
=========  ==============================  ===================================================

The Keras 3 model built here computes what the file's model computed, on one-hot input in our
A, C, G, T order: the taps are reversed and the channels reordered into a Conv1D kernel
(correlation orientation; the layer is named ``kernels.CONV_NAME`` so the kernel dump works
unchanged), the LSTM gates are rearranged from i, c, f, o to Keras 3's i, f, c, o, and the
recurrent activation is Keras 0.2's hard sigmoid clip(0.2 x + 0.5, 0, 1) (Keras 3's
``hard_sigmoid`` has slope 1/6). seya's wrapper reversed the "backward" LSTM's input and output
along the BATCH axis (``X[::-1]``, seya issue #32), so that LSTM runs forward in time: the model has
two forward LSTMs with their own weights, concatenated [forward, "backward"] per step.

The file stores no pooling size or input length. The length defaults to DeepSEA's 1000 bp (give the
data's); the pooling size is the one that turns that length into the dense layer's number of steps
(13 for DanQ, 15 for DanQ-JASPAR's sizes), or an error asking for it when none or several do.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.alphabet import DEEPSEA_TO_ACGT
from ..core.errors import InputError, open_hdf5
from .kernels import CONV_NAME

N_LAYERS = 10
#: parameters stored per layer group (the others hold none)
N_PARAMS = {0: 2, 3: 24, 6: 2, 8: 2}
GATES_FILE = ("i", "c", "f", "o")          # Keras 0.2's order of the LSTM arrays
GATES_KERAS3 = ("i", "f", "c", "o")        # Keras 3's order of the columns of kernel/recurrent/bias
DEFAULT_LENGTH = 1000          # DeepSEA's sequences
ACTIVATION_NAME = "hard_sigmoid_keras02"
_FIX = ("give DanQ's published weights file as it was saved by Keras 0.2 (DanQ_bestmodel.hdf5), "
        "or a Keras 3 .keras model")


def hard_sigmoid_keras02(x):
    """Keras 0.2 / Theano hard sigmoid: clip(0.2 x + 0.5, 0, 1) (a Keras 3 activation)."""
    from keras import ops

    return ops.clip(0.2 * x + 0.5, 0.0, 1.0)


def custom_objects() -> dict:
    """Register :func:`hard_sigmoid_keras02` with Keras (once) and return it as ``custom_objects``.

    A saved model built by :func:`build_published_model` loads again only after this call (or with
    ``keras.models.load_model(path, custom_objects=custom_objects())``).
    """
    import keras

    key = f"danqmotifs>{ACTIVATION_NAME}"
    if keras.saving.get_registered_object(key) is None:
        keras.saving.register_keras_serializable(package="danqmotifs", name=ACTIVATION_NAME)(
            hard_sigmoid_keras02)
    return {key: hard_sigmoid_keras02, ACTIVATION_NAME: hard_sigmoid_keras02}


@dataclass
class PublishedWeights:
    """The arrays of a published-layout file, as stored (Theano orientation, A,G,C,T channels).

    ``lstm[d][g]`` is the (W, U, b) triple of direction d (0 forward, 1 "backward") and gate g
    (``GATES_FILE`` order).
    """

    conv_kernel: np.ndarray     # (K, 4, L, 1)
    conv_bias: np.ndarray       # (K,)
    lstm: list                  # [2][4] of (W (K, U), U (U, U), b (U,))
    dense_kernel: np.ndarray    # (P * 2U, D)
    dense_bias: np.ndarray      # (D,)
    out_kernel: np.ndarray      # (D, T)
    out_bias: np.ndarray        # (T,)

    @property
    def kernels(self) -> int:
        return int(self.conv_kernel.shape[0])

    @property
    def kernel_width(self) -> int:
        return int(self.conv_kernel.shape[2])

    @property
    def lstm_units(self) -> int:
        return int(self.lstm[0][0][1].shape[0])

    @property
    def pooled_length(self) -> int:
        return int(self.dense_kernel.shape[0]) // (2 * self.lstm_units)

    def correlation_kernels(self) -> np.ndarray:
        """W (K, L, 4) in correlation orientation, channels A, C, G, T: param_0[k, c, ::-1, 0]."""
        w = self.conv_kernel[:, :, ::-1, 0].transpose(0, 2, 1)      # (K, L, 4) A,G,C,T
        return np.ascontiguousarray(w[:, :, DEEPSEA_TO_ACGT])

    def lstm_arrays(self, direction: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Keras 3 LSTM weights (kernel (K, 4U), recurrent (U, 4U), bias (4U,)) of a direction."""
        by_gate = dict(zip(GATES_FILE, self.lstm[direction]))
        return tuple(np.concatenate([by_gate[g][i] for g in GATES_KERAS3], axis=-1) for i in range(3))

    def arrays(self) -> list[np.ndarray]:
        """All arrays in file order (layer by layer, param_0 first)."""
        flat = [a for direction in self.lstm for gate in direction for a in gate]
        return [self.conv_kernel, self.conv_bias, *flat, self.dense_kernel, self.dense_bias,
                self.out_kernel, self.out_bias]


# ---------------------------------------------------------------------------------------------
# reading and validating


def is_published_danq(path: str | os.PathLike) -> bool:
    """True if ``path`` is an HDF5 file in the Keras 0.2 ``save_weights`` layout (not validated)."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return "nb_layers" in f.attrs and "layer_0" in f and "param_0" in f["layer_0"]
    except (OSError, ValueError):
        return False


def _param(f, path, layer: int, i: int, shape: tuple, what: str) -> np.ndarray:
    """Dataset layer_{layer}/param_{i}, checked against ``shape`` (None: any size on that axis)."""
    name = f"layer_{layer}/param_{i}"
    if name not in f:
        raise InputError(path, f"dataset {name} ({what}) is missing", _FIX)
    a = np.asarray(f[name][()])
    ok = a.ndim == len(shape) and all(s is None or s == n for s, n in zip(shape, a.shape))
    if not ok:
        want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        raise InputError(path, f"dataset {name} ({what}) has shape {a.shape}, expected {want}", _FIX)
    if not np.issubdtype(a.dtype, np.floating) or not np.all(np.isfinite(a)):
        raise InputError(path, f"dataset {name} ({what}) is not finite floating point (dtype {a.dtype})",
                         "use an intact copy of the weights file")
    return a


def read_published_weights(path: str | os.PathLike) -> PublishedWeights:
    """Read and validate a published-layout weights file (shapes checked for consistency, not
    for the paper's sizes, so smaller synthetic files of the same layout are accepted)."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        raise InputError(path, "a Keras 3 .keras model, not the published Keras 0.2 weights file",
                         "load it with danqmotifs.model.modelio.load_any_model")
    f = open_hdf5(path, "published DanQ weights", _FIX)
    with f:
        if "nb_layers" not in f.attrs:
            seen = ", ".join(list(f.keys())[:6]) or "nothing"
            kind = " (a Keras 1/2 HDF5 model?)" if "model_weights" in f or "layer_names" in f.attrs else ""
            raise InputError(path, f"not in the Keras 0.2 save_weights layout: no nb_layers attribute, "
                             f"top level holds {seen}{kind}", _FIX)
        n = int(f.attrs["nb_layers"])
        if n != N_LAYERS:
            raise InputError(path, f"the file has {n} layers, DanQ's layout has {N_LAYERS} "
                             "(conv, pool, dropout, BiLSTM, dropout, flatten, dense, relu, dense, sigmoid)",
                             _FIX)
        for i in range(N_LAYERS):
            g = f"layer_{i}"
            if g not in f:
                raise InputError(path, f"group {g} is missing", _FIX)
            got = int(f[g].attrs.get("nb_params", len(f[g])))
            if got != N_PARAMS.get(i, 0):
                raise InputError(path, f"group {g} holds {got} parameter arrays, DanQ's layout has "
                                 f"{N_PARAMS.get(i, 0)} there (another architecture?)", _FIX)
        conv = _param(f, path, 0, 0, (None, 4, None, 1), "convolution kernels (K, 4, L, 1)")
        K = conv.shape[0]
        conv_b = _param(f, path, 0, 1, (K,), "convolution biases")
        U = _param(f, path, 3, 0, (K, None), "forward LSTM W_i").shape[1]
        lstm, i = [], 0
        for direction in ("forward", "backward"):
            gates = []
            for gate in GATES_FILE:
                gates.append(tuple(_param(f, path, 3, i + j, shape, f"{direction} LSTM {w}_{gate}")
                                   for j, (w, shape) in enumerate((("W", (K, U)), ("U", (U, U)), ("b", (U,))))))
                i += 3
            lstm.append(gates)
        dense = _param(f, path, 6, 0, (None, None), "dense kernel")
        if dense.shape[0] % (2 * U) or dense.shape[0] == 0:
            raise InputError(path, f"dense kernel layer_6/param_0 has {dense.shape[0]} inputs, not a "
                             f"multiple of the BiLSTM's {2 * U} outputs per step", _FIX)
        D = dense.shape[1]
        dense_b = _param(f, path, 6, 1, (D,), "dense bias")
        out = _param(f, path, 8, 0, (D, None), "output kernel")
        out_b = _param(f, path, 8, 1, (out.shape[1],), "output bias")
    return PublishedWeights(conv, conv_b, lstm, dense, dense_b, out, out_b)


def resolve_pool(weights: PublishedWeights, length: int = DEFAULT_LENGTH, pool: int | None = None,
                 where="published model") -> int:
    """The pooling size for inputs of ``length`` bp: ``pool`` if it turns them into the dense
    layer's number of steps P, else an InputError; None: the one size that does (an InputError if
    none or several do)."""
    P, L = weights.pooled_length, weights.kernel_width
    conv = int(length) - L + 1
    fits = [p for p in range(1, max(conv, 0) + 1) if conv // p == P]
    if pool is not None and pool in fits:
        return int(pool)
    if pool is None and len(fits) == 1:
        return fits[0]
    sizes = ", ".join(map(str, fits)) or "none"
    asked = f"pooling of {pool}" if pool is not None else "no pool size given"
    raise InputError(where, f"{length} bp with kernels of {L} and {asked}: the dense layer reads {P} "
                     f"steps, which pool sizes {sizes} give", "give the sequence length and the pool "
                     "size the model was trained with (DanQ: 1000 bp, 13)")


# ---------------------------------------------------------------------------------------------
# the Keras 3 model


def build_published_model(weights: PublishedWeights, length: int = DEFAULT_LENGTH, pool: int | None = None,
                          name: str = "danq_published"):
    """A Keras 3 functional model computing what the file's model computed (see the module doc)."""
    import keras
    from keras import layers

    custom_objects()
    pool = resolve_pool(weights, length, pool)
    K, U = weights.kernels, weights.lstm_units
    D, T = weights.dense_kernel.shape[1], weights.out_kernel.shape[1]
    x_in = keras.Input(shape=(length, 4), name="onehot")
    h = layers.Conv1D(K, weights.kernel_width, padding="valid", activation="relu", name=CONV_NAME)(x_in)
    h = layers.MaxPooling1D(pool_size=pool, strides=pool, name="pool")(h)
    h = layers.Dropout(0.2, name="dropout_conv")(h)
    # seya reversed the "backward" LSTM along the batch axis: both run forward in time
    runs = [layers.LSTM(U, return_sequences=True, recurrent_activation=hard_sigmoid_keras02,
                        name=f"lstm_{d}")(h) for d in ("forward", "backward")]
    h = layers.Concatenate(axis=-1, name="bilstm")(runs)
    h = layers.Dropout(0.5, name="dropout_lstm")(h)
    h = layers.Flatten(name="flatten")(h)
    h = layers.Dense(D, activation="relu", name="dense")(h)
    out = layers.Dense(T, activation="sigmoid", name="output")(h)
    model = keras.Model(x_in, out, name=name)

    corr = weights.correlation_kernels()                                    # (K, L, 4)
    model.get_layer(CONV_NAME).set_weights([corr.transpose(1, 2, 0), weights.conv_bias])
    for d, lname in enumerate(("lstm_forward", "lstm_backward")):
        model.get_layer(lname).set_weights(list(weights.lstm_arrays(d)))
    model.get_layer("dense").set_weights([weights.dense_kernel, weights.dense_bias])
    model.get_layer("output").set_weights([weights.out_kernel, weights.out_bias])
    return model


def load_published_danq(path: str | os.PathLike, length: int = DEFAULT_LENGTH, pool: int | None = None):
    """The published weights file at ``path`` as a Keras 3 model for inputs of ``length`` bp
    (see :func:`build_published_model`; ``pool`` None: inferred, see :func:`resolve_pool`)."""
    weights = read_published_weights(path)
    return build_published_model(weights, length, resolve_pool(weights, length, pool, where=path))
