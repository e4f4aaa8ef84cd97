"""Per-kernel faithfulness: how much of what each kernel computes its motif carries.

The k2p fidelity test (``danqmotifs.papers.k2p.fidelity``) swaps all kernels at once; here each
kernel is judged on its own, for every motif method of the run:

* ``corr_<method>``: over windows drawn uniformly (seeded) from the kernel sample (kernels.h5),
  the Pearson correlation between the kernel's linear score W_k . x and the log-likelihood of the
  window under the kernel's motif, sum_j ln P_k[j, x_j]. For the exact PWM it is 1 by the identity
  ln P = ln b * W - (row constants) (a per-kernel check: anything else means the PWMs and the
  kernels disagree). Other methods' zero entries first get k2p's pseudocount (a tenth of the
  smallest positive entry; ``danqmotifs.trust.substitutes.log_pfm``). NA for a kernel without a
  motif (dead) or whose score does not vary.
* ``d_roc_auc_<method>``: the change of the mean ROC AUC over targets (on the influence sample of
  the evaluation split) when only that kernel is replaced by the method's substitute: for exact,
  ln P_k / ln b with the constant folded into the bias (it must be ~0); for any other method,
  a_k ln Q_k + c_k fitted by least squares to the kernel's pre-activation over the same windows
  (dead kernels: a constant, their mean activation). Computed with
  :func:`danqmotifs.trust.influence.kernel_influence` (first layer once, K swaps batched).
"""

from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

import numpy as np

from ..core.alphabet import codes_to_onehot
from ..core.errors import InputError
from .substitutes import exact_substitute, heuristic_substitute, log_pfm, sample_windows

EXACT = "exact"


def log_likelihood_matrices(pwms: np.ndarray, exact: bool) -> np.ndarray:
    """ln P (K, L, 4): the exact PWMs' own logarithm (entries below float64's range at its smallest
    positive number), other methods' with k2p's pseudocount for zero entries."""
    pwms = np.asarray(pwms, dtype=np.float64)
    if exact:
        return np.log(np.maximum(pwms, np.finfo(np.float64).tiny))
    return log_pfm(pwms)


def score_correlations(W: np.ndarray, lnP: np.ndarray, windows: np.ndarray, keep=None,
                       batch: int = 20000) -> np.ndarray:
    """(K,) Pearson correlation over ``windows`` (M, L codes) of W_k . x with lnP_k . x (NaN where
    ``keep`` is False or either score is constant)."""
    W = np.asarray(W, dtype=np.float64)
    K = W.shape[0]
    A, B = W.reshape(K, -1).T, np.asarray(lnP, dtype=np.float64).reshape(K, -1).T
    s = np.zeros((5, K))
    z0 = q0 = None
    for i in range(0, windows.shape[0], batch):
        X = codes_to_onehot(windows[i:i + batch], dtype=np.float64).reshape(-1, A.shape[0])
        z, q = X @ A, X @ B
        if z0 is None:                                  # shift by the first batch's means: no cancellation
            z0, q0 = z.mean(axis=0), q.mean(axis=0)
        z, q = z - z0, q - q0
        s += np.stack([z.sum(0), q.sum(0), (z * z).sum(0), (q * q).sum(0), (z * q).sum(0)])
    M = windows.shape[0]
    mz, mq = s[0] / M, s[1] / M
    vz, vq = s[2] / M - mz ** 2, s[3] / M - mq ** 2
    cov = s[4] / M - mz * mq
    ok = (vz > 1e-12 * np.maximum(1.0, s[2] / M)) & (vq > 1e-12 * np.maximum(1.0, s[3] / M))
    if keep is not None:
        ok &= np.asarray(keep, dtype=bool)
    r = np.full(K, np.nan)
    r[ok] = np.clip(cov[ok] / np.sqrt(vz[ok] * vq[ok]), -1.0, 1.0)
    return r


def read_method_file(path, K: int) -> tuple[np.ndarray, np.ndarray]:
    """(PWMs (K, L, 4), keep (K,)) of a motif method's HDF5 file (``dead`` honoured when present)."""
    from ..formats import method_file

    d = method_file.read_method_file(path)
    if d["pwms"].shape[0] != K:
        raise InputError(path, f"{d['pwms'].shape[0]} PWMs for {K} kernels", "rerun the motif stage")
    return d["pwms"], d["keep"]


