"""Runtime setup shared by training, evaluation and prediction: seeds, deterministic ops, threads
and the multi-GPU strategy.

:func:`configure_runtime` seeds every generator, enables TensorFlow's deterministic ops and sets
the thread counts: the same seed gives the same weights on CPU, also across a resume.
"""

from __future__ import annotations

import contextlib

from ..errors import InputError


def set_threads(threads: int) -> list[str]:
    """Set TensorFlow's intra-op (``threads``) and inter-op (at most 2) thread counts.

    Only possible before TensorFlow starts its runtime; if it already has, they are left as they
    are. Returns notes for the log.
    """
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(min(int(threads), 2))
        return [f"TensorFlow threads: {threads} intra-op, {min(int(threads), 2)} inter-op"]
    except RuntimeError:
        return ["TensorFlow was already initialised: thread counts left unchanged"]


def configure_runtime(seed: int, threads: int | None = None, deterministic: bool = True,
                      gpus: int = 0) -> list[str]:
    """Seed Python, NumPy and TensorFlow, enable deterministic ops and set thread counts.

    Call before any model is built. Thread counts can only be set before TensorFlow starts its
    runtime; if it already has, they are left as they are. ``gpus`` > 0 (train.gpus) with no GPU
    visible to TensorFlow (its CPU build, or no driver) is an InputError, not a silent CPU run.
    Returns notes for the log.
    """
    import keras
    import tensorflow as tf

    notes = []
    if threads:
        notes += set_threads(threads)
    if gpus > 0 and not tf.config.list_physical_devices("GPU"):
        raise InputError("train.gpus", f"train.gpus is {gpus} but TensorFlow sees no GPU (the CPU "
                         "build of TensorFlow, no NVIDIA driver, or CUDA_VISIBLE_DEVICES empty)",
                         "run in an environment with the CUDA build (pip install -e '.[gpu]', or "
                         "envs/train_gpu.yaml under conda) on a GPU node, or set train.gpus: 0")
    for gpu in tf.config.list_physical_devices("GPU"):
        with contextlib.suppress(RuntimeError):
            tf.config.experimental.set_memory_growth(gpu, True)
    keras.utils.set_random_seed(int(seed))
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return notes


def distribution_strategy():
    """MirroredStrategy over all visible GPUs when there are several, else None (one device)."""
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return None
