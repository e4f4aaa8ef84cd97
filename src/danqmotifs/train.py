"""Training DanQ: streamed batches, early stopping, epoch checkpoints that resume, determinism.

* Batches stream from a data file (:class:`SplitSequence`, fed to Keras as a ``tf.data`` generator
  pipeline): sequences are stored as base codes, cross into TensorFlow as uint8 and become one-hot
  there; memory does not grow with N.
  Shuffling is by blocks: every epoch the order of the file's row chunks is permuted (seeded by
  seed and epoch), and rows are permuted within windows of a few chunks; each window is read once,
  as contiguous slices.
* After every epoch the model (optimizer state included), the best model so far and a small JSON
  state are written to a checkpoint directory, each file atomically and the state last. Training
  run again with the same configuration continues after the last finished epoch; a checkpoint of
  another configuration or data is ignored (and said so).
* :func:`configure_runtime` seeds every generator, enables TensorFlow's deterministic ops and sets
  the thread counts: the same seed gives the same weights on CPU, also across a resume.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .alphabet import codes_to_onehot
from .datafile import CHUNK_ROWS, DataReader
from .errors import InputError, atomic_output
from .model import ModelSpec, build_model, init_kernels_from_motifs, spec_from_config
from .motif import Motif

HISTORY_COLUMNS = ("epoch", "loss", "auc", "val_loss", "val_auc", "learning_rate")
STATE_FILE = "state.json"


@dataclass
class TrainSettings:
    """The ``train`` section of the config (see config.yaml for the meaning of each key)."""

    optimizer: str = "adam"
    learning_rate: float = 0.003
    batch_size: int = 100
    max_epochs: int = 30
    patience: int = 6
    reduce_lr_patience: int = 3
    reduce_lr_factor: float = 0.2
    min_learning_rate: float = 1e-5
    steps_per_epoch: int = 0
    shuffle_window: int = 8
    mixed_precision: bool = False
    jit_compile: bool = False
    threads: int = 2
    gpus: int = 0

    @classmethod
    def from_config(cls, cfg: dict) -> "TrainSettings":
        known = {k: cfg[k] for k in cls.__dataclass_fields__ if k in cfg}
        return cls(**known)


# ----------------------------------------------------------------------------------------- runtime

def configure_runtime(seed: int, threads: int | None = None, deterministic: bool = True) -> list[str]:
    """Seed Python, NumPy and TensorFlow, enable deterministic ops and set thread counts.

    Call before any model is built. Thread counts can only be set before TensorFlow starts its
    runtime; if it already has, they are left as they are. Returns notes for the log.
    """
    import keras
    import tensorflow as tf

    notes = []
    if threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(int(threads))
            tf.config.threading.set_inter_op_parallelism_threads(min(int(threads), 2))
            notes.append(f"TensorFlow threads: {threads} intra-op, {min(int(threads), 2)} inter-op")
        except RuntimeError:
            notes.append("TensorFlow was already initialised: thread counts left unchanged")
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


# ----------------------------------------------------------------------------------------- data

class SplitSequence:
    """Batches (one-hot float32 (B, L, 4), targets float32 (B, T)) streamed from a data file.

    Index it for NumPy batches, or train on :meth:`tf_dataset`, which yields the same batches.

    Parameters
    ----------
    path : a data file (``danqmotifs.datafile`` layout).
    batch_size : sequences per batch (the last batch of an epoch may be smaller).
    shuffle : permute rows every epoch (block-wise, see the module docstring); else file order.
    seed : the shuffle seed; epoch ``e``'s order depends only on (seed, e).
    window_chunks : rows are permuted within windows of this many chunks of ``chunk_rows`` rows.
    steps : batches per epoch (0: the whole file).
    """

    def __init__(self, path, batch_size: int, shuffle: bool = False, seed: int = 0,
                 window_chunks: int = 8, chunk_rows: int = CHUNK_ROWS, steps: int = 0):
        import threading

        self.path = Path(path)
        self.reader = DataReader(path)
        if self.reader.n == 0:
            self.reader.close()
            raise InputError(self.path, "the split holds no sequences", "rerun the data stage with a "
                             "non-empty split (check the n_* or fraction settings)")
        self.n, self.length, self.n_targets = self.reader.n, self.reader.length, self.reader.n_targets
        self.batch_size = int(batch_size)
        self.shuffle, self.seed = shuffle, int(seed)
        self.chunk_rows = int(chunk_rows)
        self.window_chunks = max(1, int(window_chunks))
        full = math.ceil(self.n / self.batch_size)
        self.steps = min(int(steps), full) if steps else full
        self.epoch = 0
        self._lock = threading.Lock()
        self._layouts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._windows: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return self.steps

    def close(self) -> None:
        self.reader.close()

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    # -- shuffled layout of an epoch: chunk order and where each window starts in it
    def _layout(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        lay = self._layouts.get(epoch)
        if lay is None:
            n_chunks = math.ceil(self.n / self.chunk_rows)
            order = np.random.default_rng([self.seed, epoch]).permutation(n_chunks)
            sizes = np.minimum(self.chunk_rows, self.n - order * self.chunk_rows)
            starts = np.concatenate([[0], np.cumsum(sizes)])[::self.window_chunks]
            if starts[-1] != self.n:
                starts = np.append(starts, self.n)
            lay = (order, starts)
            self._layouts = {epoch: lay}
        return lay

    def _window(self, epoch: int, w: int) -> tuple[np.ndarray, np.ndarray]:
        key = (epoch, w)
        data = self._windows.get(key)
        if data is None:
            order, _ = self._layout(epoch)
            xs, ys = [], []
            for c in order[w * self.window_chunks:(w + 1) * self.window_chunks]:
                s = int(c) * self.chunk_rows
                x, y = self.reader.read(s, min(s + self.chunk_rows, self.n))
                xs.append(x)
                ys.append(y)
            x, y = np.concatenate(xs), np.concatenate(ys)
            perm = np.random.default_rng([self.seed, epoch, w]).permutation(x.shape[0])
            data = (x[perm], y[perm])
            if len(self._windows) > 3:
                self._windows.pop(next(iter(self._windows)))
            self._windows[key] = data
        return data

    def batch_codes(self, index: int, epoch: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Codes (B, L) uint8 and targets (B, T) uint8 of batch ``index`` of ``epoch``."""
        if not 0 <= index < self.steps:
            raise IndexError(index)
        lo = index * self.batch_size
        hi = min(lo + self.batch_size, self.n)
        with self._lock:
            if not self.shuffle:
                return self.reader.read(lo, hi)
            epoch = self.epoch if epoch is None else epoch
            _, starts = self._layout(epoch)
            first = int(np.searchsorted(starts, lo, side="right")) - 1
            xs, ys = [], []
            w = first
            while w < len(starts) - 1 and starts[w] < hi:
                x, y = self._window(epoch, w)
                a, b = max(lo, starts[w]) - starts[w], min(hi, starts[w + 1]) - starts[w]
                xs.append(x[a:b])
                ys.append(y[a:b])
                w += 1
            return np.concatenate(xs), np.concatenate(ys)

    def __getitem__(self, index: int):
        codes, y = self.batch_codes(index)
        return codes_to_onehot(codes), y.astype(np.float32)

    def tf_dataset(self, prefetch: int = 2):
        """The batches of the current epoch (:meth:`set_epoch`) as a ``tf.data.Dataset``: a
        generator hands over uint8 codes and targets, one-hot encoding happens in TensorFlow, and
        ``prefetch`` batches are prepared while the model trains. Each new iteration (Keras starts
        one per epoch) reads the epoch set at that moment."""
        import tensorflow as tf

        def batches():
            epoch = self.epoch
            for b in range(self.steps):
                yield self.batch_codes(b, epoch)

        def onehot(codes, y):
            # code 4 (N) is out of range for depth 4: tf.one_hot gives it an all-zero row
            return tf.one_hot(tf.cast(codes, tf.int32), 4, dtype=tf.float32), tf.cast(y, tf.float32)

        sig = (tf.TensorSpec((None, self.length), tf.uint8), tf.TensorSpec((None, self.n_targets), tf.uint8))
        ds = tf.data.Dataset.from_generator(batches, output_signature=sig)
        # a known length: Keras then counts exactly `steps` steps per epoch
        ds = ds.apply(tf.data.experimental.assert_cardinality(self.steps)).map(onehot).prefetch(prefetch)
        opts = tf.data.Options()
        opts.autotune.enabled = False            # fixed buffers: no background tuning threads
        opts.deterministic = True
        return ds.with_options(opts)


