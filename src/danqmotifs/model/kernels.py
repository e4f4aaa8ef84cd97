"""First-layer kernels and the sequence sample used to read them (k2p's tensor layout).

The kernel file (``results/motifs/kernels.h5``):

=============  ===============  =======  ===================================================
dataset        shape            dtype    meaning
=============  ===============  =======  ===================================================
``kernels``    (K, L, 4)        float32  W, correlation orientation: row j faces base i + j
``biases``     (K,)             float32  the first layer's biases (0 without bias)
``sequences``  (n, Ls, 4)       uint8    the sample, one-hot A, C, G, T (N: all-zero row)
``rows``       (n,)             int64    the sample's row numbers in the data split
=============  ===============  =======  ===================================================

Attributes: ``layout`` = "danqmotifs-kernels", ``orientation`` = "correlation", ``alphabet`` = "ACGT",
``activation`` (the layer's: relu or exponential; a file without it is read as relu), ``source_model``, ``layer``, ``split``, ``seed``, ``n_requested``, ``positive_for``.

A Keras ``Conv1D`` kernel has shape (L, 4, K) and computes a cross-correlation, so
W = kernel.transpose(2, 0, 1) needs no flip. Kernels from Theano (k2p's files) are convolution
kernels: W_corr = W_conv[::-1, :] (``danqmotifs.core.pwm.flip_convention``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from ..core.alphabet import codes_to_onehot
from ..core.errors import InputError, atomic_output, open_hdf5
from ..sources.datafile import DataReader

LAYOUT = "danqmotifs-kernels"
#: name of the first convolution layer of the models built here (the motif kernels)
CONV_NAME = "motif_conv"


@dataclass
class KernelSet:
    W: np.ndarray               # (K, L, 4) float32, correlation orientation
    bias: np.ndarray            # (K,) float32
    layer: str = ""
    notes: tuple = ()           # remarks on the layer worth logging (strides, padding)
    activation: str = "relu"    # the layer's activation (ACTIVATIONS), what max_activation applies


#: first-layer activations the motif stages know: each is monotone and has its "off" point at a
#: pre-activation of 0 (ReLU: output 0; exponential: output 1), so every method selects windows by
#: score + bias > 0 under either (docs/design.md section 7b)
ACTIVATIONS = ("relu", "exponential")


def activation_name(layer) -> str:
    """The Keras name of a layer's activation function ("relu", "exponential", "linear", ...)."""
    act = getattr(layer, "activation", None)
    return getattr(act, "__name__", str(act)) if act is not None else "linear"


