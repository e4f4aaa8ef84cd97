"""Synthetic files in the layout of DanQ's published weights (Keras 0.2 ``save_weights``)."""

import h5py
import numpy as np

from danqmotifs.core.errors import atomic_output
from danqmotifs.model.published import GATES_FILE, N_LAYERS, N_PARAMS, PublishedWeights


def write_published_weights(path, weights: PublishedWeights) -> None:
    """Write ``weights`` in the Keras 0.2 ``save_weights`` layout (a synthetic published file)."""
    arrays = iter(weights.arrays())
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as f:
        f.attrs["nb_layers"] = N_LAYERS
        for i in range(N_LAYERS):
            g = f.create_group(f"layer_{i}")
            g.attrs["nb_params"] = N_PARAMS.get(i, 0)
            for j in range(N_PARAMS.get(i, 0)):
                g.create_dataset(f"param_{j}", data=np.asarray(next(arrays), dtype=np.float32),
                                 track_times=False)


def random_published_weights(rng: np.random.Generator, kernels: int = 320, kernel_width: int = 26,
                             lstm_units: int = 320, pooled_length: int = 75, dense_units: int = 925,
                             n_targets: int = 919) -> PublishedWeights:
    """Random weights in the published layout (scaled by 1 / sqrt(fan-in) so that no layer
    saturates); the defaults are the paper's sizes."""
    def r(*shape, fan=None):
        return (rng.standard_normal(shape) / np.sqrt(fan or shape[0])).astype(np.float32)

    K, L, U = kernels, kernel_width, lstm_units
    lstm = [[(r(K, U), r(U, U), r(U, fan=4)) for _ in GATES_FILE] for _ in range(2)]
    return PublishedWeights(r(K, 4, L, 1, fan=L), r(K, fan=4), lstm,
                            r(pooled_length * 2 * U, dense_units), r(dense_units, fan=4),
                            r(dense_units, n_targets), r(n_targets, fan=4))
