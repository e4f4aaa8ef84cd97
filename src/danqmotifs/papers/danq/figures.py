"""The DanQ paper's comparisons for the model at hand (config ``figures.danq``).

* Per-target ROC AUC and PR AUC of this model (``results/eval/<split>_auc.tsv``) against a
  reference table, either in the layout of DanQ's published ``aucs.txt`` (tab-separated, header
  ``Cell Type, TF/DNase/HistoneMark, Treatment, DeepSEA ROC AUC, DanQ ROC AUC, DanQ-JASPAR ROC AUC,
  DeepSEA PR AUC, DanQ PR AUC, DanQ-JASPAR PR AUC``, one row per target in DeepSEA's target order,
  matched to this model's targets by position) or a plain TSV (``target, roc_auc`` and optionally
  ``pr_auc`` and ``class``, matched by target name). The share of targets where this model's AUC is
  above the reference's (points above the diagonal of the scatter plots).
* Mean ROC / PR AUC by target class (DNase, TF, histone mark) for this model and every reference
  column, beside the published means (docs/design.md section 3). A target's class comes from the
  ``TF/DNase/HistoneMark`` column (aucs.txt), a ``class`` column (plain TSV), or, for exactly 919
  targets and neither column, DeepSEA's order (125 DNase, 690 TF, 104 histone marks); otherwise
  only the mean over all targets is given.
* The motif analysis: kernels whose best JASPAR match has E below the threshold, per method, with
  the distance the matching used (``results/match/match_summary.json``), beside the paper's count.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ...errors import InputError, atomic_output
from ...formats.tsv import read_tsv, write_table

CLASSES = ("DNase", "TF", "histone")
#: DeepSEA's 919 targets in file order: 125 DNase, 690 TF, 104 histone marks
DEEPSEA_CLASS_COUNTS = (("DNase", 125), ("TF", 690), ("histone", 104))
#: mean (ROC AUC, PR AUC) published with DanQ, over the targets of aucs.txt that have an AUC
#: (PUBLISHED_N_TARGETS; docs/design.md section 3)
PUBLISHED_N_TARGETS = 918
PUBLISHED_MEANS = {"DeepSEA": (0.9326, 0.3425), "DanQ": (0.9384, 0.3709), "DanQ-JASPAR": (0.9417, 0.3794)}
#: the DanQ paper's motif analysis: heuristic motifs of the 320 kernels matched at E < 0.01 (Tomtom,
#: Pearson distance; docs/design.md section 9)
PUBLISHED_MOTIFS = {"method": "heuristic", "n_matched": 163, "n_motifs": 320, "evalue_threshold": 0.01,
                    "distance": "pearson"}
MARK_COLUMN = "TF/DNase/HistoneMark"
METRICS = ("roc_auc", "pr_auc")
_HISTONE = re.compile(r"^H[1-4](A|B)?[.0-9A-Z]*((K|R|S|T)[0-9]+)?(me[0-3]?|ac|ph|ub)?", re.IGNORECASE)
_FIX_REF = ("give figures.danq.reference in DanQ's aucs.txt layout (columns '<model> ROC AUC', "
            "'<model> PR AUC', one row per target in the data's order) or as a TSV with columns "
            "target, roc_auc (and pr_auc, class)")


@dataclass
class Reference:
    """Reference AUCs aligned with this model's targets (NaN where the reference has none).

    Attributes
    ----------
    columns : reference models (DeepSEA, DanQ, DanQ-JASPAR for aucs.txt; ``reference`` for a TSV).
    auc : {metric: {column: (T,) float64}} for metric in ``METRICS``.
    classes : (T,) class of each target (``CLASSES``), or None when unknown.
    layout : ``aucs`` or ``tsv``.
    """

    columns: list
    auc: dict
    classes: list | None
    layout: str


def target_class(mark: str) -> str:
    """DNase, histone or TF for an entry of aucs.txt's ``TF/DNase/HistoneMark`` column (or a class
    name): DNase if it says so, histone for a histone mark (H3K4me3, H2A.Z, H4K20me1), TF otherwise."""
    m = str(mark).strip()
    if m.lower().startswith("dnase"):
        return "DNase"
    if m.lower() in ("histone", "histone mark", "histonemark") or _HISTONE.fullmatch(m):
        return "histone"
    return "TF"


def deepsea_classes(n_targets: int) -> list | None:
    """The classes of DeepSEA's targets in file order, for exactly 919 targets; else None."""
    if n_targets != sum(n for _, n in DEEPSEA_CLASS_COUNTS):
        return None
    return [c for c, n in DEEPSEA_CLASS_COUNTS for _ in range(n)]