def apply_activation(z, name: str) -> np.ndarray:
    """The first layer's activation ``name`` (ACTIVATIONS) applied to pre-activations ``z``."""
    z = np.asarray(z, dtype=np.float64)
    if name == "exponential":
        return np.exp(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    raise ValueError(f"unknown first-layer activation {name!r}; known: {', '.join(ACTIVATIONS)}")


# ---------------------------------------------------------------------------------------------
# validation


def check_kernel_tensor(W, where, what: str = "kernel tensor") -> np.ndarray:
    """A (K, L, 4) finite float tensor, or an InputError naming ``where``."""
    W = np.asarray(W)
    if W.ndim == 2 and W.shape[1] == 4:
        raise InputError(where, f"the {what} has rank 2 {W.shape}; a tensor needs 3 dimensions "
                         "[kernels, length, 4]", "add a leading kernel axis (one kernel: shape (1, L, 4))")
    if W.ndim != 3:
        raise InputError(where, f"the {what} has rank {W.ndim} (shape {W.shape}), not 3",
                         "store kernels as [kernels, length, 4] (A, C, G, T in the last axis)")
    if W.shape[2] != 4:
        hint = " (a model on another alphabet, or the channel axis not last?)" if W.shape[2] in (3, 5) else ""
        raise InputError(where, f"the {what} has {W.shape[2]} channels, not 4{hint}",
                         "give DNA kernels as [kernels, length, 4] with channels A, C, G, T")
    if W.shape[0] == 0 or W.shape[1] == 0:
        raise InputError(where, f"the {what} is empty (shape {W.shape})", "give at least one kernel row")
    if not np.issubdtype(W.dtype, np.number) or np.issubdtype(W.dtype, np.complexfloating):
        raise InputError(where, f"the {what} is not real-valued (dtype {W.dtype})", "store float kernels")
    bad = ~np.isfinite(W.astype(np.float64))
    if bad.any():
        ks = np.flatnonzero(bad.any(axis=(1, 2)))
        raise InputError(where, f"the {what} contains NaN or Inf in {ks.size} kernel(s) "
                         f"(first: kernel {ks[0]}, row {np.flatnonzero(bad[ks[0]].any(axis=1))[0]})",
                         "retrain or export the model again; a diverged training leaves non-finite weights")
    return W


def check_biases(b, K: int, where) -> np.ndarray:
    b = np.asarray(b, dtype=np.float64)
    if b.shape != (K,):
        raise InputError(where, f"biases have shape {b.shape}, expected ({K},) (one per kernel)",
                         "store one bias per kernel")
    if not np.all(np.isfinite(b)):
        raise InputError(where, "biases contain NaN or Inf", "export the model again")
    return b


def check_sequence_tensor(X, L: int, where) -> np.ndarray:
    """A one-hot (n, Ls, 4) tensor with Ls >= L -> (n, Ls) uint8 codes (all-zero row = N)."""
    X = np.asarray(X)
    if X.ndim != 3:
        raise InputError(where, f"the sequence tensor has rank {X.ndim} (shape {X.shape}), not 3",
                         "store sequences as [sequences, length, 4], one-hot A, C, G, T")
    if X.shape[2] != 4:
        raise InputError(where, f"the sequence tensor has {X.shape[2]} channels, not 4",
                         "one-hot encode A, C, G, T in the last axis (N as an all-zero row)")
    if X.shape[0] == 0:
        raise InputError(where, "the sequence tensor holds no sequence", "give at least one sequence")
    if X.shape[1] < L:
        raise InputError(where, f"sequences are {X.shape[1]} bp, shorter than the kernels ({L} rows)",
                         "use sequences at least as long as the kernels")
    ones = (X == 1)
    zeros = (X == 0)
    if not np.all(ones | zeros):
        bad = np.argwhere(~(ones | zeros).all(axis=2))[0]
        raise InputError(where, f"the sequence tensor is not one-hot: sequence {bad[0]}, position "
                         f"{bad[1]} holds {X[bad[0], bad[1]].tolist()}",
                         "use 0/1 one-hot rows (soft or probabilistic encodings are not supported)")
    s = ones.sum(axis=2)
    if (s > 1).any():
        bad = np.argwhere(s > 1)[0]
        raise InputError(where, f"the sequence tensor is not one-hot: sequence {bad[0]}, position "
                         f"{bad[1]} has {int(s[bad[0], bad[1]])} ones",
                         "give exactly one 1 per row (all zeros for N)")
    codes = X.argmax(axis=2).astype(np.uint8)
    codes[s == 0] = 4
    return codes


# ---------------------------------------------------------------------------------------------
# the model


def kernels_from_layer(layer, where="model") -> KernelSet:
    """W (K, L, 4) and biases (K,) of a built Keras Conv1D layer."""
    cfg = layer.get_config()
    if tuple(np.atleast_1d(cfg.get("dilation_rate", 1))) != (1,):
        raise InputError(where, f"the first Conv1D ({layer.name}) is dilated "
                         f"(dilation_rate={cfg.get('dilation_rate')}); its windows are not contiguous",
                         "use a model whose first convolution has dilation_rate=1")
    if int(cfg.get("groups", 1)) != 1:
        raise InputError(where, f"the first Conv1D ({layer.name}) is a grouped convolution",
                         "use a model whose first convolution has groups=1")
    kernel = np.asarray(layer.kernel.numpy() if hasattr(layer.kernel, "numpy") else layer.kernel)
    if kernel.ndim != 3 or kernel.shape[1] != 4:
        raise InputError(where, f"the first Conv1D ({layer.name}) has kernel shape {kernel.shape}: "
                         f"{kernel.shape[1] if kernel.ndim == 3 else '?'} input channels, not 4",
                         "the first Conv1D must read one-hot DNA (4 channels A, C, G, T)")
    W = kernel.transpose(2, 0, 1).astype(np.float32)
    if layer.use_bias and layer.bias is not None:
        b = np.asarray(layer.bias.numpy() if hasattr(layer.bias, "numpy") else layer.bias, dtype=np.float32)
    else:
        b = np.zeros(W.shape[0], dtype=np.float32)
    check_kernel_tensor(W, where, "first-layer kernel")
    check_biases(b, W.shape[0], where)
    notes = []
    if tuple(np.atleast_1d(cfg.get("strides", 1))) != (1,):
        notes.append(f"the layer has strides={cfg.get('strides')}: the model sees every stride-th window, "
                     "the motif stage scans all windows")
    if cfg.get("padding", "valid") != "valid":
        notes.append(f"the layer pads its input ({cfg.get('padding')}); only windows inside the sequence are scanned")
    act = activation_name(layer)
    if act not in ACTIVATIONS:
        raise InputError(where, f"the first Conv1D ({layer.name}) has activation {act!r}: the motif methods "
                         "select a kernel's windows by score + bias > 0, which holds for "
                         f"{' and '.join(ACTIVATIONS)} only",
                         "give a model whose first Conv1D has activation='relu' or 'exponential' inside the layer")
    return KernelSet(W, b, layer.name, tuple(notes), act)


# ---------------------------------------------------------------------------------------------
# the sequence sample


def sample_rows(reader: DataReader, n: int, seed: int, positive_for=(), where="motifs.positive_for",
                block: int = 65536) -> tuple[np.ndarray, dict]:
    """Sorted row numbers of a seeded sample of ``n`` sequences of a data split.

    With ``positive_for`` (target names), only rows positive for any of them are candidates. If
    fewer than ``n`` candidates exist, all are used (``info["note"]`` says so when ``positive_for``
    narrowed them; a split smaller than ``n`` is used whole without a note, as config.yaml says).
    """
    positive_for = list(positive_for or [])
    info = {"n_rows": int(reader.n), "n_requested": int(n), "positive_for": positive_for}
    if positive_for:
        index = {t: i for i, t in enumerate(reader.target_names)}
        missing = [t for t in positive_for if t not in index]
        if missing:
            shown = ", ".join(reader.target_names[:8]) + (", ..." if reader.n_targets > 8 else "")
            raise InputError(where, f"target(s) {', '.join(missing)} not in {reader.path} (its targets: {shown})",
                             "use target names exactly as stored in the data file")
        cols = np.array(sorted(index[t] for t in positive_for))
        cand = []
        for s in range(0, reader.n, block):
            tg = reader.targets[s:min(s + block, reader.n)]
            cand.append(s + np.flatnonzero(tg[:, cols].any(axis=1)))
        candidates = np.concatenate(cand) if cand else np.zeros(0, dtype=np.int64)
        if candidates.size == 0:
            raise InputError(where, f"no sequence of {reader.path} is positive for {', '.join(positive_for)}",
                             "choose other targets or leave motifs.positive_for empty")
    else:
        candidates = np.arange(reader.n)
    info["n_candidates"] = int(candidates.size)
    if candidates.size <= n:
        rows = candidates.astype(np.int64)
        if candidates.size < n and positive_for:     # a whole small split is the documented default
            info["note"] = (f"only {candidates.size} candidate sequences for {n} requested: using all of them")
    else:
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(candidates, size=n, replace=False)).astype(np.int64)
    info["n_used"] = int(rows.size)
    return rows, info


