"""The k2p fidelity test: do the motifs carry what the kernels compute?

Two substitute models differ from the original only in their first-layer kernels and biases:

* **exact** (docs/design.md section 5): kernel k becomes ln P_k / v_k, built back from its exact PWM
  P_k at the estimated base (v = ln b, shared or per kernel as base.json says), and the constant
  C_k = sum_j logsumexp(v W_k[j]) / v is folded into the bias. The layer then computes
  ln P(window) / ln b + C + bias, which is the original pre-activation for every window without N
  (an N row scores 0 in both kernels, but its row constant stays in C): the predictions must match
  the original's to float32 precision. Kernels with ln b = 0 (uniform PWM, no inverse) keep their
  original weights and are listed.
* **heuristic** (section 7): kernel k becomes a_k ln Q_k with bias c_k, where Q_k is the heuristic
  PPM and (a_k, c_k) the least-squares fit of a_k * sum_j ln Q_k[j, x_j] + c_k to the original
  pre-activation W_k . x + bias_k over windows drawn uniformly from the sampled sequences
  (kernels.h5): the fairest use of a PFM that has no base. Zero entries of Q first get k2p's
  pseudocount, a tenth of the PPM's smallest positive entry (``danqmotifs.pwm.pwm_to_kernel``).
  Dead kernels (never activated: no PFM) get zero weights and a bias equal to their mean
  activation, f(W_k . x + bias_k) with f the layer's (ReLU or exponential; the bias is ln of it
  under exponential), over the same windows: a constant output.

Both substitutes are evaluated on a data split beside the original (streaming, as the evaluate
rule does), giving a per-target table of ROC AUC and PR AUC and a summary.
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import h5py
import numpy as np

from ...alphabet import N_CODE, codes_to_onehot
from ...datafile import DataReader
from ...errors import InputError, atomic_output
from ...evaluate import auc_table, spill_predictions
from ...formats.base_json import ln_b_per_kernel, read_base
from ...formats.method_file import read_kernel_pwms
from ...formats.tsv import number, read_tsv, write_table
from ...kernels import apply_activation, kernels_from_layer, read_kernels_file
from ...modelio import first_conv_layer
from ...pwm import kernel_to_pwm, log_pwm, pwm_to_kernel, score_offset

VARIANTS = ("original", "exact", "heuristic")
FIDELITY_COLUMNS = ("target",) + tuple(f"{m}_{v}" for m in ("roc_auc", "pr_auc") for v in VARIANTS)
#: the exact substitute must predict what the model predicts on sequences without N to this (float32)
EXACT_TOLERANCE = 1e-5
PSEUDOCOUNT_RULE = "zero PPM entries get a tenth of the smallest positive entry (k2p); rows not renormalised"


@dataclass
class Substitute:
    """First-layer weights of a substitute model and how they were made.

    Attributes
    ----------
    W : (K, L, 4) float32 kernels, correlation orientation.
    bias : (K,) float32.
    info : dict, JSON-able notes (kernels treated specially, fitted coefficients).
    """

    W: np.ndarray
    bias: np.ndarray
    info: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ exact

def exact_substitute(W, bias, pwms, ln_b, where="exact PWMs", tol: float = 1e-9) -> Substitute:
    """Kernels rebuilt from their exact PWMs, ln P / ln b, with C folded into the biases.

    Parameters
    ----------
    W : (K, L, 4) original kernels; bias : (K,) original biases.
    pwms : (K, L, 4) the exact PWMs (softmax of ln b * W per row).
    ln_b : (K,) ln b per kernel.
    where : the PWM file, for errors.
    tol : largest accepted |P - softmax(ln b * W)|; more means the files do not belong together.
    """

    W = np.asarray(W, dtype=np.float64)
    P = np.asarray(pwms, dtype=np.float64)
    v = np.asarray(ln_b, dtype=np.float64)
    if P.shape != W.shape:
        raise InputError(where, f"PWMs have shape {P.shape}, the kernels {W.shape}",
                         "rerun the motif stage: the kernel file changed since")
    err = float(np.abs(P - kernel_to_pwm(W, v)).max())
    if err > tol:
        raise InputError(where, f"the PWMs are not the exact PWMs of these kernels at base.json's base "
                         f"(max difference {err:.3g})", "rerun the motif stage: the kernels or the base changed since")
    W_new = W.copy()
    b_new = np.asarray(bias, dtype=np.float64).copy()
    kept, from_log = [], []
    for k in range(W.shape[0]):
        if v[k] <= 0:
            kept.append(k)                       # uniform PWM: no inverse, the kernel stays
            continue
        if (P[k] > 0).all():
            W_new[k], _ = pwm_to_kernel(P[k], v[k])
        else:                                    # entries below float64's range: ln P is still exact
            W_new[k] = log_pwm(W[k], v[k]) / v[k]
            from_log.append(k)
        b_new[k] += score_offset(W[k], v[k])
    info = {"kernels_kept_original": kept, "kernels_from_log_pwm": from_log}
    return Substitute(W_new.astype(np.float32), b_new.astype(np.float32), info)


# ------------------------------------------------------------------------------------------ heuristic

def log_pfm(ppm) -> np.ndarray:
    """ln Q of heuristic PPMs (K, L, 4), zero entries first given k2p's pseudocount (per kernel)."""

    ppm = np.asarray(ppm, dtype=np.float64)
    return np.stack([pwm_to_kernel(q, 1.0)[0] for q in ppm]) if ppm.size else ppm.copy()


