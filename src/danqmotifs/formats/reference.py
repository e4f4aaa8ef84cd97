"""Reference tables of per-target AUCs (e.g. DanQ's published ``aucs.txt``): the one reader.

Two layouts are read (tab-separated, one header line):

* DanQ's ``aucs.txt``: ``Cell Type``, ``TF/DNase/HistoneMark``, ``Treatment``, then one column per
  model and metric, named ``<model> ROC AUC`` and ``<model> PR AUC`` (DeepSEA, DanQ, DanQ-JASPAR),
  one row per target in DeepSEA's target order. A row's name is ``cell|mark|treatment``; the same
  triple occurs on several rows (DeepSEA has several experiments per triple) and a treatment may
  read ``NA`` (a name, not a missing value).
* A plain TSV: ``roc_auc`` and optionally ``target``, ``pr_auc`` and ``class``.

Any AUC cell that is not a number (DanQ writes an explanation such as ``NA (No positive in Test
region)`` for targets without test positives) is missing: counted, and named with its rows and
text in a :class:`ReferenceWarning`. A table with no usable number, numbers outside [0, 1], or
neither layout is an :class:`~danqmotifs.core.errors.InputError`.

Rows are matched to a model's targets by name when the table has names and the targets carry
names (anything other than the generated ``target_0000`` ..., or names the table has): the k-th
target of a name takes the k-th row of that name. Otherwise by position, and then the row count
must equal the target count.
:func:`read_table` uses the standard library and numpy only, so the workflow checks the file in a
first light rule before any long job.
"""

from __future__ import annotations

import csv
import math
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.errors import InputError, require_file

METRICS = ("roc_auc", "pr_auc")
NAME_COLUMNS = ("Cell Type", "TF/DNase/HistoneMark", "Treatment")
MARK_COLUMN = NAME_COLUMNS[1]
#: separator of the name parts of an aucs.txt row (cell|mark|treatment)
NAME_SEP = "|"
_GENERATED = re.compile(r"^target_[0-9]+$")
FIX = ("give a table in DanQ's aucs.txt layout (tab-separated; 'Cell Type', 'TF/DNase/HistoneMark', "
       "'Treatment', then '<model> ROC AUC' and '<model> PR AUC' columns, one row per target) or a TSV "
       "with columns roc_auc (and target, pr_auc, class)")


class ReferenceWarning(UserWarning):
    """Cells of a reference table that are not numbers (read as missing), or unmatched targets."""


@dataclass
class ReferenceTable:
    """A reference table as read, before it is matched to a model's targets.

    Attributes
    ----------
    path : the file.
    layout : ``aucs`` (DanQ's aucs.txt) or ``tsv``.
    columns : the reference models (DeepSEA, DanQ, DanQ-JASPAR; ``reference`` for a TSV).
    names : (R,) row names (``cell|mark|treatment``, or the ``target`` column), None when absent.
    marks : (R,) class source per row (the mark column or the ``class`` column), or None.
    auc : {metric: {column: (R,) float64}}, NaN where missing.
    missing : [(row number in the file, column, text)] of the non-numeric AUC cells.
    """

    path: str
    layout: str
    columns: list
    names: list | None
    marks: list | None
    auc: dict
    missing: list = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(next(iter(next(iter(self.auc.values())).values())))

    def missing_message(self, limit: int = 8) -> str:
        """One sentence naming the missing cells (rows and text), '' when none."""
        if not self.missing:
            return ""
        rows = sorted({r for r, _, _ in self.missing})
        texts = sorted({t for _, _, t in self.missing})
        shown = []
        for r in rows[:limit]:
            name = self.names[r - 2] if self.names else None
            shown.append(f"{r}" + (f" ({name})" if name else ""))
        more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
        return (f"{self.path}: {len(self.missing)} AUC cells on {len(rows)} rows are not numbers and are "
                f"read as missing: rows {', '.join(shown)}{more}; text {', '.join(map(repr, texts[:limit]))}")

    def summary(self) -> dict:
        """JSON-ready facts about the table (the check rule's output)."""
        rows = sorted({r for r, _, _ in self.missing})
        return {"path": self.path, "layout": self.layout, "columns": self.columns, "n_rows": self.n_rows,
                "has_names": self.names is not None, "n_missing_cells": len(self.missing),
                "missing_rows": rows, "missing_text": sorted({t for _, _, t in self.missing}),
                "n_usable": {m: {c: int(np.isfinite(v).sum()) for c, v in d.items()} for m, d in self.auc.items()}}


