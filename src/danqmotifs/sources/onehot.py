"""Unlabelled one-hot sequences in DeepSEA's layout (channels A, G, C, T), read in blocks.

Accepted files:

* HDF5 (``.h5``), as DanQ's ``data/example.h5``: one dataset (``testxdata`` there) of shape
  (N, 4, L), uint8, sample axis first.
* MATLAB v7.3 (``.mat``, HDF5 behind a 512-byte user block), as DeepSEA's ``train.mat``: h5py reads
  MATLAB's column-major arrays with the sample axis last, (L, 4, N).
* MATLAB v5 (``.mat``), as DeepSEA's ``valid.mat``/``test.mat``: (N, 4, L), read whole by scipy
  (the format cannot be read in part).

The dataset is the one whose name ends in ``xdata`` (DeepSEA's and DanQ's names), else the file's
only 3-D array with 4 channels on its middle axis; labels, when the file has them, are ignored.
Bases are decoded to A,C,G,T codes (an all-zero base is N). A sequence is named
``<dataset>:<index>`` (0-based, in file order; DeepSEA's files hold the reverse complements of the
first half in the second half, and those rows are read as given).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import h5py
import numpy as np

from ..errors import InputError
from .deepsea import NotOneHot, deepsea_onehot_to_codes

_FIX = ("give an HDF5 or MATLAB file with one (N, 4, L) one-hot array in DeepSEA's channel order A, G, C, T "
        "(DanQ's example.h5: 'testxdata'; DeepSEA's .mat files: '<split>xdata')")


class OneHotFile:
    """One unlabelled DeepSEA-layout one-hot array, opened and checked.

    Attributes: ``n`` sequences, ``length`` bp, ``name`` of the dataset, ``kind`` (hdf5, mat73, v5).
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.is_file():
            raise InputError(self.path, "the one-hot sequence file does not exist", "correct the path")
        self._f = None
        self._x = None
        if h5py.is_hdf5(self.path):
            self._open_hdf5()
        else:
            self._open_v5()

    def _pick(self, shapes: dict[str, tuple]) -> str:
        named = [k for k, s in shapes.items() if k.lower().endswith("xdata") and len(s) == 3]
        if len(named) == 1:
            return named[0]
        cands = [k for k, s in shapes.items() if len(s) == 3 and s[1] == 4]
        if len(cands) != 1:
            found = ", ".join(f"{k} {s}" for k, s in shapes.items()) or "nothing"
            raise InputError(self.path, f"{'no' if not cands else 'several'} (N, 4, L) arrays (found: {found})", _FIX)
        return cands[0]

    def _open_hdf5(self) -> None:
        try:
            self._f = h5py.File(self.path, "r")
        except OSError as exc:
            raise InputError(self.path, f"not a readable HDF5 file ({exc})", _FIX) from None
        shapes = {}
        self._f.visititems(lambda k, o: shapes.__setitem__(k, tuple(o.shape)) if isinstance(o, h5py.Dataset) else None)
        self.name = self._pick(shapes)
        self._x = self._f[self.name]
        self.sample_last = self._f.userblock_size > 0      # MATLAB v7.3: (L, 4, N)
        self.kind = "mat73" if self.sample_last else "hdf5"
        self._check(self._x.shape)

    def _open_v5(self) -> None:
        from scipy.io import loadmat, whosmat

        try:
            info = {name: tuple(shape) for name, shape, _ in whosmat(str(self.path))}
        except Exception as exc:  # scipy raises several types for non-MAT files
            raise InputError(self.path, f"neither HDF5 nor a MATLAB file ({exc})", _FIX) from None
        self.name = self._pick(info)
        self._x = loadmat(str(self.path), variable_names=[self.name])[self.name]
        self.sample_last, self.kind = False, "v5"
        self._check(self._x.shape)

    def _check(self, shape: tuple) -> None:
        if len(shape) != 3 or shape[1] != 4:
            raise InputError(self.path, f"'{self.name}' has shape {shape}, not (N, 4, L)", _FIX)
        self.n, self.length = (shape[2], shape[0]) if self.sample_last else (shape[0], shape[2])
        if self.n == 0:
            raise InputError(self.path, f"'{self.name}' holds no sequences", "give a file with at least one sequence")

    def read(self, a: int, b: int) -> np.ndarray:
        """Codes (b - a, L) of sequences [a, b)."""
        return self.take(np.arange(a, b))

    def take(self, rows: np.ndarray) -> np.ndarray:
        """Codes (len(rows), L) of the sequences ``rows`` (increasing indices)."""
        rows = np.asarray(rows, dtype=np.int64)
        try:
            if self.sample_last:
                xb = self._x[:, :, rows] if rows.size else np.zeros((self.length, 4, 0), np.uint8)
                return np.ascontiguousarray(deepsea_onehot_to_codes(xb, 1).T)
            xb = self._x[rows] if rows.size else np.zeros((0, 4, self.length), np.uint8)
            return np.ascontiguousarray(deepsea_onehot_to_codes(xb, 1))
        except NotOneHot as exc:
            i = exc.index if not self.sample_last else exc.index[::-1]
            raise InputError(self.path, f"'{self.name}' sequence {int(rows[i[0]])} position {i[1]} (0-based) is "
                             "not one-hot", "give one-hot sequences: 0/1 values, at most one 1 per base") from None

    def blocks(self, size: int) -> Iterator[tuple[list[str], np.ndarray]]:
        """(names, codes) of ``size`` sequences at a time, in file order."""
        for a in range(0, self.n, size):
            b = min(a + size, self.n)
            yield [f"{self.name}:{i}" for i in range(a, b)], self.read(a, b)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None
        self._x = None

    def __enter__(self) -> "OneHotFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def sample_onehot(path: str | os.PathLike, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """A seeded random sample of at most ``n`` sequences of a one-hot file, in file order: codes
    (n, L), their row indices and facts about the sample (as ``danqmotifs.kernels.read_sample``)."""
    with OneHotFile(path) as f:
        k = min(int(n), f.n)
        rows = np.sort(np.random.default_rng(seed).choice(f.n, size=k, replace=False)) if k < f.n else np.arange(f.n)
        codes = np.concatenate([f.take(rows[i:i + 4096]) for i in range(0, rows.size, 4096)])
        return codes, rows, {"n_used": int(k), "n_candidates": int(f.n), "n_rows": int(f.n), "dataset": f.name}
