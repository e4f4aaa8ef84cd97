"""Training DanQ: streamed batches, early stopping, epoch checkpoints that resume, determinism.

One module per concern:

* :mod:`.runtime`: the Keras backend (``train.backend``: TensorFlow, JAX or PyTorch), seeds,
  deterministic ops, thread counts, the multi-GPU strategy (also used by evaluation and prediction);
* :mod:`.pipeline`: :class:`~.pipeline.SplitSequence`, batches streamed from a data file, and its
  ``keras.utils.PyDataset`` (the input of every backend);
* :mod:`.checkpoint`: epoch checkpoints, the fingerprint that decides whether one is resumed, the
  dropout seed states;
* :mod:`.fit`: the optimizer, the epoch callback (plateau rule, early stopping) and :func:`train`;
* :mod:`.export`: the canonical ``.keras`` copy of the best model and the history TSV.

The names below are the public surface; everything else is importable from its module.
"""

from .checkpoint import Checkpoint, data_identity, fingerprint
from .export import export, read_history, write_history
from .fit import TrainResult, compile_model, train
from .pipeline import SplitSequence
from .runtime import configure_runtime, distribution_strategy, select_backend, set_threads
from .settings import TrainSettings

__all__ = ["Checkpoint", "SplitSequence", "TrainResult", "TrainSettings", "compile_model",
           "configure_runtime", "data_identity", "distribution_strategy", "export", "fingerprint",
           "read_history", "select_backend", "set_threads", "train", "write_history"]
