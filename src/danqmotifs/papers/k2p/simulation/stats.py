"""The comparisons over motifs: paired one-sided Wilcoxon signed-rank tests, exact > heuristic.

wilcoxon.json holds two analyses (docs/k2p_simulation.md):

- ``paper``: the authors' protocol (fixed initialisation, the regression refit in-sample on the
  train + validation rows; AUROC of class labels, trapezoid AUPRC);
- ``heldout``: this project's robustness check on the test split, for both initialisations
  (``fixed``, ``random``) and both scores (``raw``: the maximal log-likelihood; ``lr``: the
  regression's probability, which turns round a PWM whose fitted slope is negative), each also
  split by the sign of the trained model's final dense weight.
"""

from __future__ import annotations

import numpy as np

METRICS = ("auroc", "auprc")
KINDS = ("fixed", "random")
SCORES = ("raw", "lr")


def bootstrap_ci(d: np.ndarray, n: int = 2000, seed: int = 0, level: float = 0.95) -> list | None:
    """Percentile bootstrap interval of the mean of ``d`` (motifs resampled with replacement)."""
    d = np.asarray(d, dtype=np.float64)
    if d.size < 2 or n < 1:
        return None
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, d.size, size=(int(n), d.size))].mean(axis=1)
    a = (1.0 - level) / 2.0
    return [float(np.quantile(means, a)), float(np.quantile(means, 1.0 - a))]


def paired_summary(exact, heuristic, bootstrap: int = 2000) -> dict:
    """Compare paired values (one pair per motif; pairs with a NaN are dropped).

    Returns
    -------
    dict with ``n`` (pairs used), ``p_value`` (scipy.stats.wilcoxon, alternative "greater": the
    exact values tend to be larger; zero differences dropped, Wilcoxon's convention; None when
    every difference is zero), ``statistic``, ``p_value_heuristic_greater`` (the same test the
    other way round), ``mean_difference`` (exact - heuristic) with its bootstrap 95% interval
    ``mean_difference_ci95``, ``median_difference``, ``wins`` / ``ties`` / ``losses`` (exact
    larger / equal / smaller), and the two means.
    """
    from scipy.stats import wilcoxon

    a, b = np.asarray(exact, dtype=np.float64), np.asarray(heuristic, dtype=np.float64)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    d = a - b
    out = {"n": int(d.size),
           "wins": int((d > 0).sum()), "ties": int((d == 0).sum()), "losses": int((d < 0).sum()),
           "mean_difference": float(d.mean()) if d.size else None,
           "mean_difference_ci95": bootstrap_ci(d, bootstrap),
           "median_difference": float(np.median(d)) if d.size else None,
           "mean_exact": float(a.mean()) if d.size else None,
           "mean_heuristic": float(b.mean()) if d.size else None,
           "p_value": None, "statistic": None, "p_value_heuristic_greater": None}
    if np.any(d != 0):
        res = wilcoxon(a, b, alternative="greater")
        out["p_value"], out["statistic"] = float(res.pvalue), float(res.statistic)
        out["p_value_heuristic_greater"] = float(wilcoxon(a, b, alternative="less").pvalue)
    return out


def analysis(table, prefix: str, dense_col: str | None, bootstrap: int = 2000) -> dict:
    """One analysis: columns ``{prefix}{metric}_{exact,heuristic,planted}``; split by the sign of
    ``dense_col`` when given."""
    out = {"n_motifs": int(len(table))}
    for metric in METRICS:
        s = paired_summary(table[f"{prefix}{metric}_exact"], table[f"{prefix}{metric}_heuristic"], bootstrap)
        if f"{prefix}{metric}_planted" in table:
            s["mean_planted"] = float(np.nanmean(table[f"{prefix}{metric}_planted"]))
        out[metric] = s
    if dense_col and dense_col in table:
        w = np.asarray(table[dense_col], dtype=np.float64)
        out["by_dense_weight_sign"] = {}
        for sign, mask in (("positive", w > 0), ("negative", w <= 0)):
            part = {"n_motifs": int(mask.sum())}
            for metric in METRICS:
                part[metric] = paired_summary(np.asarray(table[f"{prefix}{metric}_exact"], float)[mask],
                                              np.asarray(table[f"{prefix}{metric}_heuristic"], float)[mask], bootstrap)
            out["by_dense_weight_sign"][sign] = part
    return out


def summarize(table, protocol: str = "paper", bootstrap: int = 2000) -> dict:
    """wilcoxon.json's content from the motifs table."""
    out = {"protocol": protocol, "test": "paired one-sided Wilcoxon signed-rank, exact > heuristic",
           "paper": analysis(table, "paper_", "dense_w_fixed", bootstrap), "heldout": {}}
    out["paper"]["description"] = ("the authors' protocol: fixed initial draw per kernel width, final weights, "
                                   "base-e exact PWM; penalised LR (caret plr grid, 5-fold CV) refit on the "
                                   "train + validation rows and scored there: AUROC of class labels, "
                                   "trapezoid AUPRC of probabilities")
    for kind in KINDS:
        if f"dense_w_{kind}" not in table:      # random_starts: false trains the fixed draw only
            continue
        out["heldout"][kind] = {}
        for score in SCORES:
            a = analysis(table, f"heldout_{kind}_{score}_", f"dense_w_{kind}", bootstrap)
            a["description"] = (f"this project's robustness check: test split, {kind} initialisation, "
                                + ("raw maximal log-likelihood" if score == "raw" else
                                   "probability of the LR fitted on train + validation"))
            out["heldout"][kind][score] = a
    if "tomtom_p_exact" in table:
        pe, ph = np.asarray(table["tomtom_p_exact"], float), np.asarray(table["tomtom_p_heuristic"], float)
        out["tomtom"] = {"exact_closer": int((pe < ph).sum()), "heuristic_closer": int((ph < pe).sum()),
                         "equal": int((pe == ph).sum()),
                         "median_p_exact": float(np.nanmedian(pe)), "median_p_heuristic": float(np.nanmedian(ph))}
    return out


def headline(summary: dict) -> dict:
    """The analysis the scatter shows: ``paper``, or the held-out check with the fixed
    initialisation and the raw score when the protocol is ``heldout``."""
    if summary.get("protocol") == "heldout":
        return summary["heldout"]["fixed"]["raw"]
    return summary["paper"]
