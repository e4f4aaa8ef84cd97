"""The comparison over motifs: paired one-sided Wilcoxon signed-rank test, exact > heuristic."""

from __future__ import annotations

import numpy as np

METRICS = ("auroc", "auprc")


def paired_summary(exact, heuristic) -> dict:
    """Compare paired values (one pair per motif; pairs with a NaN are dropped).

    Returns
    -------
    dict with ``n`` (pairs used), ``p_value`` (scipy.stats.wilcoxon, alternative "greater": the
    exact values tend to be larger; zero differences dropped, Wilcoxon's convention; None when
    every difference is zero), ``statistic``, ``mean_difference`` and ``median_difference``
    (exact - heuristic), ``p_value_heuristic_greater`` (the same test the other way round: so that
    a result against the paper's direction is stated too), ``wins`` / ``ties`` / ``losses`` (exact larger / equal / smaller), and
    the two means.
    """
    from scipy.stats import wilcoxon

    a, b = np.asarray(exact, dtype=np.float64), np.asarray(heuristic, dtype=np.float64)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    d = a - b
    out = {"n": int(d.size),
           "wins": int((d > 0).sum()), "ties": int((d == 0).sum()), "losses": int((d < 0).sum()),
           "mean_difference": float(d.mean()) if d.size else None,
           "median_difference": float(np.median(d)) if d.size else None,
           "mean_exact": float(a.mean()) if d.size else None,
           "mean_heuristic": float(b.mean()) if d.size else None,
           "p_value": None, "statistic": None, "p_value_heuristic_greater": None}
    if np.any(d != 0):
        res = wilcoxon(a, b, alternative="greater")
        out["p_value"], out["statistic"] = float(res.pvalue), float(res.statistic)
        out["p_value_heuristic_greater"] = float(wilcoxon(a, b, alternative="less").pvalue)
    return out


def summarize(table) -> dict:
    """wilcoxon.json's content from the motifs table (a DataFrame with auroc_exact, ...)."""
    out = {"n_motifs": int(len(table)), "test": "paired one-sided Wilcoxon signed-rank, exact > heuristic"}
    for metric in METRICS:
        out[metric] = paired_summary(table[f"{metric}_exact"], table[f"{metric}_heuristic"])
        for other in ("planted", "model", "kernel"):
            col = f"{metric}_{other}"
            if col in table:
                out[metric][f"mean_{other}"] = float(np.nanmean(table[col]))
        if f"{metric}_exact_lr" in table:
            out[f"{metric}_lr"] = paired_summary(table[f"{metric}_exact_lr"], table[f"{metric}_heuristic_lr"])
    if "dense_w" in table:
        # the models whose dense weight ended positive: their kernel detects the motif (a negative
        # weight makes the max-pooled kernel an "absence" detector, and both PWMs rank backwards)
        pos = np.asarray(table["dense_w"], float) > 0
        out["positive_dense_weight"] = {"n_motifs": int(pos.sum())}
        for metric in METRICS:
            out["positive_dense_weight"][metric] = paired_summary(
                np.asarray(table[f"{metric}_exact"], float)[pos], np.asarray(table[f"{metric}_heuristic"], float)[pos])
    if "tomtom_p_exact" in table:
        pe, ph = np.asarray(table["tomtom_p_exact"], float), np.asarray(table["tomtom_p_heuristic"], float)
        out["tomtom"] = {"exact_closer": int((pe < ph).sum()), "heuristic_closer": int((ph < pe).sum()),
                         "equal": int((pe == ph).sum()),
                         "median_p_exact": float(np.nanmedian(pe)), "median_p_heuristic": float(np.nanmedian(ph))}
    return out
