"""Reading a Keras model's motif kernels in tests."""

from __future__ import annotations

import numpy as np

from danqmotifs.model.kernels import kernels_from_layer
from danqmotifs.model.modelio import first_conv_layer


def kernels(model) -> tuple[np.ndarray, np.ndarray]:
    """The first-layer kernels as W (K, L, 4), correlation orientation (row j faces base i + j),
    and their biases (K,); float64."""
    ks = kernels_from_layer(first_conv_layer(model))
    return ks.W.astype(np.float64), ks.bias.astype(np.float64)


def sharp_danq(spec, keras_seed: int, rng: np.random.Generator, dead: int):
    """A new DanQ for ``spec`` (``keras.utils.set_random_seed(keras_seed)`` first) whose first-layer
    kernels are redrawn sharper (normal, sd 0.6) with biases of sd 0.3 from ``rng``, and kernel
    ``dead`` never activated (bias -100). Returns the model and its first Conv1D layer."""
    import keras

    from danqmotifs.model import build_model

    keras.utils.set_random_seed(keras_seed)
    model = build_model(spec)
    conv = first_conv_layer(model)
    conv.kernel.assign(rng.normal(0, 0.6, size=conv.kernel.shape).astype("float32"))
    bias = rng.normal(0, 0.3, size=spec.kernels)
    bias[dead] = -100.0
    conv.bias.assign(bias.astype("float32"))
    return model, conv
