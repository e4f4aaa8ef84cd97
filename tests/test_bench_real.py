"""The verdicts of the real-data benchmark (benchmarks/bench_real.py) on a made-up match result."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from danqmotifs.core.motif import Motif
from danqmotifs.formats.meme import write_meme
from danqmotifs.match.result import MatchResult
from danqmotifs.match.store import save_results

_spec = importlib.util.spec_from_file_location(
    "bench_real", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_real.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _result(q):
    q = np.asarray(q, float)
    shape = q.shape
    return MatchResult(query_ids=[f"kernel_{i:03d}" for i in range(shape[0])],
                       target_ids=["MA0139.2", "MA1102.3", "MA0002.3"], target_names=["CTCF", "CTCFL", "Runx1"],
                       p_value=q / 10, q_value=q, offset=np.zeros(shape), overlap=np.full(shape, 10),
                       orientation=np.zeros(shape, int), distance="pearson")


def test_rows_rank_the_first_family_kernel_by_its_best_q(tmp_path):
    (tmp_path / "match").mkdir()
    (tmp_path / "motifs").mkdir()
    (tmp_path / "match" / "jaspar_families.tsv").write_text(
        "matrix_id\tname\ttf_family\ttf_class\n"
        "MA0139.2\tCTCF\tMore than 3 adjacent zinc fingers\tC2H2\n"
        "MA1102.3\tCTCFL\tMore than 3 adjacent zinc fingers\tC2H2\n"
        "MA0002.3\tRunx1\tRunt-related factors\tRunt\n")
    # kernel 0: best Runx1 (q 1e-4); kernel 1: best CTCFL at 0.01; kernel 2: CTCF at 0.2 (not significant)
    exact = _result([[0.5, 0.3, 1e-4], [0.4, 0.01, 0.9], [0.2, 0.6, 0.7]])
    heur = _result([[0.9, 0.9, 0.9], [0.9, 0.9, 0.9], [0.9, 0.9, 0.9]])
    save_results(tmp_path / "match" / "pvalues.h5", {"exact": exact, "heuristic": heur})
    rng = np.random.default_rng(0)
    for m in ("exact", "heuristic"):
        write_meme(tmp_path / "motifs" / f"{m}.meme",
                   [Motif(f"kernel_{i:03d}", rng.dirichlet(np.ones(4), 12), name=m) for i in range(3)], np.full(4, 0.25))
    rows = {r["method"]: r for r in bench.rows_of("ctcf", "default", tmp_path)}
    e = rows["exact"]
    assert (e["family"], e["tf_matrix"], e["n_kernels"], e["n_significant"]) == (1, 1, 1, 2)
    assert (e["rank"], e["kernel"], e["target"], e["q"]) == (2, "kernel_001", "CTCFL", 0.01)
    assert e["best_family_q"] == 0.01
    h = rows["heuristic"]
    assert (h["family"], h["n_kernels"], h["rank"]) == (0, 0, "") and h["best_family_q"] == 0.9
    md = bench.markdown(list(rows.values()))
    assert "| ctcf | CTCF | default | exact | yes | yes | 1 | 2 | CTCFL | 0.01 |" in md


def test_core_share_is_the_information_in_the_reference_core():
    one_hot = np.eye(4)[np.arange(12) % 4]
    flat = np.full((12, 4), 0.25)
    ref = np.vstack([one_hot[:10], flat[:2]])
    assert bench.core_share(one_hot, ref) == pytest.approx(10 / 12)
    assert bench.core_share(ref, ref) == pytest.approx(1.0)
