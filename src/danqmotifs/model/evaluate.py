"""Evaluating a trained model: per-target ROC AUC and PR AUC on a data split.

Predictions are made batch by batch (optionally averaged over each sequence and its reverse
complement) and spilled to a temporary HDF5 file laid out target-major, so that memory stays
bounded for any number of sequences; the AUCs are then computed a few targets at a time.

* ROC AUC and PR AUC (average precision): ``danqmotifs.core.metrics``.

A target without positives (or, for ROC AUC, without negatives) gets NA instead of a number.
The figures are drawn by ``danqmotifs.report.plot.training``.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import h5py
import numpy as np

from ..core.errors import InputError
from ..core.metrics import average_precision, roc_auc
from ..formats.tsv import number, read_tsv, write_table
from ..sources.datafile import DataReader
from .modelio import check_model_matches, load_model, make_predictor, predict_codes

AUC_COLUMNS = ("target", "roc_auc", "pr_auc", "n_pos")


def spill_predictions(model, data_path, spill_path, batch_size: int = 500, average_rc: bool = True,
                      block: int = 8192, log: Callable[[str], None] = print) -> tuple[int, int]:
    """Predict every sequence of a data file; write ``pred`` and ``labels`` as (T, N) datasets of a
    new HDF5 file at ``spill_path``. Returns (N, T)."""
    with DataReader(data_path) as r:
        n, t = r.n, r.n_targets
        if n == 0:
            raise InputError(data_path, "the split holds no sequences", "rerun the data stage with a non-empty split")
        check_model_matches(model, "", r.length, t, data_path)
        predict = make_predictor(model, average_rc)
        block = max(batch_size, (block // batch_size) * batch_size)
        chunks = (min(16, t), min(block, n))
        with h5py.File(spill_path, "w") as f:
            pred = f.create_dataset("pred", shape=(t, n), dtype="f4", chunks=chunks, track_times=False)
            lab = f.create_dataset("labels", shape=(t, n), dtype="u1", chunks=chunks, track_times=False)
            report = max(1, math.ceil(n / block) // 10)
            for k, (s, codes, y) in enumerate(r.iter_blocks(block)):
                pred[:, s:s + codes.shape[0]] = predict_codes(predict, codes, batch_size).T
                lab[:, s:s + codes.shape[0]] = y.T
                if (k + 1) % report == 0:
                    log(f"  predicted {s + codes.shape[0]:,}/{n:,} sequences")
    return n, t


def auc_table(spill_path, target_names: Sequence[str], group: int = 16) -> list[dict]:
    """Per-target rows (target, roc_auc, pr_auc, n_pos) from a spill file."""
    rows = []
    with h5py.File(spill_path, "r") as f:
        pred, lab = f["pred"], f["labels"]
        t = pred.shape[0]
        for g in range(0, t, group):
            p, y = pred[g:g + group], lab[g:g + group]
            for i in range(p.shape[0]):
                yi = y[i].astype(bool)
                rows.append(dict(target=target_names[g + i], roc_auc=roc_auc(yi, p[i]),
                                 pr_auc=average_precision(yi, p[i]), n_pos=int(yi.sum())))
    return rows


def evaluate_split(model_path, data_path, batch_size: int = 500, average_rc: bool = True,
                   tmp_dir=None, log: Callable[[str], None] = print) -> list[dict]:
    """Per-target ROC AUC and PR AUC of the model at ``model_path`` on a data split. The
    predictions go to a temporary file in ``tmp_dir`` (default: the system's), removed afterwards."""
    model = load_model(model_path)
    with DataReader(data_path) as r:
        names = r.target_names
        check_model_matches(model, model_path, r.length, r.n_targets, data_path)
        if r.n == 0:
            raise InputError(data_path, "the split holds no sequences", "rerun the data stage with a non-empty split")
    if tmp_dir is not None:
        Path(tmp_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".predictions.", dir=tmp_dir) as d:
        spill = Path(d) / "predictions.h5"
        spill_predictions(model, data_path, spill, batch_size, average_rc, log=log)
        return auc_table(spill, names)


# ----------------------------------------------------------------------------------------- tables

def write_auc_table(rows: Sequence[dict], path) -> None:
    """TSV with columns target, roc_auc, pr_auc, n_pos (NA where undefined)."""
    write_table(path, AUC_COLUMNS, rows)


def read_auc_table(path) -> list[dict]:
    """Rows of a table written by :func:`write_auc_table` (NA -> nan); an InputError for a table
    without those columns or with a field that is not a number."""
    return [dict(target=d["target"], roc_auc=number(d["roc_auc"], path), pr_auc=number(d["pr_auc"], path),
                 n_pos=number(d["n_pos"], path, int)) for d in read_tsv(path, AUC_COLUMNS)]


def summary(rows: Sequence[dict]) -> dict:
    """Means over the targets where each AUC is defined, and how many targets are NA."""
    roc = np.array([r["roc_auc"] for r in rows], dtype=np.float64)
    pr = np.array([r["pr_auc"] for r in rows], dtype=np.float64)
    return dict(n_targets=len(rows),
                mean_roc_auc=float(np.nanmean(roc)) if np.isfinite(roc).any() else float("nan"),
                mean_pr_auc=float(np.nanmean(pr)) if np.isfinite(pr).any() else float("nan"),
                median_roc_auc=float(np.nanmedian(roc)) if np.isfinite(roc).any() else float("nan"),
                n_na_roc=int((~np.isfinite(roc)).sum()), n_na_pr=int((~np.isfinite(pr)).sum()))
