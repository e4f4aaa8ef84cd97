"""The k2p fidelity test: do the motifs carry what the kernels compute?

The model is evaluated on a data split beside two substitute models that differ from it only in
their first-layer kernels and biases (:mod:`danqmotifs.trust.substitutes`, the core module that builds
them): **exact** (kernels rebuilt from the exact PWMs, ln P / ln b with the row constants folded
into the biases: its predictions must match the original's to float32 precision on sequences
without N) and **heuristic** (a_k ln Q_k + c_k fitted to each kernel's pre-activation; dead kernels
a constant). All kernels are swapped at once (the k2p paper's test; the per-kernel table is
:mod:`danqmotifs.trust.faithfulness`), giving a per-target table of ROC AUC and PR AUC (streaming, as the
evaluate rule does) and a summary.
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import h5py
import numpy as np

from ...core.alphabet import N_CODE
from ...core.errors import InputError, atomic_output
from ...formats.base_json import ln_b_per_kernel, read_base
from ...formats.method_file import read_kernel_pwms
from ...formats.tsv import number, read_tsv, write_table
from ...model.evaluate import auc_table, spill_predictions
from ...model.kernels import kernels_from_layer, read_kernels_file
from ...model.modelio import first_conv_layer
from ...sources.datafile import DataReader
# the substitutes live in the core; re-exported for the test's users (tests, benchmarks)
from ...trust.substitutes import (PSEUDOCOUNT_RULE, HeuristicFit, Substitute, exact_substitute,  # noqa: F401
                            fit_heuristic, heuristic_substitute, log_pfm, sample_windows, swapped_kernels)

VARIANTS = ("original", "exact", "heuristic")
FIDELITY_COLUMNS = ("target",) + tuple(f"{m}_{v}" for m in ("roc_auc", "pr_auc") for v in VARIANTS)
#: the exact substitute must predict what the model predicts on sequences without N to this (float32)
EXACT_TOLERANCE = 1e-5


# ------------------------------------------------------------------------------------------ models

def _diff_stats(spill_a, spill_b, keep: np.ndarray, group: int = 16) -> dict:
    """max and mean |pred_a - pred_b| over all sequences, and the max over those with ``keep``
    (None if there is none)."""
    mx, mx_keep, total, count = 0.0, (0.0 if keep.any() else None), 0.0, 0
    with h5py.File(spill_a, "r") as fa, h5py.File(spill_b, "r") as fb:
        T = fa["pred"].shape[0]
        for g in range(0, T, group):
            d = np.abs(fa["pred"][g:g + group].astype(np.float64) - fb["pred"][g:g + group])
            mx = max(mx, float(d.max()))
            if keep.any():
                mx_keep = max(mx_keep, float(d[:, keep].max()))
            total += float(d.sum())
            count += d.size
    return {"max": mx, "mean": total / max(count, 1), "max_without_n": mx_keep}


def _sequences_with_n(data_path, block: int = 65536) -> np.ndarray:

    with DataReader(data_path) as r:
        return np.concatenate([(codes == N_CODE).any(axis=1) for _, codes, _ in r.iter_blocks(block)])


# ------------------------------------------------------------------------------------------ the test

def read_inputs(kernels_path, base_path, exact_path, heuristic_path):
    """(KernelFile, ln b (K,), exact PWMs, heuristic PPMs, dead mask) from the motif stage's files."""

    kf = read_kernels_file(kernels_path)
    K = kf.W.shape[0]
    v = ln_b_per_kernel(read_base(base_path), K, base_path)
    exact = read_kernel_pwms(exact_path)
    with h5py.File(exact_path, "r") as f:
        if "ln_b" in f and not np.allclose(np.broadcast_to(f["ln_b"][()], (K,)), v, rtol=0, atol=1e-12):
            raise InputError(exact_path, "its ln_b differs from base.json's", "rerun the motif stage")
    heur = read_kernel_pwms(heuristic_path, dead_key="dead")
    for path, d in ((exact_path, exact), (heuristic_path, heur)):
        if d["pwms"].shape != kf.W.shape:
            raise InputError(path, f"PWMs of shape {d['pwms'].shape} for kernels of shape {kf.W.shape}",
                             "rerun the motif stage: the kernel file changed since")
    return kf, v, exact["pwms"], heur["pwms"], ~heur["keep"]


