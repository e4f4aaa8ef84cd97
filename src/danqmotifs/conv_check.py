"""Does a model's first Conv1D satisfy the identity the exact motifs rest on?

A kernel W turns into a PWM exactly (docs/design.md) only when the layer computes
``sum_j W[j, x_{i+j}] + bias`` for every window of the one-hot sequence: a Conv1D with valid
padding, stride 1, no dilation and one group, reading the one-hot input itself. Any other layer
in between (a Dense, a Lambda, a normalisation), zero padding at the ends (``padding="same"``),
a stride or a dilation breaks it, and motifs called "exact" would not be.
"""

from __future__ import annotations

import os

from .errors import InputError

#: layers allowed before the first Conv1D: the identity at inference
IDENTITY_AT_INFERENCE = ("InputLayer", "Dropout", "SpatialDropout1D", "GaussianDropout", "GaussianNoise",
                         "AlphaDropout")


def _tuple(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def conv_problems(model) -> list[str]:
    """What breaks the exact identity in ``model``'s first Conv1D (empty when it holds)."""
    import keras

    from .model import _walk_layers, first_conv_layer

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
