"""The decision rule of benchmarks/bench_real_sets.py (issue 31 item 3) on made-up per-run rows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(_HERE))
_spec = importlib.util.spec_from_file_location("bench_real_sets", _HERE / "bench_real_sets.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _rows(best, auc=None, rec=None, seeds=(1, 2, 3)):
    """Per-run rows: best[(set, activation)] = log10 q ('' = no family hit), exact method only."""
    auc = auc or {}
    rec = rec or {"relu": 1.0, "exponential": 1.0}
    out = []
    for seed in seeds:
        for (s, a), b in best.items():
            out.append({"set": s, "activation": a, "seed": seed, "method": "exact", "auc": auc.get((s, a), 0.9),
                        "hit": int(b != ""), "best": b, "n_family": 1, "n_significant": 2, "share": 0.5,
                        "recovered_id": "", "recovered_family": "", "epochs": 20, "max_epochs": 100})
        for a in ("relu", "exponential"):
            out.append({"set": "sim", "activation": a, "seed": seed, "method": "exact", "auc": 0.98, "hit": "",
                        "best": "", "n_family": "", "n_significant": "", "share": "", "recovered_id": rec[a],
                        "recovered_family": 1.0, "epochs": 30, "max_epochs": 100})
    return out


BASE = {("ctcf", "relu"): -3.0, ("ctcf", "exponential"): -5.0, ("p73", "relu"): -3.0, ("p73", "exponential"): -4.5}


def test_exponential_wins_only_when_every_clause_holds():
    v = bench.decide(bench.summarise(_rows(BASE)), 3)
    assert v["applied"] and v["default"] == "exponential" and all(v["checks"].values())
    assert v["delta_best_exact"] == {"ctcf": -2.0, "p73": -1.5}


@pytest.mark.parametrize("change, failed", [
    ({("p73", "exponential"): -3.5}, "1_best_better_on_majority"),            # only one of two sets by 1 order
    ({("p73", "exponential"): ""}, "1_best_better_on_majority"),              # a miss counts as log10 0.05
])
def test_best_clauses(change, failed):
    v = bench.decide(bench.summarise(_rows({**BASE, **change})), 3)
    assert v["default"] == "relu" and not v["checks"][failed]


def test_auc_and_planted_recovery_clauses():
    auc = {("ctcf", "exponential"): 0.85, ("p73", "exponential"): 0.86}     # mean drop 0.045 > 0.02
    v = bench.decide(bench.summarise(_rows(BASE, auc=auc)), 3)
    assert v["default"] == "relu" and not v["checks"]["3_auc_drop_at_most_0.02"]
    v = bench.decide(bench.summarise(_rows(BASE, rec={"relu": 1.0, "exponential": 0.875})), 3)
    assert v["default"] == "relu" and not v["checks"]["4_planted_recovery_not_lower"]


def test_incomplete_numbers_leave_the_default():
    rows = [r for r in _rows(BASE) if not (r["set"] == "sim" and r["seed"] == 3)]
    v = bench.decide(bench.summarise(rows), 3)
    assert not v["applied"] and v["default"] == "relu" and "sim/relu" in v["why"]


def test_summary_means_ranges_and_censoring():
    rows = _rows({("ctcf", "relu"): -3.0, ("ctcf", "exponential"): -5.0, ("p73", "relu"): "",
                  ("p73", "exponential"): -4.0}, seeds=(1, 2))
    rows[0]["best"] = -1.0                                          # ctcf relu seed 1
    s = {(r["set"], r["activation"], r["method"]): r for r in bench.summarise(rows)}
    assert s[("ctcf", "relu", "exact")]["best"] == (-2.0, -3.0, -1.0)
    assert s[("p73", "relu", "exact")]["best"][0] == pytest.approx(bench.CENSOR)
    assert s[("p73", "relu", "exact")]["best_censored"] == 2
    assert "PARTIAL" in bench.section_text(bench.summarise(rows), {"applied": False, "why": "x"}, rows, 3)
