"""Matching motifs against a motif database with Tomtom's algorithm.

Two engines give the same table:

- ``memelite``: the Tomtom algorithm re-implemented with numba (euclidean distance only). Its first
  call in a fresh environment compiles for about 90 s; the compiled code is cached beside the
  package (site-packages), so later calls start in a second.
- ``meme``: the MEME suite's ``tomtom`` binary (found on PATH), run with user arguments, its
  tab-separated output parsed.

Conventions of the table (one row per query/target pair):

- ``p_value``: the p-value of the best alignment over offsets and both strands of the target.
- ``e_value`` = p x number of targets; ``q_value``: Benjamini-Hochberg over the query's p-values
  against every target (memelite); for the ``meme`` engine, Tomtom's own q-value.
- ``offset``: query column i faces target column i + offset (the target reverse-complemented when
  ``orientation`` is '-'); ``overlap``: aligned columns.

Every count of matched motifs states the distance it used: with the euclidean distance, wide
low-information motifs match something at E < 0.01 almost always.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import InputError, atomic_output, run_guarded
from .motif import Motif

COLUMNS = ["query", "method", "target_id", "target_name", "p_value", "e_value", "q_value",
           "offset", "overlap", "orientation"]
ENGINES = ("memelite", "meme")
#: Tomtom's default column distance when ``-dist`` is not given
TOMTOM_DEFAULT_DIST = "pearson"


@dataclass
class MatchResult:
    """All query x target comparisons of one query set (arrays are (n_queries, n_targets)).

    ``reported`` is False where the engine gave no value (the ``meme`` engine reports only pairs
    under its threshold); there p = q = 1 and offset = overlap = 0.
    """

    query_ids: list[str]
    target_ids: list[str]
    target_names: list[str]
    p_value: np.ndarray
    q_value: np.ndarray
    offset: np.ndarray
    overlap: np.ndarray
    orientation: np.ndarray  # 0: '+', 1: '-' (target reverse-complemented)
    engine: str = "memelite"
    distance: str = "euclidean"
    reported: np.ndarray | None = field(default=None)

    def __post_init__(self):
        shape = (len(self.query_ids), len(self.target_ids))
        for name in ("p_value", "q_value", "offset", "overlap", "orientation"):
            if np.shape(getattr(self, name)) != shape:
                raise ValueError(f"{name} must have shape {shape}, got {np.shape(getattr(self, name))}")
        if self.reported is None:
            self.reported = np.ones(shape, dtype=bool)

    @property
    def n_targets(self) -> int:
        return len(self.target_ids)

    @property
    def e_value(self) -> np.ndarray:
        return self.p_value * self.n_targets


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values along the last axis (each row its own family).

    q_(i) = min_{j >= i} p_(j) * m / j over the sorted p-values, capped at 1.
    """
    p = np.asarray(p, dtype=np.float64)
    m = p.shape[-1]
    if m == 0:
        return p.copy()
    order = np.argsort(p, axis=-1, kind="stable")
    ps = np.take_along_axis(p, order, axis=-1)
    ranks = np.arange(1, m + 1, dtype=np.float64)
    q = ps * m / ranks
    q = np.minimum.accumulate(q[..., ::-1], axis=-1)[..., ::-1]
    q = np.minimum(q, 1.0)
    out = np.empty_like(q)
    np.put_along_axis(out, order, q, axis=-1)
    return out


def tomtom_memelite(queries: Sequence[Motif], targets: Sequence[Motif], n_jobs: int = -1) -> MatchResult:
    """Compare every query with every target using memelite's Tomtom (euclidean distance).

    Both strands of each target are tried; p-values are merged over strands as Tomtom does.
    """
    if not queries or not targets:
        raise ValueError("need at least one query and one target motif")
    import warnings

    from memelite import tomtom

    Q = [np.ascontiguousarray(m.pwm.T, dtype=np.float64) for m in queries]
    T = [np.ascontiguousarray(m.pwm.T, dtype=np.float64) for m in targets]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # few-target warning: caller's choice
        p, _scores, offsets, overlaps, strands = tomtom(Q, T, n_jobs=n_jobs)
    p = np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)
    return MatchResult([m.id for m in queries], [m.id for m in targets], [m.name for m in targets],
                       p, bh_qvalues(p), offsets.astype(np.int32), overlaps.astype(np.int32),
                       strands.astype(np.int8), engine="memelite", distance="euclidean")


