"""Reading a Keras model's motif kernels in tests."""

from __future__ import annotations

import numpy as np

from danqmotifs.kernels import kernels_from_layer
from danqmotifs.modelio import first_conv_layer


def kernels(model) -> tuple[np.ndarray, np.ndarray]:
    """The first-layer kernels as W (K, L, 4), correlation orientation (row j faces base i + j),
    and their biases (K,); float64."""
    ks = kernels_from_layer(first_conv_layer(model))
    return ks.W.astype(np.float64), ks.bias.astype(np.float64)