def substitute_for(method: str, W, bias, pwms, keep, ln_b, windows, where, activation: str = "relu"):
    """The method's substitute first layer (:class:`~danqmotifs.trust.substitutes.Substitute`): exact or
    fitted a ln Q + c (dead kernels: their mean ``activation``, the layer's)."""

    if method == EXACT:
        return exact_substitute(W, bias, pwms, ln_b, where)
    return heuristic_substitute(W, bias, pwms, ~np.asarray(keep, dtype=bool), windows, activation=activation)


def kernel_faithfulness(model, kernels_path, base_path, method_files: Mapping[str, str], data_path,
                        n_sequences: int, seed: int, n_windows: int = 20000, batch_size: int = 100,
                        average_rc: bool = True, tmp_dir=None,
                        log: Callable[[str], None] = print) -> tuple[list[dict], dict]:
    """Per kernel and method: score correlation and the mean ROC AUC change of a one-kernel swap.

    Parameters
    ----------
    model : keras.Model whose first layer produced ``kernels_path``.
    kernels_path, base_path : kernels.h5 (kernels and the sequence sample) and base.json.
    method_files : method name -> its HDF5 file (``PWM_tensor``; ``dead`` when present).
    data_path : the evaluation split; ``n_sequences``, ``seed``: its seeded sample (as the influence).
    n_windows : windows of the kernel sample for the correlations and the substitutes' fits.

    Returns
    -------
    rows : one dict per kernel: ``kernel``, and ``corr_<m>``, ``d_roc_auc_<m>`` per method.
    summary : per method the median correlation, the mean and the most negative AUC change.
    """
    from ..formats.base_json import ln_b_per_kernel, read_base
    from ..model.kernels import kernels_from_layer, read_kernels_file, sample_rows
    from ..model.modelio import first_conv_layer
    from ..sources.datafile import DataReader
    from .influence import kernel_influence

    kf = read_kernels_file(kernels_path)
    K, L = kf.W.shape[:2]
    layer = kernels_from_layer(first_conv_layer(model))
    current = layer.W
    if current.shape != kf.W.shape or np.abs(current - kf.W).max() > 0:
        raise InputError(kernels_path, "its kernels are not the model's first-layer kernels",
                         "rerun dump_kernels for this model")
    v = ln_b_per_kernel(read_base(base_path), K, base_path)
    windows = sample_windows(kf.codes, L, n_windows, seed)
    with DataReader(data_path) as r:
        rows_idx, _ = sample_rows(r, n_sequences, seed, where="influence.n_sequences")
        codes, labels = r.read_rows(rows_idx)
        names = r.target_names
    out = [{"kernel": k} for k in range(K)]
    summary: dict = {"n_windows": int(windows.shape[0]), "n_sequences": int(codes.shape[0]), "methods": {}}
    for m, path in method_files.items():
        pwms, keep = read_method_file(path, K)
        corr = score_correlations(kf.W, log_likelihood_matrices(pwms, m == EXACT), windows, keep)
        log(f"{m}: score correlations done; swapping one kernel at a time")
        sub = substitute_for(m, kf.W, kf.bias, pwms, keep, v, windows, path, activation=layer.activation)
        res = kernel_influence(model, codes, labels, names, batch_size, average_rc, tmp_dir=tmp_dir, log=log,
                               substitute=(sub.W, sub.bias))
        d_auc = np.array([np.nanmean(d) if np.isfinite(d).any() else np.nan for d in res.d_roc_auc])
        for k in range(K):
            out[k][f"corr_{m}"] = float(corr[k])
            out[k][f"d_roc_auc_{m}"] = float(d_auc[k])
        summary["methods"][m] = dict(
            median_corr=_num(np.nanmedian(corr)) if np.isfinite(corr).any() else None,
            min_corr=_num(np.nanmin(corr)) if np.isfinite(corr).any() else None,
            mean_d_roc_auc=_num(np.nanmean(d_auc)) if np.isfinite(d_auc).any() else None,
            min_d_roc_auc=_num(np.nanmin(d_auc)) if np.isfinite(d_auc).any() else None,
            kernels_without_motif=int((~keep).sum()))
    return out, summary


def _num(x):
    return float(x) if x is not None and math.isfinite(x) else None


def faithfulness_columns(methods: Sequence[str]) -> list[str]:
    """The table's columns for ``methods``."""
    return ["kernel"] + [f"{p}_{m}" for m in methods for p in ("corr", "d_roc_auc")]