def read_sample(data_path, n: int, seed: int, positive_for=()) -> tuple[np.ndarray, np.ndarray, dict]:
    """(codes (n, Ls), rows, info) of the seeded sample of a data split."""
    with DataReader(data_path) as r:
        rows, info = sample_rows(r, n, seed, positive_for)
        codes, _ = r.read_rows(rows)
    return codes, rows, info


# ---------------------------------------------------------------------------------------------
# the kernel file


def write_kernels_file(path, W, bias, codes, rows=None, attrs: dict | None = None) -> None:
    """Write kernels.h5 atomically (deterministic bytes: no timestamps)."""
    W = np.asarray(W, dtype=np.float32)
    bias = np.asarray(bias, dtype=np.float32)
    codes = np.asarray(codes, dtype=np.uint8)
    rows = np.arange(codes.shape[0]) if rows is None else np.asarray(rows)
    with atomic_output(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("kernels", data=W, track_times=False)
            f.create_dataset("biases", data=bias, track_times=False)
            onehot = f.create_dataset("sequences", shape=codes.shape + (4,), dtype="u1",
                                      chunks=(min(256, max(1, codes.shape[0])), codes.shape[1], 4),
                                      track_times=False)
            for s in range(0, codes.shape[0], 4096):
                onehot[s:s + 4096] = codes_to_onehot(codes[s:s + 4096], dtype=np.uint8)
            f.create_dataset("rows", data=rows.astype(np.int64), track_times=False)
            a = f.attrs
            a["layout"] = LAYOUT
            a["orientation"] = "correlation"
            a["alphabet"] = "ACGT"
            for k, v in (attrs or {}).items():
                a[k] = json.dumps(v) if isinstance(v, (list, dict)) else v


@dataclass
class KernelFile:
    W: np.ndarray               # (K, L, 4) float32, correlation orientation
    bias: np.ndarray            # (K,) float64
    codes: np.ndarray           # (n, Ls) uint8
    attrs: dict


def read_kernels_file(path, with_sequences: bool = True) -> KernelFile:
    """Read and validate kernels.h5 (``with_sequences=False``: codes is an empty (0, 0) array)."""
    path = Path(path)
    f = open_hdf5(path, "kernel", "run the dump_kernels rule (again)")
    with f:
        if f.attrs.get("layout") != LAYOUT or not all(k in f for k in ("kernels", "biases", "sequences")):
            raise InputError(path, "not a danqmotifs kernel file (missing layout attribute or datasets)",
                             "produce it with the dump_kernels rule")
        if f.attrs.get("orientation") != "correlation":
            raise InputError(path, f"orientation is {f.attrs.get('orientation')!r}, not 'correlation'",
                             "write kernels in correlation orientation (flip Theano kernels' rows)")
        W = check_kernel_tensor(f["kernels"][()], path)
        bias = check_biases(f["biases"][()], W.shape[0], path)
        codes = (check_sequence_tensor(f["sequences"][()], W.shape[1], path) if with_sequences
                 else np.zeros((0, 0), dtype=np.uint8))
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    if attrs.setdefault("activation", "relu") not in ACTIVATIONS:
        raise InputError(path, f"its first-layer activation is {attrs['activation']!r}",
                         f"the motif stages know {', '.join(ACTIVATIONS)}; rerun the dump_kernels rule")
    return KernelFile(W, bias, codes, attrs)


def read_tensor(path, name: str | None, role: str, preferred: str | None = None,
                option: str = "the dataset-name option"):
    """A dataset of an HDF5 file, for the k2p-style tools.

    ``name`` None: the dataset called ``preferred`` if the file has one, else the file's only dataset
    of rank 3 (k2p files hold a single tensor). Several rank-3 datasets and none of them called
    ``preferred`` is ambiguous: an InputError listing them and asking for ``option`` (never a guess).
    Returns (array, name used, file attributes).
    """
    path = Path(path)
    f = open_hdf5(path, role, f"correct the path; give the {role} as a complete HDF5 file")
    with f:
        names = []
        f.visititems(lambda k, obj: names.append(k) if isinstance(obj, h5py.Dataset) else None)
        if name is None:
            if preferred and preferred in names:
                name = preferred
            else:
                rank3 = [k for k in names if f[k].ndim == 3]
                if not rank3:
                    raise InputError(path, f"no 3-dimensional dataset for the {role} (datasets: "
                                     f"{', '.join(names) or 'none'})",
                                     f"store the {role} as [count, length, 4] or name it with {option}")
                if len(rank3) > 1:
                    shapes = ", ".join(f"{k} {f[k].shape}" for k in rank3)
                    raise InputError(path, f"{len(rank3)} 3-dimensional datasets could hold the {role} "
                                     f"({shapes})", f"name the {role} with {option}")
                name = rank3[0]
        if name not in f or not isinstance(f[name], h5py.Dataset):
            raise InputError(path, f"no dataset named {name!r} (datasets: {', '.join(names) or 'none'})",
                             "pass one of the dataset names listed")
        data = f[name][()]
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    return data, name, attrs
