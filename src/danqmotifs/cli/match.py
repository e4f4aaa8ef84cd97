"""The ``motif-match`` command: the motifs of a MEME file against JASPAR or a MEME database."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from ..match.engines import DISTANCES, ENGINES, match_motifs
from ..match.tables import best_table, match_table, summary, write_table
from . import check_paths, command, float_range, int_range, parser


def _parser() -> argparse.ArgumentParser:
    ap = parser(
        "motif-match",
        "Match the motifs of a MEME file against JASPAR (offline, from pyjaspar) or any "
        "MEME database with Tomtom's algorithm; write one TSV row per query/target pair.")
    ap.add_argument("query", help="query motifs (MEME format; .gz or - for standard input too)")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--jaspar-release", default="JASPAR2024",
                     help="JASPAR release shipped by pyjaspar (default JASPAR2024)")
    src.add_argument("--db", help="target motifs (MEME format, or .gz) instead of JASPAR")
    ap.add_argument("--collection", default="CORE", help="JASPAR collection (default CORE)")
    ap.add_argument("--tax-group", default="vertebrates",
                    help="JASPAR taxonomic group, '' for all (default vertebrates)")
    ap.add_argument("--dist", choices=DISTANCES, default="pearson",
                    help="column distance (default pearson, MEME tomtom's default and the DanQ paper's)")
    ap.add_argument("--engine", choices=ENGINES, default="auto",
                    help="auto (default: native for pearson, memelite for euclidean), native (this "
                         "package's Tomtom, both distances), memelite (euclidean only) or meme (the "
                         "tomtom program on PATH)")
    ap.add_argument("--tomtom-args", default="-no-ssc -min-overlap 5 -evalue -thresh 0.01",
                    help="arguments for the meme engine (default: the DanQ paper's; -dist comes from --dist)")
    ap.add_argument("--method", default=None,
                    help="value of the method column (default: the query file's name without .meme)")
    ap.add_argument("--max-q", type=float_range(0.0, 1.0), default=0.5,
                    help="keep pairs with q <= this (default 0.5)")
    ap.add_argument("--evalue-threshold", type=float_range(0.0, float("inf")), default=0.01,
                    help="E-value under which a query counts as matched in the summary (default 0.01)")
    ap.add_argument("--threads", type=int_range(-1, 4096), default=-1,
                    help="threads for memelite (-1, the default: all)")
    ap.add_argument("--best", help="also write the best match of each query to this TSV")
    ap.add_argument("--format", choices=("table", "tomtom"), default="table",
                    help="table (default: this package's columns, pairs with q <= --max-q) or tomtom "
                         "(tomtom -text's columns Query_ID ... Orientation, pairs passing --thresh)")
    ap.add_argument("--thresh", type=float_range(0.0, float("inf")), default=0.5,
                    help="with --format tomtom: keep pairs with q <= this (tomtom's -thresh; default 0.5)")
    ap.add_argument("--evalue", action="store_true",
                    help="with --format tomtom: --thresh applies to the E-value (tomtom's -evalue)")
    ap.add_argument("--out", required=True, help="output TSV; - writes it to standard output (the "
                    "summary then goes to standard error)")
    return ap


def tomtom_format(res, queries, targets, thresh: float = 0.5, evalue: bool = False):
    """The pairs of a MatchResult as ``tomtom -text`` writes them (danqmotifs.tomtom.tomtom_table):
    columns Query_ID ... Orientation, consensus sequences of the motifs as given."""
    from types import SimpleNamespace

    from ..tomtom import tomtom_table

    view = SimpleNamespace(p_values=res.p_value, e_values=res.e_value, q_values=res.q_value,
                           offsets=res.offset, overlaps=res.overlap, orientations=res.orientation)
    return tomtom_table(view, res.query_ids, res.target_ids, [m.pwm for m in queries],
                        [m.pwm for m in targets], thresh=thresh, evalue=evalue)


def plain_meme(path: str, tmp_dir: str | os.PathLike, name: str, gz: bool = True) -> str:
    """``path`` itself, or a plain copy in ``tmp_dir`` of standard input (``-``) or, with ``gz``,
    of a gzipped file (the tomtom program reads plain MEME files only; read_meme reads both)."""
    from ..core.errors import InputError
    from ..formats.fasta import is_gzip

    if path == "-":
        out = Path(tmp_dir) / f"standard-input.{name}"       # the name errors will show
        out.write_bytes(sys.stdin.buffer.read())
        return str(out)
    if gz and Path(path).is_file() and is_gzip(path):
        out = Path(tmp_dir) / name
        try:
            with gzip.open(path, "rb") as src:
                out.write_bytes(src.read())
        except (OSError, EOFError) as exc:
            raise InputError(path, f"cannot decompress the file ({exc})", "give a complete .gz file "
                             "or the plain MEME file") from None
        return str(out)
    return path


def run(argv: Sequence[str] | None = None) -> dict:
    """The command line's work; returns the summary it prints."""
    import tempfile

    from ..formats.meme import read_meme, write_meme
    from ..sources.jaspar import fetch_collection

    a = _parser().parse_args(argv)
    check_paths({"query": a.query, "--db": a.db}, {"--out": a.out, "--best": a.best})
    with tempfile.TemporaryDirectory(prefix=".motif-match.") as plain:
        gz = a.engine == "meme"
        return _run(a, plain_meme(a.query, plain, "query.meme", gz),
                    plain_meme(a.db, plain, "db.meme", gz) if a.db else None, read_meme, write_meme,
                    fetch_collection)


def _run(a, query: str, db: str | None, read_meme, write_meme, fetch_collection) -> dict:
    queries, bg = read_meme(query)
    stem = "query" if a.query == "-" else Path(a.query).name.removesuffix(".gz")
    method = a.method or stem.removesuffix(".meme").removesuffix(".txt")
    tmpdir = None
    if db:
        targets, _ = read_meme(db)
        db_path = db
    else:
        targets = fetch_collection(a.jaspar_release, a.collection, a.tax_group or None)
        db_path = None
        if a.engine == "meme":
            import tempfile

            tmpdir = tempfile.TemporaryDirectory()
            db_path = Path(tmpdir.name) / "targets.meme"
            write_meme(db_path, targets)
    try:
        res = match_motifs(queries, targets, a.engine, query, db_path, a.tomtom_args, a.threads,
                           distance=a.dist, background=bg)
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()
    if a.format == "tomtom":
        write_table(tomtom_format(res, queries, targets, a.thresh, a.evalue), a.out)
    else:
        write_table(match_table(res, method, a.max_q), a.out)
    if a.best:
        write_table(best_table(res, method), a.best)
    s = summary({method: res}, a.evalue_threshold)
    to_stdout = a.out in ("-", "/dev/stdout") or (a.best or "") in ("-", "/dev/stdout")
    print(json.dumps(s, indent=1), file=sys.stderr if to_stdout else sys.stdout)
    return s



main = command(run)
main.__doc__ = """Entry point of the ``motif-match`` console script: :func:`run` with the package's error
handling (``error: <message>`` and exit status 2 on bad input, see :func:`danqmotifs.cli.command`)."""
