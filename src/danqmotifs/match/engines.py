"""The Tomtom engines: ``native`` (this package's Tomtom, :mod:`danqmotifs.tomtom`: Pearson or
euclidean column distance, numba), ``memelite`` (in process, euclidean distance only) and ``meme``
(the MEME suite's ``tomtom`` program run on the two MEME files, its tab-separated output parsed).
``auto`` picks ``native`` for the Pearson distance and ``memelite`` for the euclidean one."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from typing import Sequence

import numpy as np

from ..core.errors import InputError
from ..core.motif import Motif
from ..tomtom import distances
from .result import MatchResult, bh_qvalues

ENGINES = ("auto", "native", "memelite", "meme")
#: column distances the workflow offers (the table in danqmotifs/tomtom/distances.json)
DISTANCES = distances.NAMES


def resolve_engine(engine: str, distance: str) -> str:
    """The engine that runs: ``auto`` -> the distance's ``auto_engine`` (native for Pearson,
    memelite for euclidean); an engine that does not offer the distance (memelite with Pearson)
    is an InputError."""
    if distance not in DISTANCES:
        raise InputError(f"match.distance: {distance}", "unknown column distance",
                         f"use one of {', '.join(DISTANCES)}")
    row = distances.TABLE[distance]
    if engine not in ENGINES:
        raise InputError(f"match.engine: {engine}", "unknown engine", f"use one of {', '.join(ENGINES)}")
    if engine == "auto":
        return row.auto_engine
    if engine not in row.engines:
        raise InputError(f"match.engine: {engine}", f"{engine} implements only the "
                         f"{' and '.join(distances.offered_by(engine))} distance, not {distance}",
                         "use engine auto or native (this package's Tomtom)")
    return engine


def _dist_value(toks: list[str]) -> int | None:
    """Index of the value of ``-dist`` in MEME tomtom's arguments (None without one)."""
    for i, t in enumerate(toks):
        if t in ("-dist", "--dist") and i + 1 < len(toks):
            return i + 1
    return None


def tomtom_args_for(tomtom_args: str, distance: str) -> str:
    """MEME tomtom's arguments with ``-dist`` set to ``distance`` under MEME's name of it
    (``euclidean``: ``-dist ed``); ``-dist`` already there under any alias of ``distance`` is
    written with MEME's name, another distance is an InputError."""
    meme = distances.get(distance).meme_dist
    toks = shlex.split(tomtom_args)
    at = _dist_value(toks)
    if at is None:
        return f"{tomtom_args} -dist {meme}".strip()
    given = toks[at]
    if distances.canonical(given) != distances.canonical(distance):
        raise InputError(f"match.tomtom_args: {tomtom_args}", f"-dist {given} contradicts match.distance "
                         f"{distance}", "remove -dist from tomtom_args or make the two agree")
    if given == meme:
        return tomtom_args
    toks[at] = meme
    return shlex.join(toks)


def settings_for(distance: str, engine: str, tomtom_args: str, configured: str) -> tuple[str, str]:
    """(engine, tomtom_args) for matching under ``distance`` when the config names ``configured``
    (match.distance) with ``engine`` and ``tomtom_args``: unchanged for ``configured``; for another
    distance (the planted benchmark's second one) the engine if it offers that distance, else
    ``auto``, and the arguments without their ``-dist``, which names ``configured``."""
    if distance == configured:
        return engine, tomtom_args
    if engine != "auto" and engine not in distances.get(distance).engines:
        engine = "auto"
    toks = shlex.split(tomtom_args)
    at = _dist_value(toks)
    if at is not None:
        tomtom_args = shlex.join(toks[:at - 1] + toks[at + 1:])
    return engine, tomtom_args


def tomtom_native(queries: Sequence[Motif], targets: Sequence[Motif], distance: str = "pearson",
                  n_jobs: int | None = None, background=None, min_overlap: int = 5) -> MatchResult:
    """Compare every query with every target using this package's Tomtom (danqmotifs.tomtom):
    MEME tomtom's algorithm, p-values, offsets and q-values, ``-min-overlap`` ``min_overlap``;
    ``background`` is the query file's (as tomtom takes it), uniform when None."""
    if not queries or not targets:
        raise ValueError("need at least one query and one target motif")
    from ..tomtom import tomtom

    r = tomtom(list(queries), list(targets), distance=distance, min_overlap=min_overlap,
               n_jobs=None if n_jobs is None or n_jobs < 1 else n_jobs, background=background)
    return MatchResult([m.id for m in queries], [m.id for m in targets], [m.name for m in targets],
                       r.p_values, r.q_values, r.offsets.astype(np.int32), r.overlaps.astype(np.int32),
                       r.orientations.astype(np.int8), engine="native", distance=distance)


def tomtom_memelite(queries: Sequence[Motif], targets: Sequence[Motif], n_jobs: int = -1) -> MatchResult:
    """Compare every query with every target using memelite's Tomtom (euclidean distance).

    Both strands of each target are tried; p-values are merged over strands as Tomtom does. The
    matrices are checked and their rows renormalised as the native engine does
    (:func:`danqmotifs.tomtom._inputs.as_matrix`, one tolerance for both).
    """
    if not queries or not targets:
        raise ValueError("need at least one query and one target motif")
    import warnings

    from memelite import tomtom

    from ..tomtom._inputs import as_matrix, motif_label

    def columns(motifs, role):
        return [np.ascontiguousarray(as_matrix(m, motif_label(m, f"{role}[{i}]"))[0].T)
                for i, m in enumerate(motifs)]

    Q, T = columns(queries, "queries"), columns(targets, "targets")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # few-target warning: caller's choice
        p, _scores, offsets, overlaps, strands = tomtom(Q, T, n_jobs=n_jobs)
    p = np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)
    return MatchResult([m.id for m in queries], [m.id for m in targets], [m.name for m in targets],
                       p, bh_qvalues(p), offsets.astype(np.int32), overlaps.astype(np.int32),
                       strands.astype(np.int8), engine="memelite", distance="euclidean")


# --- the MEME suite's tomtom -----------------------------------------------------------------

def distance_of(engine: str, tomtom_args: str = "") -> str:
    """The column distance an engine uses, by its name in the table (memelite: euclidean, the only
    one it offers; meme: ``-dist``, ``ed`` read as euclidean, or Tomtom's default; a ``-dist`` the
    table does not know is returned as given)."""
    offered = distances.offered_by(engine)
    if len(offered) == 1:
        return offered[0]
    toks = shlex.split(tomtom_args)
    at = _dist_value(toks)
    if at is None:
        return distances.TOMTOM_DEFAULT
    return distances.canonical(toks[at]) or toks[at]


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


def match_motifs(queries: Sequence[Motif], targets: Sequence[Motif], engine: str = "auto",
                 query_path=None, db_path=None, tomtom_args: str = "", n_jobs: int = -1,
                 distance: str = "pearson", background=None) -> MatchResult:
    """Match with the chosen engine and column distance (``meme`` needs the two MEME files on
    disk; ``background``: the query file's base frequencies, used by the native engine)."""
    engine = resolve_engine(engine, distance)
    if engine == "native":
        return tomtom_native(queries, targets, distance, n_jobs=n_jobs, background=background)
    if engine == "memelite":
        return tomtom_memelite(queries, targets, n_jobs=n_jobs)
    if query_path is None or db_path is None:
        raise ValueError("the meme engine needs query_path and db_path")
    return tomtom_binary(query_path, db_path, [m.id for m in queries], targets,
                         tomtom_args_for(tomtom_args, distance))