def _read_table(path):
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "the reference AUC table does not exist", _FIX_REF)
    try:
        df = pd.read_csv(path, sep="\t", na_values=["NA", "nan", "NaN", ""], keep_default_na=False)
    except Exception as exc:  # pandas raises several types for unreadable text
        raise InputError(path, f"not a readable tab-separated table ({exc})", _FIX_REF) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _numbers(df, col, path) -> np.ndarray:
    import pandas as pd

    x = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(x) & df[col].notna().to_numpy()
    if bad.any():
        raise InputError(path, f"column {col!r} row {int(np.argmax(bad)) + 2} is not a number "
                         f"({df[col].iloc[int(np.argmax(bad))]!r})", _FIX_REF)
    if np.any((x < 0) | (x > 1)):
        raise InputError(path, f"column {col!r} has values outside [0, 1]", _FIX_REF)
    return x


def read_reference(path, target_names: Sequence[str]) -> Reference:
    """The reference table at ``path`` aligned with ``target_names`` (see the module docstring)."""
    df = _read_table(path)
    T = len(target_names)
    roc_cols = [c for c in df.columns if c.lower().endswith(" roc auc")]
    if roc_cols:
        if len(df) != T:
            raise InputError(path, f"{len(df)} rows in the aucs.txt layout, but the model has {T} targets "
                             "(rows are matched to targets by position)", _FIX_REF)
        columns = [c[: -len(" ROC AUC")].strip() for c in roc_cols]
        auc = {"roc_auc": {}, "pr_auc": {}}
        for name, rc in zip(columns, roc_cols):
            auc["roc_auc"][name] = _numbers(df, rc, path)
            pc = next((c for c in df.columns if c.lower() == f"{name} pr auc".lower()), None)
            auc["pr_auc"][name] = _numbers(df, pc, path) if pc else np.full(T, np.nan)
        classes = ([target_class(m) for m in df[MARK_COLUMN].astype(str)] if MARK_COLUMN in df.columns
                   else deepsea_classes(T))
        return Reference(columns, auc, classes, "aucs")
    if "roc_auc" not in df.columns or "target" not in df.columns:
        raise InputError(path, f"neither the aucs.txt layout nor target/roc_auc columns (columns: "
                         f"{', '.join(df.columns)})", _FIX_REF)
    index = {str(t): i for i, t in enumerate(df["target"].astype(str))}
    rows = np.array([index.get(t, -1) for t in target_names])
    if not (rows >= 0).any():
        raise InputError(path, "no target of the reference table is a target of the model",
                         "use the model's target names (results/model/targets.txt) in the target column")

    def aligned(col):
        x = _numbers(df, col, path) if col in df.columns else np.full(len(df), np.nan)
        return np.where(rows >= 0, x[np.maximum(rows, 0)], np.nan)

    classes = None
    if "class" in df.columns:
        cls = df["class"].astype(str).to_numpy()
        classes = [target_class(cls[r]) if r >= 0 else "unknown" for r in rows]
    elif T == 919:
        classes = deepsea_classes(T)
    return Reference(["reference"], {m: {"reference": aligned(m)} for m in METRICS}, classes, "tsv")


