"""The one on-disk layout of a data split (``results/data/{train,valid,test}.h5``).

Sample-major, chunked HDF5, read by streaming:

========================  ============  ======  ==========================================
dataset                   shape         dtype   meaning
========================  ============  ======  ==========================================
``sequences``             (N, L)        uint8   base codes 0..3 = A,C,G,T; 4 = N
``targets``               (N, T)        uint8   0/1 labels
``target_names``          (T,)          str     names of the targets
``ids``                   (N,)          str     record ids (optional)
========================  ============  ======  ==========================================

File attributes: ``layout`` = "danqmotifs-data", ``layout_version`` = 1, ``alphabet`` = "ACGT",
``encoding`` = "codes", ``source`` (simulate | deepsea | fasta | bed), ``split``, and
``base_frequencies`` (A,C,G,T, over the whole split). Rows are chunked in blocks of
``CHUNK_ROWS`` sequences so that reading a batch touches few chunks; no compression, so that a
random chunk costs one read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Sequence

import h5py
import numpy as np

from ..core.alphabet import codes_to_onehot, frequencies_from_counts
from ..core.errors import InputError, atomic_output, open_hdf5

LAYOUT = "danqmotifs-data"
#: the three splits every data source writes, in this order
SPLITS = ("train", "valid", "test")
LAYOUT_VERSION = 1
CHUNK_ROWS = 256
_STR = h5py.string_dtype("utf-8")


class DataWriter:
    """Append sequences and targets to a new data file, atomically.

    Use as a context manager; the file appears at ``path`` only when the block exits cleanly.
    """

    def __init__(self, path: str | os.PathLike, length: int, target_names: Sequence[str],
                 source: str, split: str, with_ids: bool = False, attrs: dict | None = None):
        self.path = Path(path)
        self.length = int(length)
        self.target_names = [str(t) for t in target_names]
        self.source, self.split, self.with_ids = source, split, with_ids
        self.attrs = dict(attrs or {})
        self._counts = np.zeros(5, dtype=np.int64)
        self.n = 0

    def __enter__(self) -> "DataWriter":
        if not self.target_names:
            raise ValueError("a data file needs at least one target")
        self._ctx = atomic_output(self.path)
        tmp = self._ctx.__enter__()
        try:
            self._f = h5py.File(tmp, "w", track_order=False)
        except BaseException as exc:
            self._ctx.__exit__(type(exc), exc, exc.__traceback__)
            raise
        T, L = len(self.target_names), self.length
        rows = CHUNK_ROWS
        self._seq = self._f.create_dataset("sequences", shape=(0, L), maxshape=(None, L), dtype="u1",
                                           chunks=(rows, L), track_times=False)
        self._tgt = self._f.create_dataset("targets", shape=(0, T), maxshape=(None, T), dtype="u1",
                                           chunks=(rows, max(T, 1)), track_times=False)
        self._f.create_dataset("target_names", data=np.array(self.target_names, dtype=object),
                               dtype=_STR, track_times=False)
        if self.with_ids:
            self._ids = self._f.create_dataset("ids", shape=(0,), maxshape=(None,), dtype=_STR,
                                               chunks=(rows * 16,), track_times=False)
        return self

    def append(self, codes: np.ndarray, targets: np.ndarray, ids: Sequence[str] | None = None) -> None:
        codes = np.asarray(codes, dtype=np.uint8)
        targets = np.asarray(targets, dtype=np.uint8)
        if codes.ndim != 2 or codes.shape[1] != self.length:
            raise ValueError(f"codes must be (n, {self.length}), got {codes.shape}")
        if targets.shape != (codes.shape[0], len(self.target_names)):
            raise ValueError(f"targets must be ({codes.shape[0]}, {len(self.target_names)}), got {targets.shape}")
        if codes.size and codes.max() > 4:
            raise ValueError("codes must be 0..4 (A, C, G, T, N)")
        n0, n1 = self.n, self.n + codes.shape[0]
        self._seq.resize(n1, axis=0)
        self._seq[n0:n1] = codes
        self._tgt.resize(n1, axis=0)
        self._tgt[n0:n1] = targets
        if self.with_ids:
            if ids is None or len(ids) != codes.shape[0]:
                raise ValueError("ids must be given, one per sequence")
            self._ids.resize(n1, axis=0)
            self._ids[n0:n1] = np.array(list(ids), dtype=object)
        self._counts += np.bincount(codes.ravel(), minlength=5)[:5]
        self.n = n1

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                freqs = frequencies_from_counts(self._counts)
                a = self._f.attrs
                a["layout"] = LAYOUT
                a["layout_version"] = LAYOUT_VERSION
                a["alphabet"] = "ACGT"
                a["encoding"] = "codes"
                a["source"] = self.source
                a["split"] = self.split
                a["base_frequencies"] = freqs
                for k, v in self.attrs.items():
                    a[k] = v
        finally:
            self._f.close()
        return self._ctx.__exit__(exc_type, exc, tb)


class DataReader:
    """Read a data file by slices or batches, never all at once."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._f = open_hdf5(self.path, "data", "run the data stage (again) or correct the path")
        a = self._f.attrs
        if a.get("layout") != LAYOUT or "sequences" not in self._f or "targets" not in self._f:
            self._f.close()
            raise InputError(self.path, "not a danqmotifs data file (missing layout attribute or "
                             "sequences/targets datasets)", "produce it with the data stage")
        self.sequences = self._f["sequences"]
        self.targets = self._f["targets"]
        self.n, self.length = self.sequences.shape
        self.n_targets = self.targets.shape[1]
        self.target_names = [t.decode() if isinstance(t, bytes) else str(t)
                             for t in self._f["target_names"][()]]
        self.ids = self._f["ids"] if "ids" in self._f else None
        self.source = str(a.get("source", ""))
        self.base_frequencies = np.asarray(a.get("base_frequencies", np.full(4, 0.25)), dtype=np.float64)

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> "DataReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def read(self, start: int, stop: int, onehot: bool = False):
        """Sequences (codes, or one-hot float32) and targets of rows [start, stop)."""
        codes = self.sequences[start:stop]
        x = codes_to_onehot(codes) if onehot else codes
        return x, self.targets[start:stop]

    def read_rows(self, rows, onehot: bool = False, max_gap: int = 32):
        """Rows in any order, repeats allowed; returned in the order asked.

        The distinct rows are read in ascending order as a few slices (rows closer than
        ``max_gap`` share one slice), so the cost is a handful of contiguous reads.
        """
        rows = np.asarray(rows, dtype=np.int64).ravel()
        if rows.size and (rows.min() < 0 or rows.max() >= self.n):
            raise IndexError(f"rows must lie in [0, {self.n}), got {rows.min()}..{rows.max()}")
        uniq, inverse = np.unique(rows, return_inverse=True)
        codes = np.empty((uniq.size, self.length), dtype=np.uint8)
        tg = np.empty((uniq.size, self.n_targets), dtype=np.uint8)
        if uniq.size:
            cut = np.flatnonzero(np.diff(uniq) > max_gap) + 1
            for a, b in zip(np.r_[0, cut], np.r_[cut, uniq.size]):
                lo, hi = int(uniq[a]), int(uniq[b - 1]) + 1
                pick = uniq[a:b] - lo
                codes[a:b] = self.sequences[lo:hi][pick]
                tg[a:b] = self.targets[lo:hi][pick]
        codes, tg = codes[inverse], tg[inverse]
        x = codes_to_onehot(codes) if onehot else codes
        return x, tg

    def iter_blocks(self, block: int = 4096) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(start, codes, targets) over the file in order, ``block`` rows at a time."""
        for s in range(0, self.n, block):
            codes, tg = self.read(s, min(s + block, self.n))
            yield s, codes, tg


def data_base_frequencies(path: str | os.PathLike) -> np.ndarray:
    """The A,C,G,T frequencies stored with a data file."""
    with DataReader(path) as r:
        return r.base_frequencies
