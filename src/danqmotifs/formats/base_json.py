"""The estimated base, ``motifs/base.json``: what the estimate_base rule found and how.

A JSON object (``danqmotifs.motifs.mle.base_report`` builds it; docs/design.md section 6) whose ``ln_b``
is one number (a base shared by all kernels) or a list of one per kernel; the other keys report the
fit (``b``, ``status``, ``dloglik``, the data sizes, the kernels at a bound). Written by
:func:`write_base`, read by :func:`read_base` and interpreted by :func:`ln_b_per_kernel`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..core.errors import InputError, atomic_output


def write_base(path: str | os.PathLike, report: dict) -> None:
    """Write the report as indented JSON, atomically."""
    with atomic_output(path) as tmp:
        Path(tmp).write_text(json.dumps(report, indent=1) + "\n")


def read_base(path: str | os.PathLike) -> dict:
    """The report of a base.json; an InputError if it is missing, not JSON or has no ``ln_b``."""
    try:
        report = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a readable JSON file ({exc})", "rerun the estimate_base rule") from None
    if not isinstance(report, dict) or "ln_b" not in report:
        raise InputError(path, "no 'ln_b' key", "rerun the estimate_base rule")
    return report


def ln_b_per_kernel(report: dict, K: int, where="base.json") -> np.ndarray:
    """ln b for each of K kernels from a base.json dict (scalar broadcast), validated."""
    if "ln_b" not in report:
        raise InputError(where, "no 'ln_b' key", "rerun the estimate_base rule")
    v = np.asarray(report["ln_b"], dtype=np.float64)
    if v.ndim == 0:
        v = np.full(K, float(v))
    if v.shape != (K,):
        raise InputError(where, f"ln_b has {v.size} values for {K} kernels",
                         "rerun estimate_base: the kernel file changed since")
    if not np.all(np.isfinite(v)) or (v < 0).any():
        raise InputError(where, "ln_b holds negative or non-finite values", "rerun the estimate_base rule")
    return v
