"""The standard filter-analysis metrics on a hand-made match result with a known truth."""

import math

import numpy as np
import pytest

from danqmotifs.core.motif import Motif
from danqmotifs.match import MatchResult
from danqmotifs.trust.filter_metrics import COLUMNS, filter_metrics, metrics_rows, write_metrics

TARGETS = ["MA0001.1", "MA0139.2", "MA1929.2", "MA0035.4", "MA0083.3"]
NAMES = ["A", "CTCF", "CTCFL", "GATA1", "SRF"]
FAMILIES = {"MA0139": {"C2H2 CTCF"}, "MA1929": {"C2H2 CTCF"}, "MA0035": {"GATA"}}
PLANTED = [Motif("MA0139.1", np.full((4, 4), 0.25), "CTCF"), Motif("MA0080.7", np.full((4, 4), 0.25), "Spi1")]


def _result(p, q):
    p = np.asarray(p, float)
    n = p.shape
    return MatchResult([f"kernel_{i:03d}" for i in range(n[0])], TARGETS, NAMES, p, np.asarray(q, float),
                       np.zeros(n, np.int32), np.full(n, 6, np.int32), np.zeros(n, np.int8))


P = [[0.5, 1e-9, 1e-6, 0.5, 0.5],     # kernel 0: CTCF (planted, another version)
     [0.5, 1e-5, 1e-7, 0.5, 0.5],     # kernel 1: CTCFL (a planted motif's family)
     [0.5, 0.5, 0.5, 1e-6, 0.5],      # kernel 2: GATA1 (not planted: a false annotation)
     [0.5, 0.5, 0.5, 1e-3, 0.5]]      # kernel 3: GATA1 at q 0.2: not annotated
Q = [[1, 1e-8, 1e-5, 1, 1], [1, 1e-4, 1e-6, 1, 1], [1, 1, 1, 1e-5, 1], [1, 1, 1, 0.2, 1]]


def test_metrics_against_the_truth():
    m = filter_metrics(PLANTED, _result(P, Q), 0.05, FAMILIES)
    assert m["n_kernels"] == 4 and m["n_annotated"] == 3
    assert m["frac_kernels_annotated"] == pytest.approx(0.75)
    assert m["frac_kernels_planted"] == pytest.approx(0.25)
    assert m["frac_kernels_planted_family"] == pytest.approx(0.5)
    assert (m["planted"], m["planted_covered"], m["planted_covered_family"]) == (2, 1, 1)
    assert m["false_annotation_rate"] == pytest.approx(1 / 3)
    # without family annotations the CTCFL kernel is a false annotation too
    assert filter_metrics(PLANTED, _result(P, Q), 0.05)["false_annotation_rate"] == pytest.approx(2 / 3)


def test_nothing_annotated_and_the_table(tmp_path):
    m = filter_metrics(PLANTED, _result(P, np.ones((4, 5))), 0.05, FAMILIES)
    assert m["n_annotated"] == 0 and math.isnan(m["false_annotation_rate"])
    rows = metrics_rows(PLANTED, {"pearson": {"exact": _result(P, Q)}}, 0.05, FAMILIES)
    write_metrics(rows, tmp_path / "m.tsv")
    lines = (tmp_path / "m.tsv").read_text().splitlines()
    assert lines[0].split("\t") == list(COLUMNS) and lines[1].startswith("pearson\texact\t4\t3\t0.75")
