"""The input pipeline: batches streamed from a data file (:class:`SplitSequence`).

Sequences are stored as base codes and become one-hot per batch, in look-ahead threads
(:meth:`SplitSequence.keras_dataset`, a ``keras.utils.PyDataset``: the same input on every Keras
backend, each stream position a fixed batch of a fixed epoch); memory does not grow with N.
Shuffling is by blocks: every epoch the order of the file's row chunks is permuted (seeded by seed
and epoch), and rows are permuted within windows of a few chunks; each window is read once, as
contiguous slices.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ...core.alphabet import codes_to_onehot
from ...core.errors import InputError
from ...sources.datafile import CHUNK_ROWS, DataReader


class SplitSequence:
    """Batches (one-hot float32 (B, L, 4), targets float32 (B, T)) streamed from a data file.

    Index it for NumPy batches, or train on :meth:`keras_dataset`, which yields the same batches.

    Parameters
    ----------
    path : a data file (``danqmotifs.sources.datafile`` layout).
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
        self._streams: list = []

    def __len__(self) -> int:
        return self.steps

    def close(self) -> None:
        """Stop the look-ahead threads of its Keras datasets, then close the file."""
        for ds in self._streams:
            ds.close()
        self._streams.clear()
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

    def batch(self, index: int, epoch: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """One-hot float32 (B, L, 4) and targets float32 (B, T) of batch ``index`` of ``epoch``
        (default: the epoch set by :meth:`set_epoch`)."""
        codes, y = self.batch_codes(index, epoch)
        return codes_to_onehot(codes), y.astype(np.float32)

    def __getitem__(self, index: int):
        return self.batch(index)

    def keras_dataset(self, first_epoch: int = 0, endless: bool = True, workers: int = 2,
                      lookahead: int = 4):
        """The batches as a ``keras.utils.PyDataset``, the input of ``model.fit`` on every backend.

        Position ``k`` of the stream is a fixed batch: with ``endless`` (training) batch
        ``k % len(self)`` of epoch ``first_epoch + k // len(self)``, one stream over all epochs (fit
        with ``steps_per_epoch=len(self)`` and ``initial_epoch=first_epoch``); without it
        (validation) batch ``k`` of ``first_epoch``, ``len(self)`` batches. What the model sees
        therefore depends on the position only, never on when a thread happened to read it:
        ``workers`` threads read and one-hot encode up to ``lookahead`` positions ahead of the
        model (0 workers: read when asked). Keras's own worker queue is not used: a batch it reads
        ahead to learn the shapes is handed to the first epoch a second time, and how many depends
        on thread timing, so runs with one seed would differ. Memory: the look-ahead and a few
        windows. :meth:`close` stops the threads.
        """
        ds = _keras_dataset_class()(self, int(first_epoch), bool(endless), int(workers), int(lookahead))
        self._streams.append(ds)
        return ds


_KERAS_DATASET = None


def _keras_dataset_class():
    """The PyDataset class, built on first use: importing this module does not import Keras (its
    backend is chosen before that, :func:`~danqmotifs.model.training.runtime.select_backend`)."""
    global _KERAS_DATASET
    if _KERAS_DATASET is None:
        import keras

        class KerasSplit(keras.utils.PyDataset):
            """A :class:`SplitSequence` as a stream of batches for ``model.fit`` (see
            :meth:`SplitSequence.keras_dataset`)."""

            def __init__(self, seq: SplitSequence, first_epoch: int, endless: bool, workers: int,
                         lookahead: int):
                # workers=0 for Keras: it asks for position k, k+1, ... in the consuming thread
                super().__init__(workers=0, use_multiprocessing=False)
                import threading
                from concurrent.futures import ThreadPoolExecutor

                self.seq, self.first_epoch, self.endless = seq, first_epoch, endless
                self.lookahead = max(0, lookahead) if workers > 0 else 0
                self._pool = ThreadPoolExecutor(workers, "danqmotifs-input") if workers > 0 else None
                self._pending: dict = {}
                self._lock = threading.Lock()

            @property
            def num_batches(self):
                return None if self.endless else len(self.seq)

            def position(self, k: int) -> tuple[int, int]:
                """(epoch, batch) at stream position ``k``."""
                steps = len(self.seq)
                if k < 0 or (not self.endless and k >= steps):
                    raise IndexError(k)
                return (self.first_epoch + k // steps, k % steps) if self.endless else (self.first_epoch, k)

            def _make(self, k: int):
                epoch, index = self.position(k)
                return self.seq.batch(index, epoch)

            def __getitem__(self, k: int):
                k = int(k)
                self.position(k)                       # IndexError past the end
                if self._pool is None:
                    return self._make(k)
                with self._lock:
                    last = k + self.lookahead if self.endless else min(k + self.lookahead, len(self.seq) - 1)
                    for j in range(k, last + 1):
                        if j not in self._pending:
                            self._pending[j] = self._pool.submit(self._make, j)
                    future = self._pending.pop(k)
                    for j in [j for j in self._pending if j < k or j > last]:
                        self._pending.pop(j).cancel()  # a restarted stream: positions not asked for
                return future.result()

            def close(self) -> None:
                """Stop the look-ahead threads (pending reads are cancelled)."""
                if self._pool is not None:
                    with self._lock:
                        self._pending.clear()
                    self._pool.shutdown(wait=True, cancel_futures=True)

        _KERAS_DATASET = KerasSplit
    return _KERAS_DATASET
