"""The one writer of a benchmark's result, ``benchmarks/out/NAME.json``, the layout that
``run_all.py`` gathers into RESULTS.md.

    {"name": NAME, "command": how it was run, "figures": [{"what", "value", "unit"}],
     "ratios": [{"what", "value", "baseline"}], ...anything else the benchmark keeps}

Written atomically (a temporary file renamed over the old one): a benchmark cut short leaves the
previous result or the new one, never half a file.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def write_json(path: Path, obj) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically; returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=1) + "\n")
    os.replace(tmp, path)
    return path


def invocation() -> str:
    """How this benchmark was started: ``.venv/bin/python benchmarks/SCRIPT ARGS``."""
    import shlex

    return " ".join([".venv/bin/python", f"benchmarks/{Path(sys.argv[0]).name}", *map(shlex.quote, sys.argv[1:])])


def write_result(name: str, figures: list, ratios: list = (), command: str | None = None,
                 out_dir: Path = OUT, **extra) -> Path:
    """Write ``out_dir/NAME.json`` (the module's layout; ``command`` defaults to
    :func:`invocation`); returns its path."""
    result = {"name": name, "command": command or invocation(), "figures": list(figures),
              "ratios": list(ratios), **extra}
    return write_json(Path(out_dir) / f"{name}.json", result)


def write_rows(path: Path, rows: list[dict], fields: list[str] | None = None) -> Path:
    """Write ``rows`` (dicts) as a tab-separated table with a header, atomically; ``fields`` default
    to the first row's keys, a missing cell is empty. Returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields or list(rows[0]), delimiter="\t", lineterminator="\n",
                           restval="")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)
    return path


def job_times(results: Path) -> dict[str, dict]:
    """Snakemake's benchmark file of every job of a finished run (``<results>/benchmarks/*.tsv``, the
    last row of each): {file name: {s, max_rss, cpu_time, mean_load}}, a missing value 0."""
    out = {}
    for f in sorted((results / "benchmarks").glob("*.tsv")):
        with open(f, newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if rows:
            r = rows[-1]
            num = lambda k: float(r[k]) if r.get(k) not in (None, "", "-", "NA") else 0.0  # noqa: E731
            out[f.name] = {"s": num("s"), "max_rss": num("max_rss"), "cpu_time": num("cpu_time"),
                           "mean_load": num("mean_load")}
    return out
