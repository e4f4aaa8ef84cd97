"""Unlabelled one-hot sequences in DeepSEA's layout (channels A, G, C, T), read in blocks.

Accepted files:

* HDF5 (``.h5``), as DanQ's ``data/example.h5``: one dataset (``testxdata`` there) of shape
  (N, 4, L), uint8, sample axis first.
* MATLAB v7.3 (``.mat``, HDF5 behind a 512-byte user block), as DeepSEA's ``train.mat``: h5py reads
  MATLAB's column-major arrays with the sample axis last, (L, 4, N).
* MATLAB v5 (``.mat``), as DeepSEA's ``valid.mat``/``test.mat``: (N, 4, L), read whole by scipy
  (the format cannot be read in part).

The dataset is the one whose name ends in ``xdata`` (DeepSEA's and DanQ's names), else the file's
only 3-D array with an axis of 4 channels; labels, when the file has them, are ignored.

The order of the axes (the *layout*: N sequences, C the 4 channels, L positions; :data:`LAYOUTS`)
is fixed by the format for MATLAB files (v7.3 LCN, v5 NCL). A plain HDF5 file does not record it:
an array saved from DeepSEA's train.mat is (L, 4, N), DanQ's example.h5 is (N, 4, L), and with
N = L the two cannot be told apart by shape. So for plain HDF5 the layout is the one given
(``predict --onehot-layout``), else the only one that fits the shape: the channel axis has 4
entries and, when the expected sequence length is known (``predict`` knows the model's), the
position axis has that length. A shape that several layouts fit is refused with a message naming
the option; it is never read in a guessed order. Without a known length (the motif stages'
``motifs.sample_file``), an array (N, 4, L) with N and L both other than 4 is read as DanQ's
example.h5, (N, 4, L).
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

from ..core.errors import InputError, require_file
from .deepsea import NotOneHot, deepsea_onehot_to_codes

#: the axis orders a one-hot array may have: N sequences, C the 4 channels (A, G, C, T), L positions
LAYOUTS = ("NCL", "LCN", "NLC", "LNC", "CNL", "CLN")

_FIX = ("give an HDF5 or MATLAB file with one (N, 4, L) one-hot array in DeepSEA's channel order A, G, C, T "
        "(DanQ's example.h5: 'testxdata'; DeepSEA's .mat files: '<split>xdata')")


class OneHotFile:
    """One unlabelled DeepSEA-layout one-hot array, opened and checked.

    Attributes: ``n`` sequences, ``length`` bp, ``name`` of the dataset, ``kind`` (hdf5, mat73, v5),
    ``layout`` (one of :data:`LAYOUTS`).

    Parameters
    ----------
    path : the file.
    layout : the axis order (:data:`LAYOUTS`), or None (or "auto") to take the format's, or for
        plain HDF5 the only one that fits the shape (see the module's notes).
    length : the sequence length expected (the model's input length), used only to tell the
        layout of a plain HDF5 array; None if unknown.
    option : how the user gives the layout, for messages.
    """

    def __init__(self, path: str | os.PathLike, layout: str | None = None, length: int | None = None,
                 option: str = "--onehot-layout"):
        self.path = Path(path)
        require_file(self.path, "the one-hot sequence file")
        if layout in (None, "auto"):
            layout = None
        elif layout not in LAYOUTS:
            raise InputError(option, f"unknown layout {layout!r}", f"give one of {', '.join(LAYOUTS)}")
        self._given, self._want_length, self._option = layout, length, option
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
        cands = [k for k, s in shapes.items() if len(s) == 3 and 4 in s]
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
        self.kind = "mat73" if self._f.userblock_size > 0 else "hdf5"      # MATLAB v7.3: (L, 4, N)
        self._check(self._x.shape, "LCN" if self.kind == "mat73" else None)

    def _open_v5(self) -> None:
        from scipy.io import loadmat, whosmat

        try:
            info = {name: tuple(shape) for name, shape, _ in whosmat(str(self.path))}
        except Exception as exc:  # scipy raises several types for non-MAT files
            raise InputError(self.path, f"neither HDF5 nor a MATLAB file ({exc})", _FIX) from None
        self.name = self._pick(info)
        self._x = loadmat(str(self.path), variable_names=[self.name])[self.name]
        self.kind = "v5"
        self._check(self._x.shape, "NCL")

    def _layout(self, shape: tuple, fixed: str | None) -> str:
        """The axis order of an array of ``shape``: the one given, the format's (``fixed``), or the
        only one a plain HDF5 array's shape fits (see the module's notes)."""
        opt, name = self._option, self.name
        if len(shape) != 3:
            raise InputError(self.path, f"'{name}' has shape {shape}, not 3 axes (sequences, 4 channels, "
                             "positions)", _FIX)
        if self._given:
            if shape[self._given.index("C")] != 4:
                raise InputError(self.path, f"'{name}' has shape {shape}: with {opt} {self._given} its channel "
                                 f"axis has {shape[self._given.index('C')]} entries, not 4",
                                 f"give the axis order of the array with {opt}: N sequences, C channels, "
                                 f"L positions ({', '.join(LAYOUTS)})")
            return self._given
        if fixed:
            if shape[fixed.index("C")] != 4:
                raise InputError(self.path, f"'{name}' has shape {shape}, not {fixed} with 4 channels", _FIX)
            return fixed
        fits = [lay for lay in LAYOUTS if shape[lay.index("C")] == 4]
        if not fits:
            raise InputError(self.path, f"'{name}' has shape {shape}: no axis of 4 channels", _FIX)
        how = (f"give the axis order with {opt} (N sequences, C the 4 channels A,G,C,T, L positions; "
               "DanQ's example.h5 is NCL, an array saved from DeepSEA's train.mat with h5py is LCN)")
        want = self._want_length
        if want is not None:
            fit_len = [lay for lay in fits if shape[lay.index("L")] == want]
            if len(fit_len) == 1:
                return fit_len[0]
            if not fit_len:
                raise InputError(self.path, f"'{name}' has shape {shape}: no axis of {want} positions (the "
                                 "length the model takes) beside its 4 channels, so which axis holds the "
                                 "sequences and which the positions cannot be told from the shape",
                                 how + f"; only then, if the sequences really are not {want} bp, add "
                                 "--resize center")
            raise InputError(self.path, f"'{name}' has shape {shape}, which fits several axis orders "
                             f"({', '.join(fit_len)}): the file could be read sideways", how)
        if len(fits) == 1:
            return fits[0]
        if shape[1] == 4 and shape[0] != 4 and shape[2] != 4:
            return "NCL"          # no length to tell by: DanQ's example.h5 layout (documented)
        raise InputError(self.path, f"'{name}' has shape {shape}, which fits several axis orders "
                         f"({', '.join(fits)}): the file could be read sideways", how)

    def _check(self, shape: tuple, fixed: str | None) -> None:
        shape = tuple(int(d) for d in shape)
        self.layout = self._layout(shape, fixed)
        self.n, self.length = shape[self.layout.index("N")], shape[self.layout.index("L")]
        if self.n == 0:
            raise InputError(self.path, f"'{self.name}' holds no sequences", "give a file with at least one sequence")

    def read(self, a: int, b: int) -> np.ndarray:
        """Codes (b - a, L) of sequences [a, b)."""
        return self.take(np.arange(a, b))

    def take(self, rows: np.ndarray) -> np.ndarray:
        """Codes (len(rows), L) of the sequences ``rows`` (increasing indices)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not rows.size:
            return np.zeros((0, self.length), np.uint8)
        axis = self.layout.index("N")
        index = tuple(rows if a == axis else slice(None) for a in range(3))
        # to (n, C, L), DeepSEA's own order
        xb = np.transpose(self._x[index], [self.layout.index(c) for c in "NCL"])
        try:
            return np.ascontiguousarray(deepsea_onehot_to_codes(xb, 1))
        except NotOneHot as exc:
            i = exc.index
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


def sample_onehot(path: str | os.PathLike, n: int, seed: int, layout: str | None = None
                  ) -> tuple[np.ndarray, np.ndarray, dict]:
    """A seeded random sample of at most ``n`` sequences of a one-hot file, in file order: codes
    (n, L), their row indices and facts about the sample (as ``danqmotifs.model.kernels.read_sample``)."""
    with OneHotFile(path, layout) as f:
        k = min(int(n), f.n)
        rows = np.sort(np.random.default_rng(seed).choice(f.n, size=k, replace=False)) if k < f.n else np.arange(f.n)
        codes = np.concatenate([f.take(rows[i:i + 4096]) for i in range(0, rows.size, 4096)])
        return codes, rows, {"n_used": int(k), "n_candidates": int(f.n), "n_rows": int(f.n), "dataset": f.name}