@dataclass
class Reference:
    """Reference AUCs aligned with a model's targets (NaN where the reference has none).

    Attributes
    ----------
    columns : reference models.
    auc : {metric: {column: (T,) float64}} for metric in ``METRICS``.
    classes : (T,) class of each target (DNase, TF, histone; ``unknown`` where unmatched), or None.
    layout : ``aucs`` or ``tsv``.
    matched_by : ``name`` or ``position``.
    n_matched : targets that have a row of the table.
    """

    columns: list
    auc: dict
    classes: list | None
    layout: str
    matched_by: str = "position"
    n_matched: int = 0

    def as_dict(self, target_names: Sequence[str], column: str | None = None) -> dict[str, dict]:
        """{target: {"roc_auc": x, "pr_auc": y}} of one reference column (default the first) for
        the targets with a finite ROC AUC (the form ``danqmotifs.report.plot.training.draw_auc`` takes)."""
        col = column or self.columns[0]
        roc, pr = self.auc["roc_auc"][col], self.auc["pr_auc"][col]
        return {t: {"roc_auc": float(roc[i]), "pr_auc": float(pr[i])}
                for i, t in enumerate(target_names) if math.isfinite(roc[i])}


# ----------------------------------------------------------------------------------------- reading

def _rows(path: Path) -> list[list[str]]:
    require_file(path, "the reference AUC table", f"correct the path, or {FIX}")
    try:
        text = path.read_text(encoding="utf-8-sig", errors="strict")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not a readable text file ({exc})", FIX) from None
    rows = [[c.strip() for c in r] for r in csv.reader(text.splitlines(), delimiter="\t")]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise InputError(path, "the reference AUC table is empty", FIX)
    width = len(rows[0])
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != width:
            raise InputError(path, f"line {i} has {len(r)} tab-separated fields, the header {width}", FIX)
    return rows


