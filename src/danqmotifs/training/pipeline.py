"""The input pipeline: batches streamed from a data file (:class:`SplitSequence`).

Sequences are stored as base codes and become one-hot per batch, in the input's worker threads
(:meth:`SplitSequence.keras_dataset`, a ``keras.utils.PyDataset``: the same input on every Keras
backend); memory does not grow with N. Shuffling is by blocks: every epoch the order of the file's row
chunks is permuted (seeded by seed and epoch), and rows are permuted within windows of a few
chunks; each window is read once, as contiguous slices.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..alphabet import codes_to_onehot
from ..datafile import CHUNK_ROWS, DataReader
from ..errors import InputError


class SplitSequence:
    """Batches (one-hot float32 (B, L, 4), targets float32 (B, T)) streamed from a data file.

    Index it for NumPy batches, or train on :meth:`keras_dataset`, which yields the same batches.

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

    def keras_dataset(self, workers: int = 2, max_queue_size: int = 4):
        """The batches of the current epoch (:meth:`set_epoch`) as a ``keras.utils.PyDataset``, the
        input of ``model.fit`` on every Keras backend: ``workers`` threads read and one-hot encode
        up to ``max_queue_size`` batches ahead while the model trains, handed over in index order
        (the same batches as indexing). Each epoch reads the epoch set before it starts (the
        training callback sets it in ``on_epoch_begin``). Memory: the queue and a few windows."""
        return _keras_dataset_class()(self, workers=workers, max_queue_size=max_queue_size)


_KERAS_DATASET = None


def _keras_dataset_class():
    """The PyDataset class, built on first use: importing this module does not import Keras (its
    backend is chosen before that, :func:`~danqmotifs.training.runtime.select_backend`)."""
    global _KERAS_DATASET
    if _KERAS_DATASET is None:
        import keras

        class KerasSplit(keras.utils.PyDataset):
            """A :class:`SplitSequence` as a ``keras.utils.PyDataset`` (thread workers, in order)."""

            def __init__(self, seq: SplitSequence, workers: int, max_queue_size: int):
                super().__init__(workers=int(workers), use_multiprocessing=False,
                                 max_queue_size=int(max_queue_size))
                self.seq = seq

            def __len__(self) -> int:
                return len(self.seq)

            def __getitem__(self, index: int):
                return self.seq[index]

        _KERAS_DATASET = KerasSplit
    return _KERAS_DATASET