# ----------------------------------------------------------------------------------------- model

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


def compile_model(model, settings: TrainSettings) -> None:
    """Binary cross-entropy, the configured optimizer, and mean per-target ROC AUC as a metric.
    XLA compilation only when asked for: on CPU it costs a long start and brings nothing."""
    import keras

    n_targets = model.outputs[0].shape[-1]
    model.compile(optimizer=make_optimizer(settings.optimizer, settings.learning_rate,
                                           settings.mixed_precision),
                  loss="binary_crossentropy",
                  metrics=[keras.metrics.AUC(multi_label=True, num_labels=n_targets, name="auc")],
                  jit_compile=settings.jit_compile)


def _seed_states(model) -> dict[str, list[int]]:
    """States of the layers' random seed generators (dropout); the model file does not keep them."""
    out = {}
    for layer in model._flatten_layers(include_self=False, recursive=True):
        gen = getattr(layer, "seed_generator", None)
        if gen is not None:
            out[layer.name] = [int(v) for v in np.asarray(gen.state.numpy()).ravel()]
    return out


def _restore_seed_states(model, states: dict[str, list[int]]) -> None:
    for layer in model._flatten_layers(include_self=False, recursive=True):
        gen = getattr(layer, "seed_generator", None)
        if gen is not None and layer.name in states:
            current = np.asarray(gen.state.numpy())
            gen.state.assign(np.asarray(states[layer.name]).astype(current.dtype).reshape(current.shape))


