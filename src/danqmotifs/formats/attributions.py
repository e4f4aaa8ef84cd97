"""The attribution file (danqmotifs.attribution.attribute writes it): its layout tag and its reader, apart from
the attribution code so that readers (the modisco rule) need no deep-learning library."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.alphabet import codes_to_onehot
from ..core.errors import InputError

#: the layout attribute of an attribution file
LAYOUT = "danqmotifs-attributions-1"


def read_attributions(path, target: str, window: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(one-hot (m, W, 4) float32, hypothetical (m, W, 4) float32, rows (m,)) of the sequences of an
    attribution file positive for ``target``, cut to the central ``window`` bp (0: all)."""
    import h5py

    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise InputError(path, f"cannot read the attribution file ({exc})", "rerun the attribution rule") from None
    with f:
        if f.attrs.get("layout") != LAYOUT:
            raise InputError(path, "not an attribution file (no layout attribute)", "rerun the attribution rule")
        targets = [t.decode() if isinstance(t, bytes) else str(t) for t in f["targets"][()]]
        if target not in targets:
            raise InputError(path, f"no attributions for target {target!r} (it has {', '.join(targets)})",
                             "rerun the attribution rule with that target")
        j = targets.index(target)
        L = f["codes"].shape[1]
        if window and window > L:
            raise InputError("attribution.modisco.window", f"the window ({window} bp) is longer than the "
                             f"sequences ({L} bp)", f"use a window of at most {L} bp, or 0 for the whole sequence")
        w = window or L
        s = (L - w) // 2
        keep = np.flatnonzero(f["labels"][:, j] > 0)
        codes = f["codes"][:, s:s + w][keep]
        hyp = f["hypothetical"][j, :, s:s + w][keep]
        rows = f["rows"][()][keep]
    return codes_to_onehot(codes), np.asarray(hyp, dtype=np.float32), rows