def _number(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def read_table(path) -> ReferenceTable:
    """Read and check a reference table (see the module docstring); warn about missing cells."""
    path = Path(path)
    rows = _rows(path)
    header, body = rows[0], rows[1:]
    if not body:
        raise InputError(path, "the reference AUC table has a header but no rows", FIX)
    col = {h: j for j, h in enumerate(header)}
    lower = {h.lower(): j for j, h in enumerate(header)}
    roc_cols = [h for h in header if h.lower().endswith(" roc auc")]
    if roc_cols:
        layout = "aucs"
        columns = [h[: -len(" ROC AUC")].strip() for h in roc_cols]
        cells = {"roc_auc": {c: col[h] for c, h in zip(columns, roc_cols)},
                 "pr_auc": {c: lower.get(f"{c} pr auc".lower()) for c in columns}}
        has_names = all(n in col for n in NAME_COLUMNS)
        names = [NAME_SEP.join(r[col[n]] for n in NAME_COLUMNS) for r in body] if has_names else None
        marks = [r[col[MARK_COLUMN]] for r in body] if MARK_COLUMN in col else None
    elif "roc_auc" in col:
        layout, columns = "tsv", ["reference"]
        cells = {"roc_auc": {"reference": col["roc_auc"]}, "pr_auc": {"reference": col.get("pr_auc")}}
        names = [r[col["target"]] for r in body] if "target" in col else None
        marks = [r[col["class"]] for r in body] if "class" in col else None
    else:
        raise InputError(path, f"neither the aucs.txt layout nor a roc_auc column (columns: {', '.join(header)})", FIX)
    missing, auc = [], {m: {} for m in METRICS}
    for metric, by_col in cells.items():
        for name, j in by_col.items():
            x = np.full(len(body), np.nan)
            if j is not None:
                for i, r in enumerate(body):
                    v = _number(r[j])
                    if v is None:
                        missing.append((i + 2, header[j], r[j]))
                    elif not 0.0 <= v <= 1.0:
                        raise InputError(path, f"line {i + 2}, column {header[j]!r}: {r[j]} is outside [0, 1]",
                                         "give AUCs between 0 and 1")
                    else:
                        x[i] = v
            auc[metric][name] = x
    if not any(np.isfinite(v).any() for d in auc.values() for v in d.values()):
        raise InputError(path, "no AUC cell of the table holds a number", FIX)
    table = ReferenceTable(str(path), layout, columns, names, marks, auc, missing)
    if missing:
        warnings.warn(table.missing_message(), ReferenceWarning, stacklevel=2)
    return table


# ----------------------------------------------------------------------------------------- matching

def names_are_generated(target_names: Sequence[str]) -> bool:
    """Whether every name is a generated placeholder (``target_0000`` ...)."""
    return all(_GENERATED.match(str(t)) for t in target_names)


def match_rows(table: ReferenceTable, target_names: Sequence[str]) -> tuple[np.ndarray, str]:
    """Row of the table for each target (-1: none) and how they were matched (name or position).

    Raises
    ------
    InputError
        Matching by position with a row count that differs from the target count, or by name with
        no name in common.
    """
    T = len(target_names)
    shared = table.names is not None and not set(table.names).isdisjoint(map(str, target_names))
    if table.names is not None and (shared or not names_are_generated(target_names)):
        slots = defaultdict(list)
        for i, n in enumerate(table.names):
            slots[n].append(i)
        seen: dict[str, int] = defaultdict(int)
        rows = np.full(T, -1, dtype=np.int64)
        for t, name in enumerate(target_names):
            k = seen[name]
            seen[name] += 1
            if k < len(slots.get(name, ())):
                rows[t] = slots[name][k]
        if not (rows >= 0).any():
            raise InputError(table.path, f"no row name of the table is one of the model's {T} target names "
                             f"(table: {', '.join(table.names[:3])} ...; model: {', '.join(map(str, target_names[:3]))} ...)",
                             "name the targets as the table does (aucs.txt: cell|mark|treatment), or leave the "
                             "targets unnamed (target_0000 ...) to match rows by position")
        unmatched = [str(target_names[t]) for t in np.flatnonzero(rows < 0)]
        if unmatched:
            warnings.warn(f"{table.path}: {len(unmatched)} of {T} targets have no row of that name: "
                          f"{', '.join(unmatched[:8])}{' ...' if len(unmatched) > 8 else ''}", ReferenceWarning, stacklevel=2)
        return rows, "name"
    if table.n_rows != T:
        raise InputError(table.path, f"{table.n_rows} rows, but the model has {T} targets (rows are matched to "
                         "targets by position because " + ("the table has no target names)" if table.names is None
                                                           else "the model's targets are unnamed)"),
                         "give one row per target in the model's target order, or name the model's targets "
                         "(data.deepsea.target_names) as the table's rows")
    return np.arange(T), "position"


def target_class(mark: str) -> str:
    """DNase, histone or TF for an entry of aucs.txt's mark column (or a class name)."""
    m = str(mark).strip()
    if m.lower().startswith("dnase"):
        return "DNase"
    if m.lower() in ("histone", "histone mark", "histonemark") or _HISTONE.fullmatch(m):
        return "histone"
    return "TF"


_HISTONE = re.compile(r"^H[1-4](A|B)?[.0-9A-Z]*((K|R|S|T)[0-9]+)?(me[0-3]?|ac|ph|ub)?", re.IGNORECASE)
#: DeepSEA's 919 targets in file order: 125 DNase, 690 TF, 104 histone marks
DEEPSEA_CLASS_COUNTS = (("DNase", 125), ("TF", 690), ("histone", 104))


def deepsea_classes(n_targets: int) -> list | None:
    """The classes of DeepSEA's targets in file order, for exactly 919 targets; else None."""
    if n_targets != sum(n for _, n in DEEPSEA_CLASS_COUNTS):
        return None
    return [c for c, n in DEEPSEA_CLASS_COUNTS for _ in range(n)]


def align(table: ReferenceTable, target_names: Sequence[str]) -> Reference:
    """The table's AUCs aligned with ``target_names`` (:func:`match_rows`)."""
    rows, how = match_rows(table, target_names)
    ok = rows >= 0
    take = np.maximum(rows, 0)
    auc = {m: {c: np.where(ok, v[take], np.nan) for c, v in d.items()} for m, d in table.auc.items()}
    if table.marks is not None:
        classes = [target_class(table.marks[r]) if r >= 0 else "unknown" for r in rows]
    else:
        classes = deepsea_classes(len(target_names))
    return Reference(list(table.columns), auc, classes, table.layout, how, int(ok.sum()))


def read_reference(path, target_names: Sequence[str]) -> Reference:
    """:func:`read_table` then :func:`align`."""
    return align(read_table(path), target_names)


def check_reference(path, target_names: Sequence[str] | None = None) -> dict:
    """Read and check the table before any long job; with the model's target names known (or
    generated ones for a known count), check that the table can be matched to them. Returns
    :meth:`ReferenceTable.summary`, plus ``matched_by``, ``n_matched`` and ``n_targets`` when checked."""
    table = read_table(path)
    out = table.summary()
    if target_names is not None:
        rows, how = match_rows(table, target_names)
        out.update(matched_by=how, n_matched=int((rows >= 0).sum()), n_targets=len(target_names))
    return out