# --- the MEME suite's tomtom -----------------------------------------------------------------

def distance_of(engine: str, tomtom_args: str = "") -> str:
    """The column distance an engine uses (memelite: euclidean; meme: ``-dist`` or Tomtom's default)."""
    if engine == "memelite":
        return "euclidean"
    toks = shlex.split(tomtom_args)
    for i, t in enumerate(toks):
        if t in ("-dist", "--dist") and i + 1 < len(toks):
            return toks[i + 1]
    return TOMTOM_DEFAULT_DIST


_TSV_NAMES = {"query_id": "query", "target_id": "target_id", "optimal_offset": "offset",
              "p-value": "p_value", "e-value": "e_value", "q-value": "q_value", "overlap": "overlap",
              "orientation": "orientation"}


def parse_tomtom_tsv(text: str, source: str = "tomtom output"):
    """Tomtom's tab-separated output (``tomtom.tsv`` or ``-text``) -> a DataFrame with columns
    query, target_id, offset, p_value, e_value, q_value, overlap, orientation.

    Comment lines ('#' followed by text after the header) are skipped; both the current header
    (``Query_ID ...``) and the older one (``#Query ID ...``) are understood.
    """
    import pandas as pd

    lines = [l for l in text.splitlines() if l.strip()]
    header_at = None
    for i, l in enumerate(lines):
        key = l.lstrip("#").strip().lower().replace(" ", "_")
        if key.startswith("query_id"):
            header_at = i
            break
    if header_at is None:
        raise InputError(source, "no header line starting with 'Query_ID': not Tomtom's tab-separated "
                         "output", "give the tomtom.tsv file (or tomtom -text output)")
    header = [h.strip().lower().replace(" ", "_") for h in lines[header_at].lstrip("#").split("\t")]
    missing = [k for k in _TSV_NAMES if k not in header]
    if missing:
        raise InputError(source, f"Tomtom header lacks the column(s) {', '.join(missing)}",
                         "give the tomtom.tsv file of MEME suite 5 (or tomtom -text output)")
    rows = []
    for n, l in enumerate(lines[header_at + 1:], start=header_at + 2):
        if l.startswith("#"):
            continue
        f = l.split("\t")
        if len(f) < len(header):
            raise InputError(source, f"line {n}: {len(f)} fields, the header has {len(header)}",
                             "give Tomtom's unmodified tab-separated output")
        d = dict(zip(header, f))
        try:
            rows.append({"query": d["query_id"], "target_id": d["target_id"],
                         "offset": int(d["optimal_offset"]), "p_value": float(d["p-value"]),
                         "e_value": float(d["e-value"]), "q_value": float(d["q-value"]),
                         "overlap": int(d["overlap"]), "orientation": d["orientation"].strip()})
        except ValueError:
            raise InputError(source, f"line {n}: a number field is not numeric",
                             "give Tomtom's unmodified tab-separated output") from None
        if rows[-1]["orientation"] not in ("+", "-"):
            raise InputError(source, f"line {n}: orientation {rows[-1]['orientation']!r} is not + or -",
                             "give Tomtom's unmodified tab-separated output")
    return pd.DataFrame(rows, columns=["query", "target_id", "offset", "p_value", "e_value", "q_value",
                                       "overlap", "orientation"])


def result_from_table(df, query_ids: Sequence[str], targets: Sequence[Motif], distance: str,
                      engine: str = "meme", source: str = "tomtom output") -> MatchResult:
    """Full matrices from a parsed Tomtom table; pairs it does not list are marked unreported."""
    qi = {q: i for i, q in enumerate(query_ids)}
    ti = {t.id: j for j, t in enumerate(targets)}
    shape = (len(query_ids), len(targets))
    p, q = np.ones(shape), np.ones(shape)
    off, ov = np.zeros(shape, np.int32), np.zeros(shape, np.int32)
    ori, rep = np.zeros(shape, np.int8), np.zeros(shape, bool)
    for r in df.itertuples(index=False):
        if r.query not in qi:
            raise InputError(source, f"query {r.query!r} is not in the query file", "rerun tomtom on it")
        if r.target_id not in ti:
            raise InputError(source, f"target {r.target_id!r} is not in the target database",
                             "run tomtom against the same database file")
        i, j = qi[r.query], ti[r.target_id]
        p[i, j], q[i, j], off[i, j], ov[i, j] = r.p_value, r.q_value, r.offset, r.overlap
        ori[i, j] = 1 if r.orientation == "-" else 0
        rep[i, j] = True
    return MatchResult(list(query_ids), [t.id for t in targets], [t.name for t in targets], p, q, off,
                       ov, ori, engine=engine, distance=distance, reported=rep)


