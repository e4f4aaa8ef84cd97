"""Writing files in DeepSEA's layout (MATLAB v7.3 and v5), for the tests and benchmarks of the
DeepSEA converter (``danqmotifs.sources.deepsea``)."""

from __future__ import annotations

import os

import h5py
import numpy as np

from danqmotifs.core.alphabet import DEEPSEA_TO_ACGT


def codes_to_deepsea_onehot(codes: np.ndarray) -> np.ndarray:
    """(n, L) A,C,G,T codes -> (n, 4, L) one-hot in DeepSEA's A,G,C,T channel order (N: zeros)."""
    codes = np.asarray(codes)
    onehot = np.zeros(codes.shape[:1] + (4,) + codes.shape[1:], dtype=np.uint8)
    for c in range(4):
        onehot[:, DEEPSEA_TO_ACGT[c]][codes == c] = 1
    return onehot


def _mat73_header() -> bytes:
    text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 ."
    return text.ljust(116, b" ") + b"\0" * 8 + b"\x00\x02" + b"IM"


def small_chunks(shape: tuple[int, ...], max_elements: int = 4096) -> tuple[int, ...]:
    """Chunk shape of at most ``max_elements`` elements: along each axis in turn, the largest power
    of two that fits both the axis and what is left of the budget (a guess at MATLAB's rule)."""
    out, used = [], 1
    for dim in shape:
        c = 1
        while c * 2 <= dim and used * c * 2 <= max_elements:
            c *= 2
        out.append(c)
        used *= c
    return tuple(out)


def write_mat73(path: str | os.PathLike, split: str, n: int, length: int, n_targets: int,
                blocks, chunks: tuple[int, int, int] | str | None = "matlab",
                compression: int | None = 3) -> None:
    """Write ``<split>xdata`` (length, 4, n) and ``<split>data`` (n_targets, n) as MATLAB v7.3 does
    (HDF5 behind a 512-byte user block, sample axis last, channels A,G,C,T).

    ``blocks`` yields (codes (b, length), targets (b, n_targets)) in sample order, so a large
    file is written with bounded memory. ``chunks="matlab"`` uses :func:`small_chunks` (4096
    elements; (512, 4, 2) at 1000 bp) and deflate level 3: a guess at what MATLAB does, not a
    documented fact. ``chunks=None`` writes contiguous, uncompressed datasets.
    """
    xshape, yshape = (length, 4, n), (n_targets, n)
    if chunks == "matlab":
        xchunks, ychunks = small_chunks(xshape), small_chunks(yshape)
    elif chunks is None:
        xchunks = ychunks = None
        compression = None
    else:
        xchunks, ychunks = tuple(chunks), small_chunks(yshape)
    kw = {"compression": "gzip", "compression_opts": compression} if compression else {}
    with h5py.File(path, "w", userblock_size=512, libver="earliest") as f:
        x = f.create_dataset(f"{split}xdata", shape=xshape, dtype="u1", chunks=xchunks,
                             track_times=False, **kw)
        y = f.create_dataset(f"{split}data", shape=yshape, dtype="u1", chunks=ychunks,
                             track_times=False, **kw)
        for d in (x, y):
            d.attrs["MATLAB_class"] = np.bytes_(b"uint8")
        a = 0
        for codes, targets in blocks:
            b = a + len(codes)
            x[:, :, a:b] = codes_to_deepsea_onehot(codes).transpose(2, 1, 0)
            y[:, a:b] = np.asarray(targets, dtype=np.uint8).T
            a = b
        if a != n:
            raise ValueError(f"blocks gave {a} samples, expected {n}")
    with open(path, "r+b") as fh:
        fh.write(_mat73_header())


def write_mat5(path: str | os.PathLike, split: str, codes: np.ndarray, targets: np.ndarray) -> None:
    """Write ``<split>xdata`` (n, 4, L) and ``<split>data`` (n, T) uint8 as a MATLAB v5 file."""
    from scipy.io import savemat

    savemat(str(path), {f"{split}xdata": codes_to_deepsea_onehot(codes),
                        f"{split}data": np.asarray(targets, dtype=np.uint8)}, do_compression=False)
