"""The DanQ model (Keras 3 on TensorFlow), its presets, and the DanQ-JASPAR kernel initialisation.

DanQ: Conv1D (valid, ReLU or exponential: ``model.conv_activation``) -> MaxPooling1D (size = stride) -> Dropout -> Bidirectional LSTM
(return_sequences) -> Dropout -> Flatten -> Dense + ReLU -> Dense + sigmoid, one output per target.
The model is a plain ``keras.Sequential`` of standard layers, so ``keras.models.load_model(path,
compile=False)`` works anywhere. Its first ``Conv1D`` layer (named ``motif_conv``) holds the motif
kernels with shape (L, 4, K): Keras computes a cross-correlation, so kernel row j faces base i + j of
a window starting at i (the "correlation" orientation, docs/design.md). Saved models are read by
:mod:`danqmotifs.model.modelio` (``load_model``; ``first_conv_layer`` finds that layer in any model and
``danqmotifs.model.kernels.kernels_from_layer`` turns it into W (K, L, 4) and biases).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

from ..core.config_defaults import with_defaults
from ..core.errors import InputError
from ..core.motif import Motif
from .kernels import CONV_NAME
from .modelio import first_conv_layer

@dataclass(frozen=True)
class ModelSpec:
    """Everything that fixes the architecture (and so the number of parameters).

    Parameters
    ----------
    kernels, kernel_width : number and width of the first-layer convolution kernels.
    pool : max-pooling size (and stride).
    lstm_units : LSTM units in each direction.
    dense_units : units of the hidden dense layer.
    dropout_conv, dropout_lstm : dropout rates after the pooling and after the BiLSTM.
    n_targets : outputs (sigmoid).
    length : input sequence length (bp).
    lstm_gates : the LSTM's gate (recurrent) activation: ``sigmoid`` (Keras 3's default, cuDNN's
        fused LSTM on a GPU) or ``hard_sigmoid_keras02`` (Keras 0.2's clip(0.2 x + 0.5, 0, 1), as
        DanQ was trained; Keras 3's own ``hard_sigmoid`` has slope 1/6). Any gate other than
        ``sigmoid`` rules out cuDNN's fused kernel: Keras runs the generic LSTM, one step at a time.
    conv_activation : the first layer's activation: ``relu`` (DanQ) or ``exponential`` (Koo &
        Ploenzke 2021: exp(W x + b), so the layer outputs a likelihood ratio; the kernel is then
        initialised He-normal, as in their code, docs/design.md section 7b). Either way the layer
        stays valid, stride 1, with its bias and without batch normalisation, so the exact identity
        holds unchanged.
    """

    kernels: int
    kernel_width: int
    pool: int
    lstm_units: int
    dense_units: int
    dropout_conv: float = 0.2
    dropout_lstm: float = 0.5
    n_targets: int = 919
    length: int = 1000
    lstm_gates: str = "sigmoid"
    conv_activation: str = "relu"

    @property
    def conv_length(self) -> int:
        return self.length - self.kernel_width + 1

    @property
    def pooled_length(self) -> int:
        return self.conv_length // self.pool

    def check(self, where: str = "model") -> None:
        """Raise InputError if the sequence length cannot hold one kernel and one pooling window."""
        if self.n_targets < 1:
            raise InputError(where, "the data has no targets", "give the data at least one target")
        if self.pooled_length < 1:
            raise InputError(where, f"sequences of {self.length} bp are too short for kernels of width "
                             f"{self.kernel_width} followed by pooling of {self.pool}",
                             f"use sequences of at least {self.kernel_width + self.pool - 1} bp or a "
                             "smaller kernel_width / pool")

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["lstm_gates"] == "sigmoid":     # the default is left out, so older fingerprints still match
            del d["lstm_gates"]
        if d["conv_activation"] == "relu":  # likewise
            del d["conv_activation"]
        return d


#: architecture of each preset (n_targets and length come from the data)
PRESETS: dict[str, dict] = {
    # the DanQ paper: 46,926,479 parameters at 1000 bp and 919 targets
    "danq": dict(kernels=320, kernel_width=26, pool=13, lstm_units=320, dense_units=925,
                 dropout_conv=0.2, dropout_lstm=0.5),
    # DanQ-JASPAR: kernels initialised from JASPAR motifs (see init_kernels_from_motifs)
    "danq_jaspar": dict(kernels=1024, kernel_width=30, pool=15, lstm_units=512, dense_units=925,
                        dropout_conv=0.2, dropout_lstm=0.5),
    # small enough to train on a laptop CPU in minutes (the embedded default)
    "small": dict(kernels=64, kernel_width=20, pool=10, lstm_units=32, dense_units=64,
                  dropout_conv=0.1, dropout_lstm=0.2),
}

#: model-section keys that override a preset's value when set (null, or 0 for the sizes, means
#: "the preset's"; a dropout of 0 is no dropout)
OVERRIDES = ("kernels", "kernel_width", "pool", "lstm_units", "dense_units", "dropout_conv", "dropout_lstm",
             "lstm_gates", "conv_activation")
#: values of ``model.lstm_gates`` (ModelSpec.lstm_gates)
LSTM_GATES = ("sigmoid", "hard_sigmoid_keras02")
#: values of ``model.conv_activation`` (ModelSpec.conv_activation)
CONV_ACTIVATIONS = ("relu", "exponential")


def spec_from_config(model_cfg: dict, length: int, n_targets: int) -> ModelSpec:
    """The ModelSpec of the config's ``model`` section for data of ``length`` bp and ``n_targets``."""
    model_cfg = with_defaults(model_cfg, "model")
    preset = model_cfg["preset"]
    if preset not in PRESETS:
        raise InputError(f"model.preset: {preset}", "unknown preset", f"use one of {', '.join(PRESETS)}")
    arch = dict(PRESETS[preset])
    for key in OVERRIDES:
        value = model_cfg.get(key)
        unset = value is None or value == "" or (not key.startswith("dropout") and value == 0)
        if not unset:
            arch[key] = value
    if arch["lstm_gates"] not in LSTM_GATES:
        raise InputError(f"model.lstm_gates: {arch['lstm_gates']}", "unknown LSTM gate activation",
                         f"use one of {', '.join(LSTM_GATES)}")
    if arch.get("conv_activation", "relu") not in CONV_ACTIVATIONS:
        raise InputError(f"model.conv_activation: {arch['conv_activation']}", "unknown first-layer activation",
                         f"use one of {', '.join(CONV_ACTIVATIONS)}")
    spec = ModelSpec(n_targets=int(n_targets), length=int(length), **arch)
    spec.check(f"model (preset {preset})")
    return spec


