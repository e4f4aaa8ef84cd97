"""A motif method's file, ``motifs/{method}.h5``: the stack of kernel PWMs a method computed.

=============  ========  =======  =========================================================
dataset        shape     dtype    meaning
=============  ========  =======  =========================================================
``PWM_tensor``  (K, L, 4) float    one PWM per kernel, rows A, C, G, T summing to 1
``nsites``      (K,)      int      sites behind each PWM (0: none)
``dead``        (K,)      bool     optional: kernels that get no motif
(others)                           what the method adds (e.g. ``ln_b``)
=============  ========  =======  =========================================================

Attributes: ``orientation`` (correlation), ``alphabet`` (ACGT) and the method's own. Written by
the motif_method rule (:func:`write_method_file`), read by the MEME writer, the kernel table and
the fidelity test (:func:`read_method_file`, :func:`read_kernel_pwms`). ``kernel2pwm-mle`` writes
the same layout (:func:`write_pwm_file`; the PWM dataset's name is its option).
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np

from ..core.errors import InputError, atomic_output, open_hdf5


def write_method_file(path: str | os.PathLike, result) -> None:
    """Write a method's result (a ``danqmotifs.motifs.methods.MethodResult``: its ``datasets`` in order, then
    its ``attrs``) to HDF5 (no time stamps: same bytes each run)."""
    write_pwm_file(path, result.datasets, result.attrs)


def write_pwm_file(path: str | os.PathLike, datasets: dict, attrs: dict) -> None:
    """Write ``datasets`` (name -> array, in order) and then ``attrs`` to HDF5 atomically, without
    time stamps: a method's file, or ``kernel2pwm-mle``'s output (its PWM dataset under the name
    ``--PWM_tensor_name`` gives, with ``ln_b`` and ``nsites``)."""
    with atomic_output(path) as tmp:
        with h5py.File(tmp, "w") as f:
            for k, v in datasets.items():
                f.create_dataset(k, data=v, track_times=False)
            for k, v in attrs.items():
                f.attrs[k] = v


def read_method_file(path: str | os.PathLike) -> dict:
    """``pwms`` (K, L, 4), ``nsites`` (K,) and ``keep`` (K,) bool of a method's HDF5 file.

    A kernel keeps its motif unless the file marks it ``dead`` (then also when nsites is 0).
    """

    with open_hdf5(path, "kernel PWM", "run the motif stage (again)") as f:
        has_dead = "dead" in f
    return read_kernel_pwms(path, dead_key="dead" if has_dead else None)


def read_kernel_pwms(path: str | os.PathLike, dead_key: str | None = None) -> dict:
    """A kernel PWM stack from the motif stage (``pwms.h5`` or ``heuristic.h5``).

    Returns ``pwms`` (K, L, 4), ``nsites`` (K,) and ``keep`` (K,) bool: kernels that get a motif
    (all of them, except those flagged in ``dead_key`` or with no site). Kept kernels must have
    finite, non-negative rows summing to 1.
    """

    path = Path(path)
    f = open_hdf5(path, "kernel PWM", "run the motif stage (again)")
    with f:
        for key in ("PWM_tensor", "nsites") + ((dead_key,) if dead_key else ()):
            if key not in f:
                raise InputError(path, f"no '{key}' dataset", "produce the file with the motif stage")
        pwms = np.asarray(f["PWM_tensor"][()], dtype=np.float64)
        nsites = np.asarray(f["nsites"][()]).reshape(-1)
        dead = np.asarray(f[dead_key][()], dtype=bool).reshape(-1) if dead_key else None
    if pwms.ndim != 3 or pwms.shape[2] != 4 or pwms.shape[0] == 0 or pwms.shape[1] == 0:
        raise InputError(path, f"PWM_tensor has shape {pwms.shape}, not (K, L, 4)",
                         "produce the file with the motif stage")
    K = pwms.shape[0]
    if nsites.size != K or (dead is not None and dead.size != K):
        raise InputError(path, f"nsites/{dead_key} do not have one entry per kernel ({K})",
                         "produce the file with the motif stage")
    keep = nsites > 0 if dead_key else np.ones(K, bool)
    if dead is not None:
        keep &= ~dead
    kept = pwms[keep]
    if not np.all(np.isfinite(kept)) or (kept < 0).any() or \
            (kept.size and np.abs(kept.sum(axis=2) - 1).max() > 1e-6):
        raise InputError(path, "PWM_tensor has rows that are not probabilities (negative, non-finite "
                         "or not summing to 1)", "produce the file with the motif stage")
    return {"pwms": pwms, "nsites": nsites.astype(np.int64), "keep": keep}