def read_model_aucs(path) -> tuple[list, dict]:
    """Target names and {metric: (T,) float64} of the evaluate rule's table (``<split>_auc.tsv``;
    NA -> NaN)."""

    rows = read_tsv(path)
    if not rows or any(k not in rows[0] for k in ("target", *METRICS)):
        raise InputError(path, "not an AUC table with columns target, roc_auc, pr_auc", "rerun the evaluate rule")
    auc = {m: np.array([float("nan") if r[m] == "NA" else float(r[m]) for r in rows]) for m in METRICS}
    return [r["target"] for r in rows], auc


def share_above(model: np.ndarray, reference: np.ndarray) -> tuple[float | None, int]:
    """Share of targets (with both AUCs defined) where ``model`` > ``reference``, and their number."""
    ok = np.isfinite(model) & np.isfinite(reference)
    n = int(ok.sum())
    return (float(np.mean(model[ok] > reference[ok])) if n else None), n


def _mean(x: np.ndarray) -> float | None:
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else None


def class_means(model: dict, ref: Reference) -> list[dict]:
    """Rows (class, model, source, n_targets, mean_roc_auc, mean_pr_auc): this model and each
    reference column per class (over the targets of that class, NaN AUCs left out), the ``all``
    rows, then the published means over all targets."""
    T = len(model["roc_auc"])
    groups = [("all", np.ones(T, bool))]
    if ref.classes is not None:
        cls = np.asarray(ref.classes)
        groups = [(c, cls == c) for c in CLASSES if (cls == c).any()] + groups
    series = [("this model", "this run", model)]
    series += [(c, "reference table", {m: ref.auc[m][c] for m in METRICS}) for c in ref.columns]
    out = []
    for cname, mask in groups:
        for name, source, auc in series:
            out.append({"class": cname, "model": name, "source": source, "n_targets": int(mask.sum()),
                        "mean_roc_auc": _mean(auc["roc_auc"][mask]), "mean_pr_auc": _mean(auc["pr_auc"][mask])})
    for name, (roc, pr) in PUBLISHED_MEANS.items():
        out.append({"class": "all", "model": name, "source": "published (DanQ paper, aucs.txt)",
                    "n_targets": PUBLISHED_N_TARGETS, "mean_roc_auc": roc, "mean_pr_auc": pr})
    return out


def motif_counts(match_summary: dict, where="match_summary.json") -> list[dict]:
    """Rows (method, n_matched, n_motifs, evalue_threshold, distance, engine, source) from the
    matching summary, then the DanQ paper's count."""
    methods = match_summary.get("methods")
    if not isinstance(methods, dict) or not methods:
        raise InputError(where, "no per-method counts ('methods') in the matching summary",
                         "rerun the match_summary rule")
    out = []
    for name, m in methods.items():
        out.append({"method": name, "n_matched": int(m["n_matched"]), "n_motifs": int(m["n_motifs"]),
                    "evalue_threshold": float(m.get("evalue_threshold", match_summary.get("evalue_threshold"))),
                    "distance": str(m.get("distance", match_summary.get("distance", "?"))),
                    "engine": str(m.get("engine", match_summary.get("engine", "?"))), "source": "this run"})
    out.append({**PUBLISHED_MOTIFS, "engine": "tomtom (MEME suite)", "source": "published (DanQ paper)"})
    return out


def comparisons(model: dict, ref: Reference) -> list[dict]:
    """Per reference column and metric: the share of targets above the diagonal, with n."""
    out = []
    for col in ref.columns:
        for m in METRICS:
            share, n = share_above(model[m], ref.auc[m][col])
            out.append({"reference": col, "metric": m, "share_above": share, "n_targets": n})
    return out


def write_rows(rows: Sequence[dict], path) -> None:
    """A list of flat dicts (same keys) as a TSV with a header line (None/NaN -> NA)."""
    write_table(path, list(rows[0]) if rows else [], rows, float_format=".6g")


def write_json(data: dict, path) -> None:
    """Indented, key-sorted JSON (NaN written as null)."""
    def clean(v):
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return None if isinstance(v, float) and not math.isfinite(v) else v

    with atomic_output(path) as tmp:
        Path(tmp).write_text(json.dumps(clean(data), indent=1, sort_keys=True) + "\n")
