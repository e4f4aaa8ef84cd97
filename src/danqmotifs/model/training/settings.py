"""The ``train`` section of the config as a dataclass (defaults: the schema's, through
``danqmotifs.core.config_defaults``)."""

from __future__ import annotations

from dataclasses import dataclass

from ...core.config_defaults import defaults

_D = defaults("train")


@dataclass
class TrainSettings:
    """The ``train`` section of the config (defaults: the schema's); each field is documented below."""

    optimizer: str = _D["optimizer"]
    """``rmsprop`` (the paper's) or ``adam``."""
    learning_rate: float = _D["learning_rate"]
    """The optimizer's starting learning rate (the paper used RMSprop's default, 0.001)."""
    batch_size: int = _D["batch_size"]
    """Sequences per batch (the paper: 100)."""
    max_epochs: int = _D["max_epochs"]
    """Epoch cap (the paper: 60)."""
    patience: int = _D["patience"]
    """Epochs without a lower validation loss before training stops."""
    reduce_lr_patience: int = _D["reduce_lr_patience"]
    """Epochs without a lower validation loss before the learning rate is multiplied by
    ``reduce_lr_factor`` (0: a constant rate)."""
    reduce_lr_factor: float = _D["reduce_lr_factor"]
    """Factor of each plateau reduction."""
    min_learning_rate: float = _D["min_learning_rate"]
    """The learning rate is never reduced below this."""
    steps_per_epoch: int = _D["steps_per_epoch"]
    """Batches per epoch; 0: the whole training split."""
    shuffle_window: int = _D["shuffle_window"]
    """Rows are shuffled within windows of this many chunks (whose order is shuffled too)."""
    mixed_precision: bool = _D["mixed_precision"]
    """float16 compute with float32 variables (for GPUs)."""
    jit_compile: bool = _D["jit_compile"]
    """XLA compilation (may speed up GPUs; on CPU only a slow start). On JAX always on."""
    threads: int = _D["threads"]
    """CPU threads of the backend (TensorFlow, PyTorch; JAX picks its own)."""
    backend: str = _D["backend"]
    """The Keras backend: ``tensorflow`` (the default and the tested CPU path), ``jax`` or
    ``torch``. Chosen per process before Keras is imported (the train rule's script sets
    ``KERAS_BACKEND``); equal seeds give equal bytes on one backend, not across backends."""
    input_workers: int = _D["input_workers"]
    """Threads that read and one-hot encode batches ahead of the model (0 or 1: in the training
    loop itself). The batches and their order do not depend on it."""
    gpus: int = _D["gpus"]
    """GPUs the rules ask the scheduler for; several visible GPUs train in parallel."""

    @classmethod
    def from_config(cls, cfg: dict) -> "TrainSettings":
        """The settings of the config's ``train`` section (keys it does not name keep their defaults)."""
        known = {k: cfg[k] for k in cls.__dataclass_fields__ if k in cfg}
        return cls(**known)
