"""Writing small data files in one call (the library streams them with ``DataWriter``)."""

from __future__ import annotations

import numpy as np

from danqmotifs.sources.datafile import DataWriter


def write_split(path, codes, targets, target_names, source, split, ids=None, attrs=None) -> None:
    """Write a whole (small) split in one call."""
    codes = np.asarray(codes, dtype=np.uint8)
    with DataWriter(path, codes.shape[1], target_names, source, split, with_ids=ids is not None,
                    attrs=attrs) as w:
        for i in range(0, codes.shape[0], 65536):
            w.append(codes[i:i + 65536], np.asarray(targets)[i:i + 65536],
                     None if ids is None else list(ids[i:i + 65536]))
