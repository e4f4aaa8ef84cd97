"""Every method's full p-value matrices in one HDF5 file (``results/match/pvalues.h5``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import InputError, atomic_output, require_file
from .result import MatchResult


def save_results(path, results: dict[str, MatchResult]) -> None:
    """Every method's full matrices in one HDF5 file.

    Datasets ``target_ids``, ``target_names`` and, per method, ``<method>.query_ids``,
    ``<method>.p_value`` ... ``<method>.reported`` (flat names: no groups, no timestamps).
    """
    import h5py

    s = h5py.string_dtype("utf-8")
    first = next(iter(results.values()))
    with atomic_output(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["methods"] = list(results)
            f.attrs["engine"] = first.engine
            f.attrs["distance"] = first.distance
            f.create_dataset("target_ids", data=np.array(first.target_ids, dtype=object), dtype=s,
                             track_times=False)
            f.create_dataset("target_names", data=np.array(first.target_names, dtype=object), dtype=s,
                             track_times=False)
            for method, r in results.items():
                if r.target_ids != first.target_ids:
                    raise ValueError("every method must be matched against the same targets")
                f.create_dataset(f"{method}.query_ids", data=np.array(r.query_ids, dtype=object),
                                 dtype=s, track_times=False)
                for name in ("p_value", "q_value", "offset", "overlap", "orientation", "reported"):
                    f.create_dataset(f"{method}.{name}", data=getattr(r, name), track_times=False)


def load_results(path) -> dict[str, MatchResult]:
    """Inverse of :func:`save_results`."""
    import h5py

    path = Path(path)
    require_file(path, "the p-value file", "run the match rule first")
    out = {}
    with h5py.File(path, "r") as f:
        dec = lambda a: [x.decode() if isinstance(x, bytes) else str(x) for x in a]
        tids, tnames = dec(f["target_ids"][()]), dec(f["target_names"][()])
        for method in dec(f.attrs["methods"]):
            g = lambda n: f[f"{method}.{n}"][()]
            out[method] = MatchResult(dec(g("query_ids")), tids, tnames, g("p_value"), g("q_value"),
                                      g("offset"), g("overlap"), g("orientation"),
                                      engine=str(f.attrs["engine"]), distance=str(f.attrs["distance"]),
                                      reported=g("reported").astype(bool))
    return out