def build_model(spec: ModelSpec, mixed_precision: bool = False, name: str = "danq"):
    """A new, uncompiled DanQ ``keras.Sequential`` for ``spec``.

    With ``mixed_precision`` every layer computes in float16 (variables stay float32) except the
    output layer, which stays float32 so the probabilities and the loss are computed in float32.
    """
    import keras
    from keras import layers

    spec.check()
    dt = "mixed_float16" if mixed_precision else "float32"
    gate = "sigmoid"
    if spec.lstm_gates == "hard_sigmoid_keras02":
        from .published import custom_objects, hard_sigmoid_keras02

        custom_objects()                 # registered, so the saved model loads again
        gate = hard_sigmoid_keras02
    drop_seed = _dropout_seeds(keras)
    return keras.Sequential([
        keras.Input(shape=(spec.length, 4), name="onehot"),
        layers.Conv1D(spec.kernels, spec.kernel_width, padding="valid", activation=spec.conv_activation,
                      kernel_initializer=_CONV_INIT[spec.conv_activation], name=CONV_NAME, dtype=dt),
        layers.MaxPooling1D(pool_size=spec.pool, strides=spec.pool, name="pool", dtype=dt),
        layers.Dropout(spec.dropout_conv, name="dropout_conv", dtype=dt, seed=next(drop_seed)),
        layers.Bidirectional(layers.LSTM(spec.lstm_units, return_sequences=True, recurrent_activation=gate,
                                         dtype=dt),
                             name="bilstm", dtype=dt),
        layers.Dropout(spec.dropout_lstm, name="dropout_lstm", dtype=dt, seed=next(drop_seed)),
        layers.Flatten(name="flatten", dtype=dt),
        layers.Dense(spec.dense_units, activation="relu", name="dense", dtype=dt),
        layers.Dense(spec.n_targets, activation="sigmoid", name="output", dtype="float32"),
    ], name=name)