def fidelity_test(model, kernels_path, base_path, exact_path, heuristic_path, data_path,
                  batch_size: int = 500, average_rc: bool = True, n_windows: int = 100_000, seed: int = 0,
                  tmp_dir=None, log: Callable[[str], None] = print, where=None) -> tuple[list[dict], dict]:
    """Evaluate the original model and its exact and heuristic substitutes on a data split.

    Parameters
    ----------
    model : keras.Model whose first Conv1D produced ``kernels_path`` (its weights are swapped during
        the run and restored).
    kernels_path, base_path, exact_path, heuristic_path : kernels.h5, base.json, and the exact and
        heuristic methods' HDF5 files (``PWM_tensor``; the heuristic one with ``dead``).
    data_path : the split to evaluate on (e.g. test.h5).
    batch_size, average_rc : as the evaluate rule (average over each sequence and its reverse
        complement).
    n_windows, seed : windows of the kernel sample drawn for the heuristic fit.
    tmp_dir : where the predictions are spilled, two files of 4 bytes x sequences x targets at a
        time (removed afterwards); default the system's.
    where : the model file, named when the exact substitute fails (default the model's name).

    Returns
    -------
    rows : per-target dicts with the columns ``FIDELITY_COLUMNS`` (plus ``n_pos``).
    summary : dict (see :func:`fidelity_summary`).
    """

    kf, v, P_exact, Q, dead = read_inputs(kernels_path, base_path, exact_path, heuristic_path)
    layer = kernels_from_layer(first_conv_layer(model))
    current = layer.W
    if current.shape != kf.W.shape or np.abs(current - kf.W).max() > 0:
        raise InputError(kernels_path, "its kernels are not the model's first-layer kernels",
                         "rerun dump_kernels for this model")
    subs = {"exact": exact_substitute(kf.W, kf.bias, P_exact, v, exact_path),
            "heuristic": heuristic_substitute(kf.W, kf.bias, Q, dead,
                                              sample_windows(kf.codes, kf.W.shape[1], n_windows, seed),
                                              activation=layer.activation)}
    with DataReader(data_path) as r:
        names = r.target_names
    if tmp_dir is not None:
        Path(tmp_dir).mkdir(parents=True, exist_ok=True)
    has_n = _sequences_with_n(data_path)
    tables, diffs = {}, {}
    with tempfile.TemporaryDirectory(prefix=".fidelity.", dir=tmp_dir) as d:
        original = Path(d) / "original.h5"
        for name in VARIANTS:                   # at most two spill files at a time
            spill = original if name == "original" else Path(d) / f"{name}.h5"
            log(f"predicting with the {name} model")
            ctx = swapped_kernels(model, subs[name].W, subs[name].bias) if name in subs else contextlib.nullcontext()
            with ctx:
                spill_predictions(model, data_path, spill, batch_size, average_rc, log=log)
            tables[name] = auc_table(spill, names)
            if name in subs:
                diffs[name] = _diff_stats(original, spill, ~has_n)
                spill.unlink()
    rows = fidelity_rows(tables)
    summary = fidelity_summary(rows, diffs, {k: s.info for k, s in subs.items()})
    summary.update(n_sequences=int(has_n.size), n_sequences_with_n=int(has_n.sum()), average_rc=bool(average_rc),
                   compute_dtype=str(getattr(first_conv_layer(model), "compute_dtype", "float32")))
    check_exact_agreement(summary, where if where is not None else f"model {model.name!r}")
    return rows, summary


def check_exact_agreement(summary: dict, where, tol: float = EXACT_TOLERANCE) -> None:
    """InputError when the exact substitute's predictions differ from the model's by more than
    ``tol`` on sequences without N (float32 models only: a float16 compute type rounds more)."""
    d = summary.get("max_abs_diff_exact_without_n")
    if d is None or summary.get("compute_dtype", "float32") != "float32" or d <= tol:
        return
    raise InputError(where, f"the exact substitute predicts differently from the model by up to {d:.3g} on "
                     f"sequences without N (allowed {tol:g}), so its motifs are not exact for this model",
                     "check that the model's first layer is a valid, stride-1, undilated Conv1D on the "
                     "one-hot input, and that kernels.h5 and base.json come from this model (rerun "
                     "dump_kernels and estimate_base)")


def fidelity_rows(tables: dict[str, list[dict]]) -> list[dict]:
    """Merge per-variant AUC tables (``evaluate.auc_table`` rows) into the fidelity table's rows."""
    rows = []
    for i, base in enumerate(tables["original"]):
        row = {"target": base["target"]}
        for metric in ("roc_auc", "pr_auc"):
            for name in VARIANTS:
                row[f"{metric}_{name}"] = float(tables[name][i][metric])
        row["n_pos"] = int(base["n_pos"])
        rows.append(row)
    return rows


def _num(x):
    return float(x) if x is not None and math.isfinite(x) else None


def fidelity_summary(rows: Sequence[dict], diffs: dict | None = None, info: dict | None = None) -> dict:
    """Means over targets (where defined) per variant, the mean AUC drops of each substitute
    (original - substitute), and the prediction differences (``diffs[variant]``: max, mean,
    max_without_n) with the substitutes' notes."""
    out: dict = {"n_targets": len(rows)}
    for metric in ("roc_auc", "pr_auc"):
        cols = {n: np.array([r[f"{metric}_{n}"] for r in rows], dtype=np.float64) for n in VARIANTS}
        for n in VARIANTS:
            out[f"mean_{metric}_{n}"] = _num(np.nanmean(cols[n])) if np.isfinite(cols[n]).any() else None
        for n in VARIANTS[1:]:
            drop = cols["original"] - cols[n]
            out[f"mean_{metric}_drop_{n}"] = _num(np.nanmean(drop)) if np.isfinite(drop).any() else None
    for n, d in (diffs or {}).items():
        out[f"max_abs_diff_{n}"] = d["max"]
        out[f"mean_abs_diff_{n}"] = d["mean"]
        out[f"max_abs_diff_{n}_without_n"] = d["max_without_n"]
    for n, i in (info or {}).items():
        out[n] = i
    return out


def write_fidelity_table(rows: Sequence[dict], path) -> None:
    """TSV with the columns ``FIDELITY_COLUMNS`` (NA where an AUC is undefined)."""
    write_table(path, FIDELITY_COLUMNS, rows)


def read_fidelity_table(path) -> list[dict]:
    """Rows of :func:`write_fidelity_table`'s TSV (NA -> nan)."""

    return [{"target": d["target"], **{c: number(d[c], path) for c in FIDELITY_COLUMNS[1:]}}
            for d in read_tsv(path, FIDELITY_COLUMNS)]


def write_fidelity_json(summary: dict, path) -> None:
    """The summary as indented JSON."""
    with atomic_output(path) as tmp:
        Path(tmp).write_text(json.dumps(summary, indent=1) + "\n")
