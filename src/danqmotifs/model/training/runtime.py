"""Runtime setup shared by training, evaluation and prediction: the Keras backend, seeds,
deterministic ops, threads and the multi-GPU distribution.

The model is Keras 3 and runs on TensorFlow (the default and the tested CPU path), JAX or
PyTorch. The backend is chosen once per process, before Keras is imported:
:func:`select_backend` (the config's ``train.backend``, or the ``KERAS_BACKEND`` variable).
:func:`configure_runtime` then seeds every generator, makes the backend's ops deterministic and
sets the thread counts: the same seed gives the same weights on one backend and CPU type, also
across a resume.
"""

from __future__ import annotations

import contextlib
import os
import sys

from ...core.errors import InputError

BACKENDS = ("tensorflow", "jax", "torch")
"""The Keras backends the training runs on (``train.backend``)."""

_MODULE = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
_LABEL = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def select_backend(name: str | None, source: str = "train.backend") -> str:
    """Make ``name`` the Keras backend of this process (sets ``KERAS_BACKEND``); returns it.

    Must run before Keras is first imported. ``None`` or ``""`` keeps ``KERAS_BACKEND`` (default
    ``tensorflow``). An unknown name, a backend whose package is not installed, or a Keras already
    imported with another backend is an :class:`~danqmotifs.core.errors.InputError` naming ``source``
    (where the choice came from).
    """
    import importlib.util

    name = name or os.environ.get("KERAS_BACKEND") or "tensorflow"
    if name not in BACKENDS:
        raise InputError(source, f"unknown Keras backend {name!r}",
                         f"use one of {', '.join(BACKENDS)}")
    if importlib.util.find_spec(_MODULE[name]) is None:
        how = {"tensorflow": "pip install -e '.[cpu]' (or '.[gpu]' on an NVIDIA GPU machine)",
               "jax": "pip install -e '.[jax]'", "torch": "pip install torch"}[name]
        raise InputError(source, f"the Keras backend {name} is chosen but the package "
                         f"{_MODULE[name]} is not installed in this environment",
                         f"install it ({how}) or choose another backend ({source})")
    if "keras" in sys.modules:
        current = active_backend()
        if current != name:
            raise InputError(source, f"Keras was already imported with the {current} "
                             f"backend, {name} is asked for",
                             "choose the backend before Keras is imported (set KERAS_BACKEND)")
    os.environ["KERAS_BACKEND"] = name
    if name == "jax":
        # one process per job: JAX should not reserve 75% of a GPU's memory up front; GPU
        # reductions in a fixed order (both read when JAX starts its GPU client)
        os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
        _deterministic_xla()
    return name


def _module(name: str):
    """The optional backends' packages, imported by name and only when they are the backend: the
    rules' environments install TensorFlow, the default (``.[jax]`` or torch on demand)."""
    import importlib

    return importlib.import_module(name)


def _deterministic_xla() -> None:
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_gpu_deterministic_ops" not in flags:
        os.environ["XLA_FLAGS"] = (flags + " --xla_gpu_deterministic_ops=true").strip()


def active_backend() -> str:
    """The backend Keras runs on in this process."""
    import keras

    return keras.backend.backend()


def set_threads(threads: int) -> list[str]:
    """Set the backend's CPU thread counts (TensorFlow: ``threads`` intra-op and at most 2 inter-op;
    PyTorch: ``threads``; JAX: fixed when it starts, left as it is).

    Only possible before the backend starts its runtime; if it already has, they are left as they
    are. Returns notes for the log.
    """
    backend = active_backend()
    if backend == "tensorflow":
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(int(threads))
            tf.config.threading.set_inter_op_parallelism_threads(min(int(threads), 2))
            return [f"TensorFlow threads: {threads} intra-op, {min(int(threads), 2)} inter-op"]
        except RuntimeError:
            return ["TensorFlow was already initialised: thread counts left unchanged"]
    if backend == "torch":
        _module("torch").set_num_threads(int(threads))
        return [f"PyTorch threads: {threads}"]
    return [f"JAX chooses its own CPU thread count ({threads} asked for)"]


def gpu_count() -> int:
    """GPUs the active backend sees."""
    backend = active_backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return len(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        try:
            return len(_module("jax").devices("gpu"))
        except RuntimeError:                      # no GPU platform in this jaxlib
            return 0
    return _module("torch").cuda.device_count()


def configure_runtime(seed: int, threads: int | None = None, deterministic: bool = True,
                      gpus: int = 0) -> list[str]:
    """Seed Python, NumPy and the backend, make its ops deterministic and set thread counts.

    Call before any model is built (and after :func:`select_backend`, if the backend is chosen in
    code). Thread counts can only be set before the backend starts its runtime; if it already has,
    they are left as they are. ``gpus`` > 0 (train.gpus) with no GPU visible to the backend (a CPU
    build, no driver) is an InputError, not a silent CPU run. Returns notes for the log.
    """
    import keras

    backend = keras.backend.backend()
    if backend == "jax" and deterministic:
        _deterministic_xla()
    notes = [f"Keras backend: {backend}"]
    if threads:
        notes += set_threads(threads)
    if gpus > 0 and gpu_count() == 0:
            raise InputError("train.gpus", f"train.gpus is {gpus} but {_LABEL[backend]} (the Keras backend) "
                         "sees no GPU (a CPU build, no NVIDIA driver, or CUDA_VISIBLE_DEVICES empty)",
                         "run in an environment with a CUDA build (pip install -e '.[gpu]', or "
                         "envs/train_gpu.yaml under conda, for TensorFlow) on a GPU node, or set "
                         "train.gpus: 0")
    if backend == "tensorflow":
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            with contextlib.suppress(RuntimeError):
                tf.config.experimental.set_memory_growth(gpu, True)
    keras.utils.set_random_seed(int(seed))
    if deterministic:
        if backend == "tensorflow":
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()
        elif backend == "torch":
            torch = _module("torch")
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.benchmark = False
    return notes


def distribution_strategy():
    """The TensorFlow MirroredStrategy over all visible GPUs when there are several, else None.

    On JAX several GPUs train data-parallel through ``keras.distribution`` (set here, global);
    PyTorch trains on one device.
    """
    backend = active_backend()
    if backend == "tensorflow":
        import tensorflow as tf

        if len(tf.config.list_logical_devices("GPU")) > 1:
            return tf.distribute.MirroredStrategy()
    elif backend == "jax" and gpu_count() > 1:
        import keras

        keras.distribution.set_distribution(keras.distribution.DataParallel())
    return None


def start_inference(backend: str | None, threads: int | None) -> list[str]:
    """The Keras backend for a prediction job (``train.backend``), chosen before Keras is imported,
    then its runtime: seed 0, deterministic ops, ``threads`` CPU threads (:func:`configure_runtime`)."""
    select_backend(backend)
    return configure_runtime(0, threads)