def sample_windows(codes, L: int, n_windows: int, seed: int = 0) -> np.ndarray:
    """(M, L) codes of windows drawn uniformly (seeded, without replacement) from all windows of the
    sequences ``codes`` (n, Ls); every window when there are at most ``n_windows``."""
    codes = np.asarray(codes, dtype=np.uint8)
    n, Ls = codes.shape
    per = Ls - L + 1
    total = n * per
    if per < 1 or n == 0:
        raise ValueError(f"no window of {L} bp in {n} sequences of {Ls} bp")
    flat = np.arange(total) if total <= n_windows else \
        np.sort(np.random.default_rng(seed).choice(total, size=n_windows, replace=False))
    s, p = np.divmod(flat, per)
    return codes[s[:, None], p[:, None] + np.arange(L)[None, :]]


def _window_scores(windows: np.ndarray, kernels: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Linear scores (M, K) of (M, L) code windows for each (K, L, 4) kernel stack (N scores 0)."""
    X = codes_to_onehot(windows, dtype=np.float64).reshape(windows.shape[0], -1)
    return [X @ np.asarray(k, dtype=np.float64).reshape(k.shape[0], -1).T for k in kernels]


@dataclass
class HeuristicFit:
    """Per kernel: slope a, intercept c, R^2 of the fit, mean activation, over ``n_windows``."""

    a: np.ndarray
    c: np.ndarray
    r2: np.ndarray
    mean_activation: np.ndarray
    n_windows: int


def fit_heuristic(W, bias, lnQ, windows, batch: int = 20000, activation: str = "relu") -> HeuristicFit:
    """Least squares of z = W_k . x + bias_k on q = lnQ_k . x over ``windows`` (M, L), per kernel.

    Sums are accumulated around the first batch's means (no cancellation). A kernel whose q does
    not vary (constant rows) gets a = 0 and c = mean z. The mean activation applies the layer's
    ``activation`` (relu or exponential) to z.
    """
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(bias, dtype=np.float64)
    K = W.shape[0]
    M = windows.shape[0]
    s = {k: np.zeros(K) for k in ("z", "q", "zz", "qq", "zq", "act")}
    z0 = q0 = None
    for i in range(0, M, batch):
        z, q = _window_scores(windows[i:i + batch], (W, lnQ))
        z += b
        s["act"] += apply_activation(z, activation).sum(axis=0)
        if z0 is None:
            z0, q0 = z.mean(axis=0), q.mean(axis=0)
        z, q = z - z0, q - q0
        for key, val in (("z", z), ("q", q), ("zz", z * z), ("qq", q * q), ("zq", z * q)):
            s[key] += val.sum(axis=0)
    mz, mq = s["z"] / M, s["q"] / M
    var_q = s["qq"] / M - mq ** 2
    var_z = s["zz"] / M - mz ** 2
    cov = s["zq"] / M - mz * mq
    flat = var_q <= 1e-12 * np.maximum(1.0, s["qq"] / M)
    a = np.where(flat, 0.0, cov / np.where(flat, 1.0, var_q))
    c = (mz + z0) - a * (mq + q0)
    resid = np.maximum(var_z - a * cov, 0.0)
    r2 = np.where(var_z > 0, 1.0 - resid / np.where(var_z > 0, var_z, 1.0), 1.0)
    return HeuristicFit(a, c, r2, s["act"] / M, int(M))


def heuristic_substitute(W, bias, ppm, dead, windows, activation: str = "relu") -> Substitute:
    """Kernels a_k ln Q_k with biases c_k (:func:`fit_heuristic`); dead kernels a constant output:
    their mean activation (the bias that gives it: itself under ReLU, its log under exponential)."""
    dead = np.asarray(dead, dtype=bool)
    lnQ = log_pfm(ppm)
    fit = fit_heuristic(W, bias, lnQ, windows, activation=activation)
    W_new = fit.a[:, None, None] * lnQ
    b_new = fit.c.copy()
    W_new[dead] = 0.0
    b_new[dead] = (np.log(fit.mean_activation[dead]) if activation == "exponential"
                   else fit.mean_activation[dead])
    live = ~dead
    info = {"pseudocount": PSEUDOCOUNT_RULE, "n_windows": fit.n_windows,
            "dead_kernels": np.flatnonzero(dead).tolist(),
            "a": [float(x) if d == 0 else None for x, d in zip(fit.a, dead)],
            "c": [float(x) if d == 0 else None for x, d in zip(fit.c, dead)],
            "r2": [float(x) if d == 0 else None for x, d in zip(fit.r2, dead)],
            "median_r2": float(np.median(fit.r2[live])) if live.any() else None,
            "dead_mean_activation": [float(x) for x in fit.mean_activation[dead]]}
    return Substitute(W_new.astype(np.float32), b_new.astype(np.float32), info)


# ------------------------------------------------------------------------------------------ models

@contextlib.contextmanager
def swapped_kernels(model, W, bias):
    """Within the block, the model's first Conv1D holds kernels ``W`` (K, L, 4) and ``bias``;
    the original weights are restored afterwards (no copy of the model is made)."""

    layer = first_conv_layer(model)
    if not layer.use_bias:
        raise InputError(f"model {model.name!r}", "its first Conv1D has no bias, so the substitutes' "
                         "constants cannot be folded into it", "use a model whose first Conv1D has a bias")
    old = [np.array(layer.kernel.numpy()), np.array(layer.bias.numpy())]
    new_k = np.asarray(W, dtype=np.float32).transpose(1, 2, 0)
    if new_k.shape != old[0].shape:
        raise ValueError(f"substitute kernels {new_k.shape} do not fit the layer's {old[0].shape}")
    layer.kernel.assign(new_k)
    layer.bias.assign(np.asarray(bias, dtype=np.float32))
    try:
        yield model
    finally:
        layer.kernel.assign(old[0])
        layer.bias.assign(old[1])


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
