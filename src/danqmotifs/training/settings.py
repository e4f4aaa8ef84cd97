"""The ``train`` section of the config as a dataclass."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TrainSettings:
    """The ``train`` section of the config (defaults: config.yaml's); each field is documented below."""

    optimizer: str = "adam"
    """``rmsprop`` (the paper's) or ``adam``."""
    learning_rate: float = 0.001
    """The optimizer's starting learning rate (the paper used RMSprop's default, 0.001)."""
    batch_size: int = 100
    """Sequences per batch (the paper: 100)."""
    max_epochs: int = 40
    """Epoch cap (the paper: 60)."""
    patience: int = 6
    """Epochs without a lower validation loss before training stops."""
    reduce_lr_patience: int = 3
    """Epochs without a lower validation loss before the learning rate is multiplied by
    ``reduce_lr_factor`` (0: a constant rate)."""
    reduce_lr_factor: float = 0.2
    """Factor of each plateau reduction."""
    min_learning_rate: float = 1e-5
    """The learning rate is never reduced below this."""
    steps_per_epoch: int = 0
    """Batches per epoch; 0: the whole training split."""
    shuffle_window: int = 8
    """Rows are shuffled within windows of this many chunks (whose order is shuffled too)."""
    mixed_precision: bool = False
    """float16 compute with float32 variables (for GPUs)."""
    jit_compile: bool = False
    """XLA compilation (may speed up GPUs; on CPU only a slow start). On JAX always on."""
    threads: int = 2
    """CPU threads of the backend (TensorFlow, PyTorch; JAX picks its own)."""
    backend: str = "tensorflow"
    """The Keras backend: ``tensorflow`` (the default and the tested CPU path), ``jax`` or
    ``torch``. Chosen per process before Keras is imported (the train rule's script sets
    ``KERAS_BACKEND``); equal seeds give equal bytes on one backend, not across backends."""
    input_workers: int = 2
    """Threads that read and one-hot encode batches ahead of the model (0 or 1: in the training
    loop itself). The batches and their order do not depend on it."""
    gpus: int = 0
    """GPUs the rules ask the scheduler for; several visible GPUs train in parallel."""

    @classmethod
    def from_config(cls, cfg: dict) -> "TrainSettings":
        """The settings of the config's ``train`` section (keys it does not name keep their defaults)."""
        known = {k: cfg[k] for k in cls.__dataclass_fields__ if k in cfg}
        return cls(**known)
