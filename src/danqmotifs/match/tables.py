"""Match tables (one TSV row per query/target pair), best matches and the summary counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import InputError, atomic_output, require_file
from .result import MatchResult, best_indices, count_matched

COLUMNS = ["query", "method", "target_id", "target_name", "p_value", "e_value", "q_value",
           "offset", "overlap", "orientation"]


def _rows(res: MatchResult, method: str, ii: np.ndarray, jj: np.ndarray):
    import pandas as pd

    return pd.DataFrame({
        "query": np.asarray(res.query_ids, dtype=object)[ii] if len(ii) else [],
        "method": method,
        "target_id": np.asarray(res.target_ids, dtype=object)[jj] if len(jj) else [],
        "target_name": np.asarray(res.target_names, dtype=object)[jj] if len(jj) else [],
        "p_value": res.p_value[ii, jj],
        "e_value": res.e_value[ii, jj],
        "q_value": res.q_value[ii, jj],
        "offset": res.offset[ii, jj].astype(int),
        "overlap": res.overlap[ii, jj].astype(int),
        "orientation": np.where(res.orientation[ii, jj] == 1, "-", "+"),
    }, columns=COLUMNS)


def match_table(res: MatchResult, method: str, max_q: float = 1.0):
    """Reported pairs with q <= ``max_q``, by query (file order) then p-value."""
    keep = res.reported & (res.q_value <= max_q)
    ii, jj = np.nonzero(keep)
    order = np.lexsort((jj, res.p_value[ii, jj], ii))
    return _rows(res, method, ii[order], jj[order])



def best_table(res: MatchResult, method: str):
    """One row per query with a reported match: its best target."""
    best = best_indices(res)
    ii = np.flatnonzero(best >= 0)
    return _rows(res, method, ii, best[ii])



def write_table(df, path) -> None:
    """A match table as TSV (atomic; floats with 6 significant digits)."""
    with atomic_output(path) as tmp:
        df.to_csv(tmp, sep="\t", index=False, float_format="%.6g")


def read_table(path):
    """Read a table written by :func:`write_table`; checks the columns."""
    import pandas as pd

    path = Path(path)
    require_file(path, "the match table", "run the matching first")
    df = pd.read_csv(path, sep="\t", dtype={"query": str, "target_id": str, "target_name": str,
                                             "method": str, "orientation": str},
                     keep_default_na=False)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}",
                         "give a table written by motif-match or the match rule")
    return df


def summary(results: dict[str, MatchResult], evalue_threshold: float) -> dict:
    """Counts per method of queries whose best match has E < threshold, with the distance used."""
    out = {"evalue_threshold": evalue_threshold, "methods": {}}
    for method, res in results.items():
        best = best_indices(res)
        out["engine"] = res.engine
        out["distance"] = res.distance
        out["n_targets"] = res.n_targets
        hit = [res.target_ids[b] for i, b in enumerate(best)
               if b >= 0 and res.e_value[i, b] < evalue_threshold]
        out["methods"][method] = {
            "n_motifs": len(res.query_ids),
            "n_matched": count_matched(res, evalue_threshold),
            "n_distinct_best_targets": len(set(hit)),
        }
    return out

