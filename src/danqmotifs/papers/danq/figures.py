"""The DanQ paper's comparisons for the model at hand (config ``figures.danq``).

* Per-target ROC AUC and PR AUC of this model (``results/eval/<split>_auc.tsv``) against a
  reference table (DanQ's published ``aucs.txt`` or a plain TSV), read and matched to this model's
  targets by :mod:`danqmotifs.formats.reference`. The share of targets where this model's AUC is above the
  reference's (points above the diagonal of the scatter plots), over the targets with both AUCs.
* Mean ROC / PR AUC by target class (DNase, TF, histone mark) for this model and every reference
  column, beside the published means (docs/design.md section 3), each with the number of targets
  whose AUC is defined (missing AUCs are left out of both). A target's class comes from the
  ``TF/DNase/HistoneMark`` column (aucs.txt), a ``class`` column (plain TSV), or, for exactly 919
  targets and neither column, DeepSEA's order (125 DNase, 690 TF, 104 histone marks); otherwise
  only the mean over all targets is given.
* The motif analysis: kernels whose best JASPAR match has E below the threshold, per method, with
  the distance the matching used (``results/match/match_summary.json``), beside the paper's count.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Sequence

import numpy as np

from ...core.errors import InputError, atomic_output
from ...formats.tsv import number, read_tsv, write_table
from ...formats.reference import Reference

CLASSES = ("DNase", "TF", "histone")
#: mean (ROC AUC, PR AUC) published with DanQ, over the targets of aucs.txt that have an AUC
#: (PUBLISHED_N_TARGETS; docs/design.md section 3)
PUBLISHED_N_TARGETS = 918
PUBLISHED_MEANS = {"DeepSEA": (0.9326, 0.3425), "DanQ": (0.9384, 0.3709), "DanQ-JASPAR": (0.9417, 0.3794)}
#: the DanQ paper's motif analysis: heuristic motifs of the 320 kernels matched at E < 0.01 (Tomtom
#: 4.11, Pearson distance; docs/design.md section 9) against three databases together (their
#: tomtom.xml: Jolma 2013, 843 motifs; JASPAR CORE 2016 vertebrates, 519; UniPROBE mouse, 386), so
#: E = p x 1,748, not comparable with a count against JASPAR alone
PUBLISHED_MOTIFS = {"method": "heuristic", "n_matched": 163, "n_motifs": 320, "evalue_threshold": 0.01,
                    "distance": "pearson",
                    "database": "Jolma 2013 + JASPAR CORE 2016 vertebrates + UniPROBE mouse (1748 motifs)"}
METRICS = ("roc_auc", "pr_auc")


def read_model_aucs(path) -> tuple[list, dict]:
    """Target names and {metric: (T,) float64} of the evaluate rule's table (``<split>_auc.tsv``;
    NA -> NaN)."""

    rows = read_tsv(path)
    if not rows or any(k not in rows[0] for k in ("target", *METRICS)):
        raise InputError(path, "not an AUC table with columns target, roc_auc, pr_auc", "rerun the evaluate rule")
    auc = {m: np.array([number(r[m], path) for r in rows]) for m in METRICS}
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
    """Rows (class, model, source, n_roc_auc, mean_roc_auc, n_pr_auc, mean_pr_auc): this model and
    each reference column per class (over the targets of that class whose AUC is defined; ``n_*``
    counts them, so a missing AUC is in neither the mean nor the count), the ``all``
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
            roc, pr = auc["roc_auc"][mask], auc["pr_auc"][mask]
            out.append({"class": cname, "model": name, "source": source,
                        "n_roc_auc": int(np.isfinite(roc).sum()), "mean_roc_auc": _mean(roc),
                        "n_pr_auc": int(np.isfinite(pr).sum()), "mean_pr_auc": _mean(pr)})
    for name, (roc, pr) in PUBLISHED_MEANS.items():
        out.append({"class": "all", "model": name, "source": "published (DanQ paper, aucs.txt)",
                    "n_roc_auc": PUBLISHED_N_TARGETS, "mean_roc_auc": roc,
                    "n_pr_auc": PUBLISHED_N_TARGETS, "mean_pr_auc": pr})
    return out


def motif_counts(match_summary: dict, where="match_summary.json", database: str = "JASPAR",
                 published_meme: dict | None = None) -> list[dict]:
    """Rows (method, n_matched, n_motifs, evalue_threshold, distance, engine, database, source):
    this run's methods from the matching summary, then (when given) DanQ's published motifs matched
    here against the same database (:func:`published_meme_count`), then the paper's count against
    its three databases (``PUBLISHED_MOTIFS``). Only rows with the same database compare."""
    methods = match_summary.get("methods")
    if not isinstance(methods, dict) or not methods:
        raise InputError(where, "no per-method counts ('methods') in the matching summary",
                         "rerun the match_summary rule")
    out = []
    for name, m in methods.items():
        out.append({"method": name, "n_matched": int(m["n_matched"]), "n_motifs": int(m["n_motifs"]),
                    "evalue_threshold": float(m.get("evalue_threshold", match_summary.get("evalue_threshold"))),
                    "distance": str(m.get("distance", match_summary.get("distance", "?"))),
                    "engine": str(m.get("engine", match_summary.get("engine", "?"))), "database": database,
                    "source": "this run"})
    if published_meme is not None:
        out.append({**published_meme, "database": database})
    out.append({**PUBLISHED_MOTIFS, "engine": "tomtom 4.11 (MEME suite)", "source": "published (DanQ paper)"})
    return out


def published_meme_count(meme_path, db_path, match_cfg: dict, n_jobs: int = 1) -> dict:
    """DanQ's published motifs (a MEME file such as DanQ's ``motifs/DanQ.meme``) matched here with
    the run's engine, distance and E threshold against the run's database (``db_path``): one
    :func:`motif_counts` row, like with like beside this run's counts."""
    from ...formats.meme import read_meme
    from ...match import match_motifs
    from ...match.result import count_matched

    targets, _ = read_meme(db_path)
    queries, background = read_meme(meme_path)
    res = match_motifs(queries, targets, match_cfg["engine"], meme_path, db_path, match_cfg["tomtom_args"],
                       n_jobs=n_jobs, distance=match_cfg["distance"], background=background)
    thr = float(match_cfg["evalue_threshold"])
    return {"method": f"published motifs ({Path(meme_path).name})", "n_matched": count_matched(res, thr),
            "n_motifs": len(queries), "evalue_threshold": thr, "distance": res.distance, "engine": res.engine,
            "source": "published motifs, matched in this run"}


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
