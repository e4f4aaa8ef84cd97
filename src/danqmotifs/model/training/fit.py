"""The fit loop: optimizer and compilation, the epoch callback (progress, plateau rule, early
stopping, checkpoint) and :func:`train`, which starts or resumes a run."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ...core.config_defaults import with_defaults
from ...core.errors import InputError
from ...core.motif import Motif
from ...sources.datafile import DataReader
from ..danq import ModelSpec, build_model, init_kernels_from_motifs, spec_from_config
from ..modelio import load_model
from .checkpoint import Checkpoint, data_identity, fingerprint, restore_seed_states, seed_states
from .pipeline import SplitSequence
from .runtime import distribution_strategy
from .settings import TrainSettings


def make_optimizer(name: str, learning_rate: float, mixed_precision: bool = False):
    """RMSprop (the paper's) or Adam, wrapped for loss scaling under mixed precision."""
    import keras

    makers = {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}
    if name not in makers:
        raise InputError(f"train.optimizer: {name}", "unknown optimizer", "use rmsprop or adam")
    opt = makers[name](learning_rate=learning_rate)
    if mixed_precision:
        opt = keras.optimizers.LossScaleOptimizer(opt)
    return opt


def compile_model(model, settings: TrainSettings, jit_compile: bool | None = None) -> None:
    """Binary cross-entropy, the configured optimizer, and mean per-target ROC AUC as a metric.
    XLA compilation (TensorFlow; ``torch.compile`` on PyTorch) only when asked for: on CPU it costs
    a long start and brings nothing. On JAX the train step is always compiled (``jax.jit``): JAX
    without it runs op by op, a debugging mode many times slower. ``jit_compile`` (True or False)
    overrides both (the benchmarks measure each)."""
    import keras

    n_targets = model.outputs[0].shape[-1]
    jit = bool(settings.jit_compile) or keras.backend.backend() == "jax"
    if jit_compile is not None:
        jit = bool(jit_compile)
    model.compile(optimizer=make_optimizer(settings.optimizer, settings.learning_rate,
                                           settings.mixed_precision),
                  loss="binary_crossentropy",
                  metrics=[keras.metrics.AUC(multi_label=True, num_labels=n_targets, name="auc")],
                  jit_compile=jit)


def _reduced_lr(lr: float, state: dict, settings: TrainSettings) -> float | None:
    """The next learning rate when the plateau rule fires (``reduce_lr_patience`` epochs in a row
    without a lower validation loss; 0 turns it off), else None. Never below ``min_learning_rate``."""
    if settings.reduce_lr_patience <= 0 or state["lr_wait"] < settings.reduce_lr_patience:
        return None
    new = max(lr * settings.reduce_lr_factor, settings.min_learning_rate)
    return new if new < lr * (1 - 1e-6) else None


def _epoch_callback(dataset: SplitSequence, ckpt: Checkpoint, state: dict, settings: TrainSettings,
                    log: Callable[[str], None]):
    import keras

    class _EpochEnd(keras.callbacks.Callback):
        """Reports progress, early-stops and checkpoints (the data order of each epoch is fixed by
        the stream itself: :meth:`SplitSequence.keras_dataset`)."""

        def on_epoch_begin(self, epoch, logs=None):
            self._t0 = self._tb = time.perf_counter()
            self._every = max(1, len(dataset) // 10)

        def on_train_batch_end(self, batch, logs=None):
            if (batch + 1) % self._every == 0 and batch + 1 < len(dataset):
                dt = time.perf_counter() - self._t0
                seen = (batch + 1) * dataset.batch_size
                log(f"  epoch {self._epoch_no()} batch {batch + 1}/{len(dataset)}  "
                    f"loss {logs.get('loss', float('nan')):.4f}  {seen / max(dt, 1e-9):.0f} seq/s")

        def _epoch_no(self):
            return state["epochs_done"] + 1

        def on_epoch_end(self, epoch, logs=None):
            logs = dict(logs or {})
            dt = time.perf_counter() - self._t0
            lr = float(np.asarray(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))
            row = {"epoch": epoch + 1, "learning_rate": lr}
            for k in ("loss", "auc", "val_loss", "val_auc"):
                row[k] = float(logs.get(k, float("nan")))
            state["history"].append(row)
            state["epochs_done"] = epoch + 1
            val = row["val_loss"]
            improved = bool(np.isfinite(val) and val < state["best_val_loss"])
            if improved:
                state["best_val_loss"], state["best_epoch"], state["wait"] = val, epoch + 1, 0
                state["lr_wait"] = 0
            else:
                state["wait"] += 1
                state["lr_wait"] += 1
            new_lr = _reduced_lr(lr, state, settings)
            if new_lr is not None:
                # as keras.callbacks.ReduceLROnPlateau; set before the checkpoint so a resumed run
                # continues at the reduced rate
                self.model.optimizer.learning_rate = new_lr
                state["lr_wait"] = 0
            # as keras.callbacks.EarlyStopping: stop once `patience` epochs in a row did not improve
            stop = not improved and state["wait"] >= settings.patience
            state["stopped"] = bool(stop)       # early-stopped (reaching max_epochs is not recorded)
            state["seed_states"] = seed_states(self.model)
            ckpt.save(self.model, state, improved)
            log(f"epoch {epoch + 1}/{settings.max_epochs}: loss {row['loss']:.4f} auc {row['auc']:.4f} "
                f"val_loss {val:.4f} val_auc {row['val_auc']:.4f}"
                f"{'  (best so far)' if improved else ''}  {dt:.1f} s, "
                f"{dataset.steps * dataset.batch_size / max(dt, 1e-9):.0f} seq/s")
            if new_lr is not None and not stop:
                log(f"validation loss flat for {settings.reduce_lr_patience} epochs: learning rate "
                    f"{lr:.3g} -> {new_lr:.3g}")
            if stop:
                log(f"early stopping: validation loss has not improved for {state['wait']} epochs "
                    f"(best {state['best_val_loss']:.4f} at epoch {state['best_epoch']})")
            if stop:
                self.model.stop_training = True

    return _EpochEnd()


@dataclass
class TrainResult:
    best_model: Path              # inside the checkpoint directory until exported
    history: list[dict]
    best_epoch: int
    best_val_loss: float
    resumed_from: int             # epochs already done when this run started (0: fresh)
    spec: ModelSpec
    target_names: list[str]
    init_records: list[dict] = field(default_factory=list)


def train(train_path, valid_path, checkpoint_dir, model_cfg: dict, settings: TrainSettings, seed: int,
          init_motifs: Sequence[Motif] | None = None, log: Callable[[str], None] = print) -> TrainResult:
    """Train (or resume training) a DanQ on ``train_path``, validating on ``valid_path``.

    The model follows ``model_cfg`` (the config's ``model`` section), sized to the data. With
    ``init_motifs`` its first kernels are initialised from them (DanQ-JASPAR). Call
    :func:`~danqmotifs.model.training.runtime.configure_runtime` first. The best model stays in ``checkpoint_dir`` until
    :func:`~danqmotifs.model.training.export.export` copies it out.
    """
    model_cfg = with_defaults(model_cfg, "model")
    with DataReader(train_path) as tr, DataReader(valid_path) as va:
        length, n_targets, names = tr.length, tr.n_targets, tr.target_names
        if (va.length, va.n_targets) != (length, n_targets):
            raise InputError(valid_path, f"validation data are {va.length} bp x {va.n_targets} targets "
                             f"but training data {length} bp x {n_targets} targets",
                             "produce both splits with the same data stage run")
        if tr.n == 0 or va.n == 0:
            empty = train_path if tr.n == 0 else valid_path
            raise InputError(empty, "the split holds no sequences",
                             "rerun the data stage with a non-empty split")
    spec = spec_from_config(model_cfg, length, n_targets)
    extra = {"init": [m.id for m in init_motifs] if init_motifs else [],
             "init_margin": model_cfg["jaspar_margin"]}
    fp = fingerprint(spec, settings, seed, dict(train=data_identity(train_path),
                                                 valid=data_identity(valid_path)), extra)
    ckpt = Checkpoint(checkpoint_dir, fp)
    state, note = ckpt.load()
    log(note)

    strategy = distribution_strategy()
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    init_records: list[dict] = []
    with scope:
        model = None
        if state is not None:
            try:
                model = load_model(ckpt.dir / state["last_model"], compile=True)
                restore_seed_states(model, state.get("seed_states", {}))
            except Exception as exc:  # a damaged file: start over rather than fail
                log(f"checkpoint model {state['last_model']} cannot be loaded ({exc}): "
                    "training starts from scratch")
                state, model = None, None
        if model is None:
            ckpt.clear()
            model = build_model(spec, mixed_precision=settings.mixed_precision)
            if init_motifs:
                rng = np.random.default_rng([seed, 7])
                init_records = init_kernels_from_motifs(model, init_motifs, rng,
                                                        margin=model_cfg["jaspar_margin"])
                log(f"initialised {len(init_records)} of {spec.kernels} kernels from motifs")
            compile_model(model, settings)
            state = dict(epochs_done=0, best_val_loss=float("inf"), best_epoch=0, wait=0, lr_wait=0,
                         stopped=False, history=[])
    resumed_from = state["epochs_done"]
    log(f"model: {model.count_params():,} parameters; data: {length} bp, {n_targets} targets")

    if not state["stopped"] and state["epochs_done"] < settings.max_epochs:
        train_ds = SplitSequence(train_path, settings.batch_size, shuffle=True, seed=seed,
                                 window_chunks=settings.shuffle_window, steps=settings.steps_per_epoch)
        valid_ds = SplitSequence(valid_path, settings.batch_size, shuffle=False)
        try:
            cb = _epoch_callback(train_ds, ckpt, state, settings, log)
            # one stream over the epochs: position k is batch k % steps of epoch first + k // steps
            stream = train_ds.keras_dataset(first_epoch=state["epochs_done"], workers=settings.input_workers)
            model.fit(stream, steps_per_epoch=len(train_ds),
                      validation_data=valid_ds.keras_dataset(endless=False, workers=settings.input_workers),
                      epochs=settings.max_epochs, initial_epoch=state["epochs_done"], callbacks=[cb],
                      shuffle=False, verbose=0)
        finally:
            train_ds.close()
            valid_ds.close()
    if state["best_epoch"] == 0:
        raise InputError(valid_path, "the validation loss was never finite (training diverged)",
                         "lower train.learning_rate or check the data")
    return TrainResult(ckpt.dir / state["best_model"], state["history"], state["best_epoch"],
                       state["best_val_loss"], resumed_from, spec, names, init_records)
