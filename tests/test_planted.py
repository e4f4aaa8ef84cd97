"""The planted-motif benchmark's rule: a planted matrix is recovered when it is some kernel's best
match at q < threshold (version-insensitive ids); the same rule for every method."""

from __future__ import annotations

import json

import numpy as np

from danqmotifs.core.motif import Motif
from danqmotifs.match import MatchResult
from danqmotifs.report.plot.matching import planted_figure
from danqmotifs.trust.planted import base_id, benchmark, family_recovery, recovery

TARGETS = ["MA0001.1", "MA0139.2", "MA1929.2", "MA0035.4", "MA0083.3"]
NAMES = ["A", "CTCF", "CTCF", "GATA1", "SRF"]


def _result(p, q=None, reported=None):
    p = np.asarray(p, float)
    n = p.shape
    return MatchResult([f"kernel_{i:03d}" for i in range(n[0])], TARGETS, NAMES, p,
                       p * 3 if q is None else np.asarray(q, float), np.zeros(n, np.int32),
                       np.full(n, 6, np.int32), np.zeros(n, np.int8), reported=reported)


P_EXACT = [[0.5, 1e-9, 1e-6, 0.5, 0.5],    # kernel 0: best CTCF MA0139.2
           [0.5, 0.5, 0.5, 1e-3, 0.5],     # kernel 1: best GATA1 but q = 3e-3 * ... see Q
           [0.5, 1e-5, 1e-7, 0.5, 0.5]]    # kernel 2: best MA1929.2 (another CTCF matrix)
Q_EXACT = [[1, 1e-8, 1e-5, 1, 1], [1, 1, 1, 0.2, 1], [1, 1e-4, 1e-6, 1, 1]]
PLANTED = [Motif("MA0139.2", np.full((4, 4), 0.25), "CTCF"), Motif("MA0035.5", np.full((4, 4), 0.25), "GATA1"),
           Motif("MA0080.7", np.full((4, 4), 0.25), "Spi1")]


def test_base_id():
    assert base_id("MA0139.2") == "MA0139" and base_id("MA0139") == "MA0139"


def test_recovery_rule():
    res = _result(P_EXACT, Q_EXACT)
    ctcf = recovery(PLANTED[0], res, 0.05)
    assert ctcf["recovered"] and ctcf["kernels"] == "kernel_000" and ctcf["n_kernels"] == 1
    assert ctcf["best_p"] == 1e-9 and ctcf["best_kernel"] == "kernel_000" and ctcf["rank"] == 1
    # GATA1 planted as MA0035.5, the database has MA0035.4: the same factor; but q = 0.2 -> not recovered
    gata = recovery(PLANTED[1], res, 0.05)
    assert not gata["recovered"] and gata["best_p"] == 1e-3 and gata["best_target"] == "MA0035.4"
    assert recovery(PLANTED[1], res, 0.5)["recovered"]
    # not in the database at all
    spi = recovery(PLANTED[2], res, 0.05)
    assert not spi["recovered"] and spi["best_p"] is None
    # the rank of the planted matrix in the kernel with its best p-value
    p2 = np.array(P_EXACT)
    p2[0, 1] = 1e-4
    r = recovery(PLANTED[0], _result(p2, Q_EXACT), 0.05)
    assert r["best_kernel"] == "kernel_002" and r["rank"] == 2 and r["kernel_top_target"] == "MA1929.2"
    # and no kernel has it as its best match any more (kernel 0 now prefers MA1929.2)
    assert not r["recovered"] and r["kernels"] == "" and r["n_kernels"] == 0


def test_unreported_pairs_never_count():
    rep = np.ones((3, 5), bool)
    rep[0, 1] = False
    r = recovery(PLANTED[0], _result(P_EXACT, Q_EXACT, rep), 0.05)
    assert not r["recovered"] and r["best_p"] == 1e-5 and r["best_kernel"] == "kernel_002"


def test_benchmark_summary_is_method_blind(tmp_path):
    a, b = _result(P_EXACT, Q_EXACT), _result(np.roll(P_EXACT, 1, axis=1), np.roll(Q_EXACT, 1, axis=1))
    rows, s = benchmark(PLANTED, {"euclidean": {"exact": a, "heuristic": b}}, 0.05, 0.01)
    assert s["planted"] == 3 and s["recovered_exact"] == 1 and s["planted_in_database"] == 2
    assert "q < 0.05" in s["criterion"] and s["distance"] == "euclidean"
    assert s["kernels_matched"]["exact"]["distance"] == "euclidean"
    rows2, s2 = benchmark(PLANTED, {"euclidean": {"exact": b, "heuristic": a}}, 0.05, 0.01)
    assert (s2["recovered_exact"], s2["recovered_heuristic"]) == (s["recovered_heuristic"], s["recovered_exact"])
    for r, r2 in zip(rows, rows2):
        assert r["recovered_exact"] == r2["recovered_heuristic"] and r["best_p_exact"] == r2["best_p_heuristic"]
    json.dumps(s, allow_nan=False)  # valid JSON (no NaN)
    planted_figure(tmp_path / "p.png", rows, ["exact", "heuristic"], 0.05)
    planted_figure(tmp_path / "q.png", rows, ["exact", "heuristic"], 0.05)
    assert (tmp_path / "p.png").read_bytes() == (tmp_path / "q.png").read_bytes()
    planted_figure(tmp_path / "one.png", rows, ["exact"], 0.05)
    assert (tmp_path / "one.png").stat().st_size > 5000


def test_family_level_and_both_distances():
    """A paralog's matrix as a kernel's best match counts at the family level only; every distance
    gets its own counts and the first one stands at the top level."""
    res = _result(P_EXACT, Q_EXACT)
    families = {"MA0139": {"C2H2 ZF"}, "MA1929": {"C2H2 ZF"}, "MA0035": {"GATA"}}
    # kernel_000's best match is MA0139 (CTCF itself): recovered at both levels
    assert family_recovery(PLANTED[0], res, 0.05, families)["recovered_family"]
    # a planted matrix of MA1929's family that no kernel matches exactly: family level only
    paralog = Motif("MA9999.1", PLANTED[0].pwm, "paralog")
    fam = family_recovery(paralog, res, 0.05, {**families, "MA9999": {"C2H2 ZF"}})
    assert fam["recovered_family"] and not recovery(paralog, res, 0.05)["recovered"]
    # no family annotation: the family level reduces to the id level
    assert not family_recovery(paralog, res, 0.05, families)["recovered_family"]
    other = _result(np.roll(P_EXACT, 1, axis=1), np.roll(Q_EXACT, 1, axis=1))
    rows, s = benchmark(PLANTED, {"pearson": {"exact": res}, "euclidean": {"exact": other}}, 0.05, 0.01,
                        families)
    assert s["distance"] == "pearson" and set(s["by_distance"]) == {"pearson", "euclidean"}
    assert s["recovered_exact"] == s["by_distance"]["pearson"]["recovered_exact"]
    assert s["recovered_family_exact"] >= s["recovered_exact"]
    assert [r["distance"] for r in rows] == ["pearson"] * 3 + ["euclidean"] * 3