def tomtom_binary(query_path, db_path, query_ids: Sequence[str], targets: Sequence[Motif],
                  tomtom_args: str, exe: str = "tomtom") -> MatchResult:
    """Run the MEME suite's ``tomtom`` (``exe`` on PATH) and read its table into a MatchResult."""
    found = shutil.which(exe)
    if found is None:
        raise InputError("engine meme", f"the MEME suite's {exe!r} program is not on PATH",
                         "install the MEME suite and put tomtom on PATH, or use the memelite engine")
    args = shlex.split(tomtom_args)
    if "-text" not in args:
        args.append("-text")
    cmd = [found, *args, str(query_path), str(db_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        raise InputError(" ".join(shlex.quote(c) for c in cmd),
                         f"tomtom exited with status {proc.returncode}: {' / '.join(tail)}",
                         "check match.tomtom_args and the two MEME files")
    df = parse_tomtom_tsv(proc.stdout, source=f"{exe} output")
    return result_from_table(df, query_ids, targets, distance_of("meme", tomtom_args), "meme",
                             source=f"{exe} output")


def match_motifs(queries: Sequence[Motif], targets: Sequence[Motif], engine: str = "memelite",
                 query_path=None, db_path=None, tomtom_args: str = "", n_jobs: int = -1) -> MatchResult:
    """Match with the chosen engine (``meme`` needs the two MEME files on disk)."""
    if engine == "memelite":
        return tomtom_memelite(queries, targets, n_jobs=n_jobs)
    if engine == "meme":
        if query_path is None or db_path is None:
            raise ValueError("the meme engine needs query_path and db_path")
        return tomtom_binary(query_path, db_path, [m.id for m in queries], targets, tomtom_args)
    raise InputError(f"match.engine: {engine}", "unknown engine", f"use one of {', '.join(ENGINES)}")


# --- tables ---------------------------------------------------------------------------------

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


def best_indices(res: MatchResult) -> np.ndarray:
    """Per query, the target with the smallest p-value (ties: the first target); -1 if none reported."""
    p = np.where(res.reported, res.p_value, np.inf)
    best = np.argmin(p, axis=1)
    best[~res.reported.any(axis=1)] = -1
    return best


def best_table(res: MatchResult, method: str):
    """One row per query with a reported match: its best target."""
    best = best_indices(res)
    ii = np.flatnonzero(best >= 0)
    return _rows(res, method, ii, best[ii])


def count_matched(res: MatchResult, evalue_threshold: float) -> int:
    """Queries whose best match has E < ``evalue_threshold``."""
    return int(((res.e_value < evalue_threshold) & res.reported).any(axis=1).sum())


def write_table(df, path) -> None:
    """A match table as TSV (atomic; floats with 6 significant digits)."""
    with atomic_output(path) as tmp:
        df.to_csv(tmp, sep="\t", index=False, float_format="%.6g")


def read_table(path):
    """Read a table written by :func:`write_table`; checks the columns."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(path, "the match table does not exist", "run the matching first")
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


# --- all p-values on disk -------------------------------------------------------------------

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
    if not path.exists():
        raise InputError(path, "the p-value file does not exist", "run the match rule first")
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


# --- command line ---------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="motif-match",
        description="Match the motifs of a MEME file against JASPAR (offline, from pyjaspar) or any "
                    "MEME database with Tomtom's algorithm; write one TSV row per query/target pair.")
    ap.add_argument("query", help="query motifs (MEME format)")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--jaspar-release", default="JASPAR2024",
                     help="JASPAR release shipped by pyjaspar (default JASPAR2024)")
    src.add_argument("--db", help="target motifs (MEME format) instead of JASPAR")
    ap.add_argument("--collection", default="CORE", help="JASPAR collection (default CORE)")
    ap.add_argument("--tax-group", default="vertebrates",
                    help="JASPAR taxonomic group, '' for all (default vertebrates)")
    ap.add_argument("--engine", choices=ENGINES, default="memelite",
                    help="memelite (default; euclidean distance) or meme (the tomtom program on PATH)")
    ap.add_argument("--tomtom-args", default="-no-ssc -min-overlap 5 -dist pearson -evalue -thresh 0.01",
                    help="arguments for the meme engine (default: the DanQ paper's)")
    ap.add_argument("--method", default=None,
                    help="value of the method column (default: the query file's name without .meme)")
    ap.add_argument("--max-q", type=float, default=0.5,
                    help="keep pairs with q <= this (default 0.5)")
    ap.add_argument("--evalue-threshold", type=float, default=0.01,
                    help="E-value under which a query counts as matched in the summary (default 0.01)")
    ap.add_argument("--threads", type=int, default=-1, help="threads for memelite (default: all)")
    ap.add_argument("--best", help="also write the best match of each query to this TSV")
    ap.add_argument("--out", required=True, help="output TSV")
    return ap


def run(argv: Sequence[str] | None = None) -> dict:
    """The command line's work; returns the summary it prints."""
    from .jaspar import fetch_collection
    from .meme import read_meme, write_meme

    a = _parser().parse_args(argv)
    queries, _bg = read_meme(a.query)
    method = a.method or Path(a.query).name.removesuffix(".meme").removesuffix(".txt")
    tmpdir = None
    if a.db:
        targets, _ = read_meme(a.db)
        db_path = a.db
    else:
        targets = fetch_collection(a.jaspar_release, a.collection, a.tax_group or None)
        db_path = None
        if a.engine == "meme":
            import tempfile

            tmpdir = tempfile.TemporaryDirectory()
            db_path = Path(tmpdir.name) / "targets.meme"
            write_meme(db_path, targets)
    try:
        res = match_motifs(queries, targets, a.engine, a.query, db_path, a.tomtom_args, a.threads)
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()
    write_table(match_table(res, method, a.max_q), a.out)
    if a.best:
        write_table(best_table(res, method), a.best)
    s = summary({method: res}, a.evalue_threshold)
    print(json.dumps(s, indent=1))
    return s


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``motif-match`` console script."""
    run_guarded(lambda: run(argv))


def best_p_figure(path, results: dict[str, MatchResult], evalue_threshold: float = 0.01) -> None:
    """Each kernel's best -log10 p: one method against the other (two methods) or a histogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = list(results)
    first = results[methods[0]]
    line = -np.log10(evalue_threshold / first.n_targets)

    def best_neglog(res):
        b = best_indices(res)
        return {q: float(-np.log10(max(res.p_value[i, b[i]], 1e-300))) if b[i] >= 0 else 0.0
                for i, q in enumerate(res.query_ids)}

    vals = {m: best_neglog(r) for m, r in results.items()}
    title = (f"best match per kernel ({first.engine}, {first.distance} distance, "
             f"{first.n_targets} targets); dashed: E = {evalue_threshold:g}")
    if len(methods) == 2:
        a, b = methods
        fig, ax = plt.subplots(figsize=(6, 6))
        ids = sorted(set(vals[a]) | set(vals[b]))
        both = [k for k in ids if k in vals[a] and k in vals[b]]
        only_a = [k for k in ids if k not in vals[b]]
        ax.scatter([vals[b][k] for k in both], [vals[a][k] for k in both], s=14, color="k",
                   label=f"kernels ({len(both)})")
        if only_a:
            ax.scatter([0] * len(only_a), [vals[a][k] for k in only_a], s=18, marker="x", color="#d62728",
                       label=f"no {b} motif ({len(only_a)})")
        top = max([line, *vals[a].values(), *vals[b].values()]) * 1.05
        ax.plot([0, top], [0, top], color="grey", lw=1)
        ax.axvline(line, ls="--", color="grey", lw=1)
        ax.axhline(line, ls="--", color="grey", lw=1)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        n_a = sum(v > line for v in vals[a].values())
        n_b = sum(v > line for v in vals[b].values())
        ax.set_xlabel(f"{b}: best -log10 p  ({n_b} with E < {evalue_threshold:g})")
        ax.set_ylabel(f"{a}: best -log10 p  ({n_a} with E < {evalue_threshold:g})")
        ax.legend(fontsize=8, loc="lower right")
    else:
        fig, ax = plt.subplots(figsize=(6, 4))
        for m in methods:
            ax.hist(list(vals[m].values()), bins=30, alpha=0.6, label=m)
        ax.axvline(line, ls="--", color="grey", lw=1)
        ax.set_xlabel("best -log10 p")
        ax.set_ylabel("kernels")
        ax.legend(fontsize=8)
    ax.set_title(title, fontsize=8)
    fig.tight_layout()
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
