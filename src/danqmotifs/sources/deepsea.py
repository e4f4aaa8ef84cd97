"""DeepSEA's data files (the DanQ paper's data) converted to the sample-major data layout.

``train.mat`` is MATLAB v7.3, i.e. HDF5 behind a 512-byte user block, which h5py reads with the
sample axis LAST: ``trainxdata`` (L, 4, N) and ``traindata`` (T, N). ``valid.mat`` and ``test.mat``
are MATLAB v5, which ``scipy.io.loadmat`` reads sample-first: ``<split>xdata`` (N, 4, L) and
``<split>data`` (N, T). Either kind is accepted for any split (it is recognised from the file).
One-hot channels are A, G, C, T and become A, C, G, T codes; an all-zero row becomes N.

An HDF5 source is converted in blocks of samples (``x[:, :, a:b]``), aligned to its chunking, so
memory is bounded by the block size whatever N is. A v5 file cannot be read in part: loadmat
loads its two arrays whole (this is the format's limit, and DeepSEA's v5 files are the small ones).
The sample order of the files is kept: the first half forward sequences, the second half their
reverse complements in the same order.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

import h5py
import numpy as np

from ..core.alphabet import DEEPSEA_TO_ACGT, N_CODE, reverse_complement_codes
from ..core.errors import InputError, require_file
from .datafile import SPLITS, DataWriter

SAMPLE_ORDER = ("as in the DeepSEA files: the first half forward sequences, the second half "
                "their reverse complements in the same order")
#: HDF5 chunks longer than this (bytes) along the sample axis are not read whole per block
_MAX_ALIGNED_BLOCK_BYTES = 512 * 2**20
_RC_CHECKS = 16


class NotOneHot(ValueError):
    """A base that is neither one-hot nor all zero; ``index`` locates it (channel axis removed)."""

    def __init__(self, index: tuple[int, ...]):
        self.index = index
        super().__init__(f"entry {index} is not one-hot: every base must be all zeros or a single 1")


def deepsea_onehot_to_codes(x: np.ndarray, channel_axis: int) -> np.ndarray:
    """DeepSEA one-hot (channels A, G, C, T on ``channel_axis``) -> A,C,G,T codes, N for zero rows.

    The code of a one-hot base is the weighted sum of its channels with the weights
    ``DEEPSEA_TO_ACGT`` (A->0, G->2, C->1, T->3). The result has the input's shape without
    ``channel_axis``. Raises :class:`NotOneHot` if a base is neither one-hot nor all zero.
    """
    x = np.moveaxis(np.asarray(x), channel_axis, 0)
    if x.shape[0] != 4:
        raise ValueError(f"expected 4 channels, got {x.shape[0]}")
    if x.dtype != np.uint8:
        bad = (x != 0) & (x != 1)
        if bad.any():
            raise NotOneHot(tuple(int(i) for i in np.argwhere(bad.any(axis=0))[0]))
        x = x.astype(np.uint8)
    elif x.size and x.max() > 1:
        raise NotOneHot(tuple(int(i) for i in np.argwhere((x > 1).any(axis=0))[0]))
    total = x[0] + x[1] + x[2] + x[3]
    if total.size and total.max() > 1:
        raise NotOneHot(tuple(int(i) for i in np.argwhere(total > 1)[0]))
    w = DEEPSEA_TO_ACGT.astype(np.uint8)
    codes = x[1] * w[1] + x[2] * w[2] + x[3] * w[3]
    codes[total == 0] = N_CODE
    return codes


def v5_truncated(path: str | os.PathLike) -> bool:
    """Whether a MATLAB v5 file ends before its last top-level element does (a cut download)."""
    import struct

    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(128)
        endian = "<" if head[126:128] == b"IM" else ">"
        pos = 128
        while pos + 8 <= size:
            fh.seek(pos)
            typ, n = struct.unpack(endian + "II", fh.read(8))
            if typ >> 16:                        # a small element: tag and data in 8 bytes
                pos += 8
                continue
            pos += 8 + n + (0 if typ == 15 else (-n) % 8)    # 15: miCOMPRESSED, not padded
    return pos > size


def read_target_names(path: str | os.PathLike | None, n_targets: int) -> list[str]:
    """Target names from a text file (one per line; blank lines and '#' lines ignored), or
    ``target_0000`` ... when ``path`` is empty. The count must equal ``n_targets``."""
    if not path:
        return [f"target_{i:04d}" for i in range(n_targets)]
    p = Path(path)
    require_file(p, "the target names file",
                         "correct data.deepsea.target_names or set it to \"\" to name the targets target_0000, target_0001 and so on")
    names = [ln.strip() for ln in p.read_text(encoding="utf-8-sig", errors="replace").splitlines()]
    names = [n for n in names if n and not n.startswith("#")]
    if len(names) != n_targets:
        raise InputError(p, f"{len(names)} target names for {n_targets} targets in the .mat files",
                         "give exactly one name per target, one per line, in the order of the targets")
    dup = sorted({n for n in names if names.count(n) > 1}) if len(set(names)) != len(names) else []
    if dup:
        raise InputError(p, f"duplicate target names: {', '.join(dup[:5])}", "make every name unique")
    if any("\t" in n for n in names):
        raise InputError(p, "a target name contains a tab", "replace tabs inside names (e.g. by '|')")
    return names


class MatSplit:
    """One DeepSEA split file, opened and checked, read by blocks of samples.

    Attributes: ``n`` samples, ``length`` bp, ``n_targets``, ``kind`` ("hdf5" or "v5"),
    ``chunk_samples`` (the source chunk extent along the sample axis, 1 if unchunked or v5).
    """

    def __init__(self, path: str | os.PathLike, split: str):
        self.path, self.split = Path(path), split
        self.xname, self.yname = f"{split}xdata", f"{split}data"
        require_file(self.path, "the file",
                             f"set data.deepsea.{split}_mat to DeepSEA's {split}.mat")
        self._f = None
        self._x = self._y = None
        if h5py.is_hdf5(self.path):
            self.kind = "hdf5"
            self._open_hdf5()
        else:
            self.kind = "v5"
            self._inspect_v5()

    # ---- opening and checking ------------------------------------------------------------
    def _missing(self, found: list[str], name: str) -> InputError:
        return InputError(self.path, f"dataset '{name}' is missing (found: {', '.join(found) or 'nothing'})",
                          f"give DeepSEA's {self.split}.mat, which holds '{self.xname}' and '{self.yname}'")

    def _open_hdf5(self) -> None:
        try:
            f = h5py.File(self.path, "r")
        except OSError as exc:
            raise InputError(self.path, f"cannot open the HDF5 (MATLAB v7.3) file ({exc})",
                             "check that the file is complete (compare its size or checksum)") from None
        self._f = f
        found = sorted(f.keys())
        for name in (self.xname, self.yname):
            if name not in f or not isinstance(f[name], h5py.Dataset):
                f.close()
                raise self._missing(found, name)
        x, y = f[self.xname], f[self.yname]
        # h5py sees MATLAB's (N, 4, L) and (N, T) arrays reversed: (L, 4, N) and (T, N)
        self._check_axes(x.shape, y.shape, sample_last=True)
        self.length, _, self.n = x.shape
        self.n_targets = y.shape[0]
        self._x, self._y = x, y
        self.chunk_samples = x.chunks[2] if x.chunks else 1

    def _inspect_v5(self) -> None:
        from scipy.io import whosmat

        try:
            info = {name: shape for name, shape, _cls in whosmat(str(self.path))}
        except Exception as exc:  # scipy raises several types for non-MAT files
            raise InputError(self.path, f"not a MATLAB file that scipy or h5py can read ({exc})",
                             "give a MATLAB v5 or v7.3 .mat file as DeepSEA distributes it") from None
        found = sorted(info)
        for name in (self.xname, self.yname):
            if name not in info:
                if v5_truncated(self.path):
                    raise InputError(self.path, f"the MATLAB v5 file ends inside a variable (truncated: "
                                     f"{self.path.stat().st_size:,} bytes; read: {', '.join(found) or 'nothing'})",
                                     "download or copy the file again (compare its size or checksum)")
                raise self._missing(found, name)
        xs, ys = tuple(info[self.xname]), tuple(info[self.yname])
        self._check_axes(xs, ys, sample_last=False)
        self.n, _, self.length = xs
        self.n_targets = ys[1]
        self.chunk_samples = 1

    def _check_axes(self, xs: tuple, ys: tuple, sample_last: bool) -> None:
        expect = ("(length, 4, samples) and (targets, samples), as h5py reads MATLAB v7.3"
                  if sample_last else "(samples, 4, length) and (samples, targets), as scipy reads MATLAB v5")
        fix = ("re-save the arrays from MATLAB as samples x 4 x length and samples x targets, the "
               "layout DeepSEA's files use")
        if len(xs) != 3 or len(ys) != 2:
            raise InputError(self.path, f"'{self.xname}' has shape {xs} and '{self.yname}' {ys}; "
                             f"expected 3 and 2 dimensions: {expect}", fix)
        if xs[1] != 4:
            raise InputError(self.path, f"the axis order of '{self.xname}' {xs} does not fit: the middle "
                             f"axis must be the 4 bases; expected {expect}", fix)
        n_x = xs[2] if sample_last else xs[0]
        n_y = ys[1] if sample_last else ys[0]
        if n_x != n_y:
            flipped_x = xs[0] if sample_last else xs[2]
            flipped_y = ys[0] if sample_last else ys[1]
            if flipped_x in (n_y, flipped_y) or n_x == flipped_y:
                what = "the sample axis is not where it should be"
            else:
                what = "the sample counts do not agree"
            raise InputError(self.path, f"the axis order does not fit: '{self.xname}' has shape {xs} and "
                             f"'{self.yname}' {ys}; {what}; expected {expect}", fix)
        if n_x == 0:
            raise InputError(self.path, f"'{self.xname}' holds no samples", f"give the full {self.split}.mat")
        if (ys[0] if sample_last else ys[1]) == 0:
            raise InputError(self.path, f"'{self.yname}' holds no targets", f"give the full {self.split}.mat")

    # ---- reading ---------------------------------------------------------------------------
    def _load_v5(self) -> None:
        from scipy.io import loadmat

        if self._x is None:
            try:
                m = loadmat(str(self.path), variable_names=[self.xname, self.yname])
            except MemoryError:
                raise
            except Exception as exc:  # truncated or corrupt files raise several types
                raise InputError(self.path, f"cannot read the MATLAB v5 file ({type(exc).__name__}: {exc})",
                                 "check that the file is complete (compare its size or checksum)") from None
            self._x, self._y = m[self.xname], m[self.yname]

    def read(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Samples [a, b): codes (b - a, L) in A,C,G,T and targets (b - a, T) uint8."""
        if self.kind == "hdf5":
            xb = self._x[:, :, a:b]                       # (L, 4, n)
            codes_t = self._to_codes(xb, channel_axis=1, a=a)   # (L, n)
            codes = np.ascontiguousarray(codes_t.T)
            y = np.asarray(self._y[:, a:b]).T
        else:
            self._load_v5()
            xb = self._x[a:b]                             # (n, 4, L)
            codes = np.ascontiguousarray(self._to_codes(xb, channel_axis=1, a=a))
            y = np.asarray(self._y[a:b])
        return codes, self._check_targets(y, a)

    def _to_codes(self, xb: np.ndarray, channel_axis: int, a: int) -> np.ndarray:
        try:
            return deepsea_onehot_to_codes(xb, channel_axis)
        except NotOneHot as exc:
            pos, off = exc.index if self.kind == "hdf5" else exc.index[::-1]
            raise InputError(self.path, f"'{self.xname}' sample {a + off} position {pos} (0-based) is "
                             "not one-hot", "give one-hot sequences: 0/1 values, at most one 1 per base") from None

    def _check_targets(self, y: np.ndarray, a: int) -> np.ndarray:
        if y.dtype != np.uint8:
            if not np.all((y == 0) | (y == 1)):
                r, c = np.argwhere((y != 0) & (y != 1))[0]
                raise InputError(self.path, f"'{self.yname}' has the value {y[r, c]} (sample {a + r}, "
                                 f"target {c}, 0-based)", "labels must be 0 or 1")
            return y.astype(np.uint8)
        if y.size and y.max() > 1:
            r, c = np.argwhere(y > 1)[0]
            raise InputError(self.path, f"'{self.yname}' has the value {y[r, c]} (sample {a + r}, "
                             f"target {c}, 0-based)", "labels must be 0 or 1")
        return np.ascontiguousarray(y)

    def block_size(self, wanted: int) -> int:
        """``wanted`` aligned to the source chunks along the sample axis, so that each chunk is
        decompressed once; a chunk larger than the memory bound is left unaligned (and read again
        by every block that touches it)."""
        c = max(int(self.chunk_samples), 1)
        if c == 1:
            return wanted
        if c * self.length * 4 > _MAX_ALIGNED_BLOCK_BYTES:
            return wanted
        return max(c, (wanted // c) * c)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None
        self._x = self._y = None

    def __enter__(self) -> "MatSplit":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _ReverseComplementCheck:
    """Checks, on a few evenly spaced samples, that sample i + N/2 is the reverse complement of i."""

    def __init__(self, n: int, k: int = _RC_CHECKS):
        self.half = n // 2 if n % 2 == 0 else 0
        self.rows = (np.unique(np.linspace(0, self.half - 1, num=min(k, self.half)).astype(np.int64))
                     if self.half else np.array([], dtype=np.int64))
        self.fwd: dict[int, np.ndarray] = {}
        self.ok = bool(self.half)

    def see(self, a: int, codes: np.ndarray) -> None:
        """Look at the block of samples [a, a + len(codes)), in file order."""
        if not self.ok:
            return
        b = a + codes.shape[0]
        for i in self.rows[(self.rows >= a) & (self.rows < b)]:
            self.fwd[int(i)] = codes[i - a].copy()
        for i in self.rows[(self.rows + self.half >= a) & (self.rows + self.half < b)]:
            fwd = self.fwd.get(int(i))
            if fwd is None or not np.array_equal(reverse_complement_codes(fwd), codes[i + self.half - a]):
                self.ok = False


def describe_source(mat: MatSplit, block: int) -> list[str]:
    """Lines describing how a split is read (shape, format, chunking), warnings included."""
    head = f"{mat.split}: {mat.path} ({mat.n} x {mat.length} bp, {mat.n_targets} targets)"
    if mat.kind == "v5":
        return [f"{head}, MATLAB v5: loaded whole, written in blocks of {block}"]
    chunks = mat._x.chunks
    lines = [f"{head}, MATLAB v7.3 (HDF5), chunks {chunks or 'none (contiguous)'}, "
             f"compression {mat._x.compression or 'none'}; read in blocks of {block} samples"]
    if chunks and block % chunks[2] != 0:
        mib = int(np.prod(chunks)) * mat._x.dtype.itemsize / 2**20
        lines.append(f"WARNING: {mat.path}: its chunks span {chunks[2]} samples ({mib:.0f} MiB each), "
                     "too many to align blocks with, so every block re-reads the chunks it touches. "
                     f"Rechunking along the sample axis (h5repack -l {mat.xname}:CHUNK="
                     f"{mat.length}x4x1000) makes the conversion much faster.")
    elif chunks and int(np.prod(chunks)) * mat._x.dtype.itemsize < 64 * 1024:
        nbytes = int(np.prod(chunks)) * mat._x.dtype.itemsize
        n_chunks = int(np.prod([-(-s // c) for s, c in zip(mat._x.shape, chunks)]))
        lines.append(f"note: small chunks ({nbytes} bytes, {n_chunks} of them): reading is bound "
                     "by HDF5's cost per chunk (about 10,000 samples/s on one core), not by the data size")
    return lines


def convert_split(mat: MatSplit, out: str | os.PathLike, target_names: list[str], block_size: int,
                  log: IO | None = None) -> dict:
    """Convert one opened split to ``out`` in the data layout; returns a small summary.

    Notes and a progress bar go to ``log`` (nothing if None).
    """
    from tqdm import tqdm

    block = mat.block_size(block_size)
    if log is not None:
        for line in describe_source(mat, block):
            print(line, file=log, flush=True)
    rc = _ReverseComplementCheck(mat.n)
    attrs = {"sample_order": SAMPLE_ORDER,
             "input_format": "MATLAB v7.3 (HDF5)" if mat.kind == "hdf5" else "MATLAB v5"}
    with tqdm(total=mat.n, unit="seq", desc=mat.split, file=log, disable=log is None,
              mininterval=5.0, ascii=True, ncols=90) as bar, \
            DataWriter(out, mat.length, target_names, "deepsea", mat.split, attrs=attrs) as w:
        for a in range(0, mat.n, block):
            b = min(a + block, mat.n)
            codes, y = mat.read(a, b)
            rc.see(a, codes)
            w.append(codes, y)
            bar.update(b - a)
        w.attrs["second_half_reverse_complement"] = rc.ok
    return {"split": mat.split, "n": mat.n, "length": mat.length, "n_targets": mat.n_targets,
            "block": block, "chunk_samples": mat.chunk_samples, "kind": mat.kind,
            "second_half_reverse_complement": rc.ok}


def open_splits(paths: dict[str, str | os.PathLike]) -> dict[str, MatSplit]:
    """Open and check every split's file (no data read yet); all must share length and targets."""
    mats: dict[str, MatSplit] = {}
    try:
        for split in SPLITS:
            mats[split] = MatSplit(paths[split], split)
        ref = mats["train"]
        for split in SPLITS[1:]:
            m = mats[split]
            if (m.length, m.n_targets) != (ref.length, ref.n_targets):
                raise InputError(m.path, f"{m.length} bp x {m.n_targets} targets, but {ref.path} has "
                                 f"{ref.length} bp x {ref.n_targets} targets",
                                 "give the three files of one data set")
    except BaseException:
        for m in mats.values():
            m.close()
        raise
    return mats


def convert_deepsea(inputs: dict[str, str | os.PathLike], outputs: dict[str, str | os.PathLike],
                    target_names_file: str | os.PathLike | None = None, block_size: int = 10000,
                    log: IO | None = None) -> list[dict]:
    """Convert DeepSEA's train/valid/test .mat files to three data files.

    Every input is checked (datasets, axis order, matching sizes, target names) before anything
    is written. Notes and progress go to ``log``. Returns one summary dict per split.
    """
    mats = open_splits(inputs)
    try:
        names = read_target_names(target_names_file, mats["train"].n_targets)
        summaries = []
        for split in SPLITS:
            summaries.append(convert_split(mats[split], outputs[split], names, block_size, log))
            mats[split].close()
        return summaries
    finally:
        for m in mats.values():
            m.close()