# ----------------------------------------------------------------------------------------- checkpoint

def data_identity(path) -> dict:
    """What identifies a data file for resuming: shape, targets, size and modification time."""
    p = Path(path)
    st = p.stat()
    with DataReader(p) as r:
        names = hashlib.sha256("\n".join(r.target_names).encode()).hexdigest()[:16]
        return dict(n=r.n, length=r.length, n_targets=r.n_targets, target_names=names,
                    size=st.st_size, mtime_ns=st.st_mtime_ns)


def fingerprint(spec: ModelSpec, settings: TrainSettings, seed: int, data: dict, extra: dict | None = None) -> str:
    """Hash of everything a checkpoint must share with the current run to be resumed."""
    keep = {k: v for k, v in asdict(settings).items()
            if k not in ("max_epochs", "patience", "threads", "gpus", "jit_compile")}
    blob = json.dumps(dict(spec=spec.to_dict(), train=keep, seed=seed, data=data, extra=extra or {}),
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class Checkpoint:
    """Epoch checkpoints in one directory: ``epoch-NNNN.keras`` (last model, optimizer included),
    ``best-NNNN.keras`` (best by validation loss) and ``state.json`` (written last)."""

    def __init__(self, directory, fp: str):
        self.dir = Path(directory)
        self.fp = fp

    def load(self) -> tuple[dict | None, str]:
        """(state, note): the state to resume from, or None with the reason."""
        sf = self.dir / STATE_FILE
        if not sf.exists():
            return None, "no checkpoint: training starts from scratch"
        try:
            state = json.loads(sf.read_text())
        except (OSError, ValueError) as exc:
            return None, f"checkpoint state {sf} is unreadable ({exc}): training starts from scratch"
        if state.get("fingerprint") != self.fp:
            return None, (f"checkpoint in {self.dir} belongs to another configuration or data: "
                          "training starts from scratch")
        for key in ("last_model", "best_model"):
            if not (self.dir / state.get(key, "")).is_file():
                return None, f"checkpoint file {state.get(key)} is missing: training starts from scratch"
        return state, f"resuming from the checkpoint after epoch {state['epochs_done']} in {self.dir}"

    def save(self, model, state: dict, improved: bool) -> dict:
        """Write this epoch's model (and the best one if ``improved``) and then the state."""
        self.dir.mkdir(parents=True, exist_ok=True)
        e = state["epochs_done"]
        last = f"epoch-{e:04d}.keras"
        with atomic_output(self.dir / last) as tmp:
            model.save(tmp)
        state["last_model"] = last
        if improved:
            best = f"best-{e:04d}.keras"
            shutil.copyfile(self.dir / last, self.dir / f".{best}.tmp")
            os.replace(self.dir / f".{best}.tmp", self.dir / best)
            state["best_model"] = best
        state["fingerprint"] = self.fp
        with atomic_output(self.dir / STATE_FILE) as tmp:
            tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        self._prune(state)
        return state

    def _prune(self, state: dict) -> None:
        keep = {STATE_FILE, state.get("last_model"), state.get("best_model")}
        for p in self.dir.iterdir():
            if p.name not in keep:
                with contextlib.suppress(OSError):
                    shutil.rmtree(p) if p.is_dir() else p.unlink()

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


# ----------------------------------------------------------------------------------------- fit

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
        """Sets the data order of each epoch, reports progress, early-stops and checkpoints."""

        def on_epoch_begin(self, epoch, logs=None):
            dataset.set_epoch(epoch)
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
            state["seed_states"] = _seed_states(self.model)
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
    :func:`configure_runtime` first. The best model stays in ``checkpoint_dir`` until
    :func:`export` copies it out.
    """
    import keras

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
             "init_margin": model_cfg.get("jaspar_margin", 3)}
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
                model = keras.models.load_model(ckpt.dir / state["last_model"], compile=True)
                _restore_seed_states(model, state.get("seed_states", {}))
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
                                                        margin=model_cfg.get("jaspar_margin", 3))
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
            model.fit(train_ds.tf_dataset(), validation_data=valid_ds.tf_dataset(), epochs=settings.max_epochs,
                      initial_epoch=state["epochs_done"], callbacks=[cb], shuffle=False, verbose=0)
        finally:
            train_ds.close()
            valid_ds.close()
    if state["best_epoch"] == 0:
        raise InputError(valid_path, "the validation loss was never finite (training diverged)",
                         "lower train.learning_rate or check the data")
    return TrainResult(ckpt.dir / state["best_model"], state["history"], state["best_epoch"],
                       state["best_val_loss"], resumed_from, spec, names, init_records)


def _renumber_shared_ids(node, ids: dict):
    """Keras names objects shared between layers by their Python id(); number them 1, 2, ..."""
    if isinstance(node, dict):
        return {k: (ids.setdefault(v, len(ids) + 1) if k == "shared_object_id" else _renumber_shared_ids(v, ids))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_renumber_shared_ids(v, ids) for v in node]
    return node


def canonical_keras(src, dst) -> None:
    """Copy a ``.keras`` file so that equal models give equal bytes: the save date, the zip entry
    times and the HDF5 dataset times that Keras writes are replaced by constants."""
    import io
    import zipfile

    import h5py

    def copy_group(a, b):
        for k, v in a.attrs.items():
            b.attrs[k] = v
        for name, obj in a.items():
            if isinstance(obj, h5py.Dataset):
                d = b.create_dataset(name, data=obj[()], dtype=obj.dtype, track_times=False)
                for k, v in obj.attrs.items():
                    d.attrs[k] = v
            else:
                copy_group(obj, b.create_group(name))

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "metadata.json":
                meta = json.loads(data)
                meta["date_saved"] = "1980-01-01@00:00:00"
                data = json.dumps(meta).encode()
            elif info.filename == "config.json":
                data = json.dumps(_renumber_shared_ids(json.loads(data), {})).encode()
            elif info.filename.endswith(".h5"):
                buf = io.BytesIO()
                with h5py.File(io.BytesIO(data), "r") as hin, h5py.File(buf, "w") as hout:
                    copy_group(hin, hout)
                data = buf.getvalue()
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data)


def export(result: TrainResult, model_path, history_path, targets_path=None) -> None:
    """Write the best model (in a canonical form: same weights, same bytes), the history and the
    target names, each atomically."""
    with atomic_output(model_path) as tmp:
        canonical_keras(result.best_model, tmp)
    write_history(result.history, history_path, result.best_epoch)
    if targets_path is not None:
        with atomic_output(targets_path) as tmp:
            Path(tmp).write_text("".join(f"{t}\n" for t in result.target_names))


def write_history(history: list[dict], path, best_epoch: int = 0) -> None:
    """Per-epoch TSV: epoch, loss, auc, val_loss, val_auc, learning_rate, best (1 on the kept epoch)."""
    lines = ["\t".join(HISTORY_COLUMNS + ("best",))]
    for row in history:
        vals = [str(row["epoch"])] + [f"{row[k]:.6f}" for k in HISTORY_COLUMNS[1:-1]]
        vals.append(f"{row['learning_rate']:.6g}")
        vals.append("1" if row["epoch"] == best_epoch else "0")
        lines.append("\t".join(vals))
    with atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")


def read_history(path) -> list[dict]:
    """Rows of a history TSV written by :func:`write_history`."""
    lines = Path(path).read_text().splitlines()
    head = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        d = dict(zip(head, line.split("\t")))
        rows.append({k: (int(v) if k in ("epoch", "best") else float(v)) for k, v in d.items()})
    return rows
