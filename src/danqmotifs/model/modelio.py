"""Model files and inference: the one place that reads a model or a kernel file and runs a model.

* :func:`load_model` reads a saved Keras 3 model (``.keras``) or DanQ's published Keras 0.2 weights
  (``DanQ_bestmodel.hdf5``, rebuilt by :mod:`danqmotifs.model.published`); :func:`load_any_model` also
  checks that it reads one-hot DNA (:func:`check_dna_model`); :func:`check_exact_conv` refuses a model
  whose first Conv1D breaks the exact identity (a layer before it, padding, stride, dilation).
* :func:`first_conv_layer` finds the motif kernels' layer in any model; :func:`load_model_kernels`
  (a model file) and :func:`kernels_from_file` (an HDF5 file of kernels, either convention) give
  them as a :class:`danqmotifs.model.kernels.KernelSet`.
* The inference core: :func:`model_shape`, :func:`check_model_matches`, :func:`make_predictor`
  (optionally averaged with the reverse complement) and :func:`predict_codes`, used by evaluation,
  prediction and model import.

The modules below it (kernels, published, pwm) never import it; the architecture
(:mod:`danqmotifs.model`), evaluation, prediction and the studies import it. TensorFlow/Keras are
imported inside the functions that need them, so importing this module stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import h5py
import numpy as np

from ..core.alphabet import codes_to_onehot
from ..core.errors import InputError, open_hdf5, require_file
from ..core.pwm import CONVENTIONS, flip_convention
from .kernels import ACTIVATIONS, KernelSet, check_biases, check_kernel_tensor, kernels_from_layer, read_tensor
from .published import DEFAULT_LENGTH, is_published_danq, load_published_danq
from .published import custom_objects as published_objects


# ---------------------------------------------------------------------------------------------
# model files


def load_model(path: str | os.PathLike, compile: bool = False, custom_objects: dict | None = None,
               length: int | None = None, pool: int | None = None):
    """Load a model: a saved Keras 3 model (a ``.keras`` file), or DanQ's published Keras 0.2
    weights file (``DanQ_bestmodel.hdf5``, rebuilt by :mod:`danqmotifs.model.published`). The one loader
    every stage uses.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.
    compile : bool
        Restore the optimizer and compilation too (to resume training); False for inference.
    custom_objects : dict, optional
        Classes and functions the file refers to by name that Keras does not know (the Keras 0.2
        hard sigmoid of an imported published model is always known).
    length, pool : int, optional
        Only for the published weights file, which stores neither: the input length (default
        1000 bp, DeepSEA's) and the pooling size (default: inferred from the length).

    Returns
    -------
    keras.Model

    Raises
    ------
    InputError
        If the file is missing or Keras cannot read it (truncated, foreign or not a model).
    """
    path = Path(path)
    require_file(path, "the model file", "run the train rule first or correct the path")
    if is_published_danq(path):
        return load_published_danq(path, length or DEFAULT_LENGTH, pool)
    import keras

    objects = {**published_objects(), **(custom_objects or {})}
    try:
        return keras.models.load_model(path, compile=compile, custom_objects=objects)
    except Exception as exc:  # keras raises many types for unreadable or foreign files
        msg = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(path, f"not a readable Keras model ({type(exc).__name__}: {msg})",
                         "give a .keras file saved by Keras 3 (model.save('best.keras')) or DanQ's published "
                         "weights (DanQ_bestmodel.hdf5); if it is this workflow's, delete it and rerun "
                         "the train rule (the file may be truncated)") from None


def _walk_layers(layer):
    """Layers depth-first, in order, entering nested models."""
    for sub in getattr(layer, "layers", []) or []:
        yield sub
        yield from _walk_layers(sub)


def first_conv_layer(model, where: str | os.PathLike | None = None):
    """The first ``keras.layers.Conv1D`` of a model, nested models included (the motif kernels).

    Parameters
    ----------
    model : keras.Model
    where : str or os.PathLike, optional
        What to name in the error (the model file); default the model's name.

    Raises
    ------
    InputError
        If the model has no Conv1D layer.
    """
    import keras

    for layer in _walk_layers(model):
        if isinstance(layer, keras.layers.Conv1D):
            return layer
    raise InputError(where if where is not None else f"model {model.name!r}", "the model has no Conv1D layer",
                     "give a model whose first layer scans one-hot DNA with keras.layers.Conv1D")


def check_dna_model(model, where) -> None:
    """InputError unless ``model`` reads (batch, length, 4) one-hot DNA through a Conv1D of 4
    input channels and outputs (batch, targets)."""
    shape = tuple(model.inputs[0].shape) if getattr(model, "inputs", None) else ()
    if len(shape) != 3 or shape[-1] != 4:
        raise InputError(where, f"the model's input has shape {shape}, not (batch, length, 4)",
                         "give a model of one-hot DNA (A, C, G, T in the last axis)")
    if first_conv_layer(model, where).kernel.shape[1] != 4:
        raise InputError(where, "the model has no Conv1D layer reading the 4 DNA channels",
                         "give a model whose first layer scans one-hot DNA with keras.layers.Conv1D")
    if len(model.outputs[0].shape) != 2:
        raise InputError(where, f"the model's output has shape {tuple(model.outputs[0].shape)}, not "
                         "(batch, targets)", "give a model with one output per target")


def load_any_model(path: str | os.PathLike, length: int = DEFAULT_LENGTH, pool: int | None = None):
    """:func:`load_model` (a ``.keras`` file or the published weights), then
    checked to read one-hot DNA through a Conv1D."""
    model = load_model(path, length=length, pool=pool)
    check_dna_model(model, path)
    return model


# ---------------------------------------------------------------------------------------------
# kernels of a model or of a kernel file


def load_model_kernels(path: str | os.PathLike) -> KernelSet:
    """The first Conv1D kernels of a saved Keras model (:func:`load_model`), checked to satisfy the
    exact identity (:func:`check_exact_conv`)."""
    model = load_model(path)
    check_exact_conv(model, path)
    return kernels_from_layer(first_conv_layer(model, path), path)


def read_kernel_file(path, convention: str, kernels: str | None = None, biases: str | None = "biases"
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Kernels (K, L, 4) and their biases from an HDF5 file, in either convention.

    Parameters
    ----------
    path : the HDF5 file.
    convention : ``correlation`` (Keras: row j faces base i + j) or ``convolution`` (Theano, k2p's
        files: rows reversed).
    kernels : dataset of the kernels; None: ``kernels`` in a danqmotifs kernel file, else the first
        3-dimensional dataset.
    biases : dataset of the (K,) biases; None: no biases (zeros, said explicitly by the caller).

    Returns
    -------
    W : (K, L, 4) float64, correlation orientation, channels A, C, G, T.
    b : (K,) float64.
    """
    if convention not in CONVENTIONS:
        raise InputError(path, f"unknown kernel convention {convention!r}", f"use one of {', '.join(CONVENTIONS)}")
    W, name, attrs = read_tensor(path, kernels, "kernels", preferred="kernels")
    W = check_kernel_tensor(W, path).astype(np.float64)
    stated = attrs.get("orientation")
    if stated in CONVENTIONS and stated != convention:
        raise InputError(path, f"the file says its kernels are in {stated} orientation, but "
                         f"{convention} was asked", f"use convention {stated!r}")
    if biases is None:
        b = np.zeros(W.shape[0])
    else:
        with open_hdf5(path, "kernels", "correct the path") as f:
            if biases not in f or not isinstance(f[biases], h5py.Dataset):
                raise InputError(path, f"no dataset {biases!r} with the biases of the kernels in {name!r}",
                                 "name the biases' dataset, or say explicitly that there are none (zero biases)")
            b = f[biases][()]
        b = check_biases(b, W.shape[0], path)
    return flip_convention(W, convention), b


def kernels_from_file(path: str | os.PathLike, convention: str, kernels: str = "",
                      biases: str = "biases") -> KernelSet:
    """Kernels and biases of an HDF5 kernel file (``model.source: kernels``) as a :class:`KernelSet`
    in correlation orientation (:func:`read_kernel_file`).

    ``kernels`` "" picks the dataset ``kernels`` or the file's only 3-dimensional one; ``biases`` ""
    means the file has none (zero biases)."""
    W, b = read_kernel_file(path, convention, kernels or None, biases or None)
    notes = ("the file has no biases: zero biases assumed",) if not biases else ()
    with open_hdf5(path, "kernels", "correct the path") as f:
        act = f.attrs.get("activation", "relu")
    act = act.decode() if isinstance(act, bytes) else str(act)
    if act not in ACTIVATIONS:
        raise InputError(path, f"its 'activation' attribute is {act!r}", f"use one of {', '.join(ACTIVATIONS)}")
    return KernelSet(W.astype(np.float32), b.astype(np.float32), f"{Path(path).name} ({convention})", notes, act)


# ---------------------------------------------------------------------------------------------
# inference


def model_shape(model) -> tuple[int | None, int]:
    """(sequence length, number of targets) the model expects and produces."""
    shape = model.inputs[0].shape
    if len(shape) != 3 or shape[-1] != 4:
        raise ValueError(f"model input shape {tuple(shape)} is not (batch, length, 4)")
    return (None if shape[1] is None else int(shape[1])), int(model.outputs[0].shape[-1])


def check_model_matches(model, model_path, length: int | None, n_targets: int | None, data_path) -> None:
    """InputError if the data's sequence length or number of targets differs from the model's."""
    m_len, m_tgt = model_shape(model)
    if length is not None and m_len is not None and m_len != length:
        raise InputError(data_path, f"sequences are {length} bp but the model {model_path} takes {m_len} bp",
                         "use data of the length the model was trained on (or retrain the model)")
    if n_targets is not None and m_tgt != n_targets:
        raise InputError(data_path, f"the data have {n_targets} targets but the model {model_path} "
                         f"predicts {m_tgt}", "evaluate on data with the model's targets (or retrain)")


def make_predictor(model, average_rc: bool = True) -> Callable[[np.ndarray], np.ndarray]:
    """A function (B, L, 4) one-hot -> (B, T) float32 probabilities; with ``average_rc`` the mean
    of the predictions for each sequence and for its reverse complement."""
    def predict(x: np.ndarray) -> np.ndarray:
        p = np.asarray(model.predict_on_batch(x), dtype=np.float32)
        if average_rc:
            rc = np.ascontiguousarray(x[:, ::-1, ::-1])
            p = (p + np.asarray(model.predict_on_batch(rc), dtype=np.float32)) / 2.0
        return p
    return predict


def predict_codes(predict: Callable[[np.ndarray], np.ndarray], codes: np.ndarray, batch_size: int) -> np.ndarray:
    """Probabilities for (N, L) codes, ``batch_size`` sequences at a time."""
    out = [predict(codes_to_onehot(codes[i:i + batch_size])) for i in range(0, codes.shape[0], batch_size)]
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


# ---------------------------------------------------------------------------------------------
# the exact identity: does the first Conv1D read the one-hot DNA as a valid, stride-1 correlation?

#: layers allowed before the first Conv1D: the identity at inference
IDENTITY_AT_INFERENCE = ("InputLayer", "Dropout", "SpatialDropout1D", "GaussianDropout", "GaussianNoise",
                         "AlphaDropout")


def _tuple(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def conv_problems(model) -> list[str]:
    """What breaks the exact identity in ``model``'s first Conv1D (empty when it holds)."""
    import keras

    layer = first_conv_layer(model)
    problems = []
    for other in _walk_layers(model):
        if other is layer:
            break
        if isinstance(other, keras.Model) or type(other).__name__ in IDENTITY_AT_INFERENCE:
            continue
        problems.append(f"a {type(other).__name__} layer ({other.name!r}) comes before the first Conv1D "
                        f"({layer.name!r}), so the Conv1D does not read the one-hot DNA itself")
    if str(getattr(layer, "padding", "valid")).lower() != "valid":
        problems.append(f"the first Conv1D ({layer.name!r}) has padding={layer.padding!r} (zero rows at the ends)")
    if any(int(s) != 1 for s in _tuple(getattr(layer, "strides", 1))):
        problems.append(f"the first Conv1D ({layer.name!r}) has strides={_tuple(layer.strides)}")
    if any(int(s) != 1 for s in _tuple(getattr(layer, "dilation_rate", 1))):
        problems.append(f"the first Conv1D ({layer.name!r}) is dilated (dilation_rate={_tuple(layer.dilation_rate)})")
    if int(getattr(layer, "groups", 1) or 1) != 1:
        problems.append(f"the first Conv1D ({layer.name!r}) has groups={layer.groups}")
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        problems.append(f"the first Conv1D ({layer.name!r}) has data_format={layer.data_format!r}")
    return problems


def check_exact_conv(model, where: str | os.PathLike) -> None:
    """InputError naming ``where`` (the model file) unless the first Conv1D reads the one-hot input
    directly and is valid, stride-1, undilated and ungrouped (:func:`conv_problems`)."""
    problems = conv_problems(model)
    if problems:
        raise InputError(where, "its kernels cannot be turned into motifs exactly: " + "; ".join(problems),
                         "give a model whose first layer is keras.layers.Conv1D(..., padding='valid', "
                         "strides=1, dilation_rate=1) applied to the one-hot input (A, C, G, T)")
