"""The motif sets of the recovery benchmark (benchmarks/bench_recovery.py): no workflow runs here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from danqmotifs.core.motif import Motif

_spec = importlib.util.spec_from_file_location(
    "bench_recovery", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_recovery.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def motif(mid, ic_bits, family):
    """A motif of exactly ``ic_bits`` bits: one-base columns of 2 bits each plus one column holding
    the remainder."""
    full, rest = int(ic_bits // 2), ic_bits % 2
    rows = [np.eye(4)[i % 4] for i in range(full)]
    if rest > 0:    # p = (q, (1-q)/3 x 3): solve IC = rest by bisection
        lo, hi = 0.25, 1.0
        for _ in range(60):
            q = (lo + hi) / 2
            col = np.array([q] + [(1 - q) / 3] * 3)
            lo, hi = (q, hi) if bench.information_content(col[None]) < rest else (lo, q)
        rows.append(col)
    return Motif(mid, np.array(rows), name=mid, extra={"tf_family": family, "tf_class": []})


def test_information_content():
    assert bench.information_content(np.eye(4)[[0, 1, 2]]) == pytest.approx(6.0)
    assert bench.information_content(np.full((5, 4), 0.25)) == pytest.approx(0.0, abs=1e-9)
    assert bench.information_content(motif("X", 13.3, ["f"]).pwm) == pytest.approx(13.3, abs=1e-6)


def synthetic_pool():
    out = []
    for i in range(60):
        fam = [f"fam{i // 3}"] if i % 7 else []         # 20 families of 3, some matrices without one
        out.append(motif(f"MA9{i:03d}.1", [5.0, 12.0, 18.0, 30.0][i % 4], fam))
    return out


def test_sets_sizes_ic_families_and_determinism():
    pool = synthetic_pool()
    sets = bench.draw_sets(pool, 6, seed=3)
    assert len(sets) == 6
    for s in sets:
        assert len(s) == bench.SET_SIZE == 8
        assert len({m.id for m in s}) == 8
        ics = [bench.information_content(m.pwm) for m in s]
        assert all(10.0 <= ic <= 25.0 for ic in ics)
        fams = [bench.families(m) for m in s]
        assert all(not (a & b) for i, a in enumerate(fams) for b in fams[i + 1:])
    assert [[m.id for m in s] for s in bench.draw_sets(pool, 6, seed=3)] == [[m.id for m in s] for s in sets]
    assert [[m.id for m in s] for s in bench.draw_sets(pool, 6, seed=4)] != [[m.id for m in s] for s in sets]
    assert len({tuple(m.id for m in s) for s in sets}) == 6            # each set its own draw


def test_never_the_default_eight():
    eight = [motif(f"{b}.9", 14.0, [f"f{i}"]) for i, b in enumerate(bench.DEFAULT_EIGHT)]
    with pytest.raises(ValueError, match="default eight"):
        bench.draw_sets(eight, 1)
    sets = bench.draw_sets(eight + [motif("MA9999.1", 14.0, ["f0"])], 5)    # a paralog of the first
    assert all({m.id.split(".")[0] for m in s} != set(bench.DEFAULT_EIGHT) for s in sets)


def test_too_few_families():
    with pytest.raises(ValueError, match="TF families"):
        bench.draw_sets([motif(f"MA9{i:03d}.1", 14.0, ["same"]) for i in range(20)], 1)


def test_jaspar2024_sets():
    from danqmotifs.sources.jaspar import fetch_collection

    sets = bench.draw_sets(fetch_collection("JASPAR2024", "CORE", "vertebrates"), 5)
    for s in sets:
        assert len(s) == 8 and all(10 <= bench.information_content(m.pwm) <= 25 for m in s)
        fams = [bench.families(m) for m in s]
        assert sum(len(f) for f in fams) == len(frozenset().union(*fams))
        assert {m.id.split(".")[0] for m in s} != set(bench.DEFAULT_EIGHT)