#: the first layer's kernel initialiser per activation: Keras's default for ReLU (as before);
#: He normal for the exponential layer (Koo & Ploenzke's conv layers use he_normal)
_CONV_INIT = {"relu": "glorot_uniform", "exponential": "he_normal"}


def _dropout_seeds(keras):
    """Seeds for the Dropout layers: None on TensorFlow and JAX (an unseeded layer draws its masks
    from its own seed generator there, seeded from Python's generator); explicit seeds drawn from
    Python's generator on PyTorch, where Keras gives an unseeded layer torch's global generator
    instead. A layer's own generator is what a checkpoint keeps (``seed_states``), so only then
    does a resumed PyTorch run repeat an uninterrupted one."""
    import random

    while True:
        yield random.randint(1, 2**31 - 1) if keras.backend.backend() == "torch" else None


def count_params(spec: ModelSpec) -> int:
    """Number of parameters of ``spec``, by formula (no model is built)."""
    conv = spec.kernels * spec.kernel_width * 4 + spec.kernels
    lstm = 2 * 4 * (spec.lstm_units * (spec.kernels + spec.lstm_units) + spec.lstm_units)
    dense = spec.pooled_length * 2 * spec.lstm_units * spec.dense_units + spec.dense_units
    out = spec.dense_units * spec.n_targets + spec.n_targets
    return conv + lstm + dense + out


def init_kernels_from_motifs(model, motifs: Sequence[Motif], rng: np.random.Generator,
                             margin: int = 3, bias_range: tuple[float, float] = (-1.0, 0.0)) -> list[dict]:
    """DanQ-JASPAR initialisation, in place: kernel i gets ``motifs[i].pwm - 0.25``.

    Each motif (rows A,C,G,T) is written into rows ``o .. o + w - 1`` of its kernel at a random
    offset ``o`` leaving at least ``margin`` rows on either side; the other rows keep their random
    initialisation and the kernel's bias is drawn from U(bias_range). The motif is NOT reversed:
    Keras correlates, so kernel row ``o + j`` meets base ``j`` of a matching site. A motif wider
    than ``kernel_width - 2 * margin`` is cut to its most informative window of that width.
    Returns one record per initialised kernel (kernel, motif id, offset, columns used).
    """
    layer = first_conv_layer(model)
    w = layer.kernel.numpy()                         # (L, 4, K)
    bias = layer.bias.numpy()
    L, _, K = w.shape
    if len(motifs) > K:
        raise InputError(f"{len(motifs)} initial motifs", f"more motifs than the {K} kernels",
                         "use more kernels or fewer motifs")
    room = L - 2 * margin
    if room < 1:
        raise InputError(f"kernel_width {L}", f"no room for a motif with a margin of {margin}",
                         "use wider kernels")
    placed = []
    for i, m in enumerate(motifs):
        pwm = np.asarray(m.pwm, dtype=np.float64)
        start = 0
        if pwm.shape[0] > room:
            start = _most_informative_window(pwm, room)
            pwm = pwm[start:start + room]
        width = pwm.shape[0]
        off = int(rng.integers(margin, L - margin - width + 1))
        w[off:off + width, :, i] = (pwm - 0.25).astype(w.dtype)
        bias[i] = rng.uniform(*bias_range)
        placed.append(dict(kernel=i, motif=m.id, name=m.name, offset=off, motif_start=start, width=width))
    layer.kernel.assign(w)
    layer.bias.assign(bias)
    return placed


def _most_informative_window(pwm: np.ndarray, width: int) -> int:
    """Start of the ``width``-row window of ``pwm`` with the most information content."""
    p = np.clip(pwm, 1e-9, 1.0)
    ic = 2.0 + (p * np.log2(p)).sum(axis=1)
    sums = np.convolve(ic, np.ones(width), mode="valid")
    return int(np.argmax(sums))
