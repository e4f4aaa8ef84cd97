"""Matching: q-values, the tomtom table parser, the tomtom binary wrapper (with a stand-in program),
memelite's Tomtom on JASPAR with motifs at known offsets and strands, tables, the p-value file and
the motif-match command line.

memelite compiles with numba on its very first call in an environment (about 90 s; cached in
site-packages afterwards). Every test here that runs it shares one module-scoped comparison.
"""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pytest

from danqmotifs.cli.match import run
from danqmotifs.core.errors import InputError
from danqmotifs.core.motif import Motif
from danqmotifs.core.pwm import column_information
from danqmotifs.formats.meme import read_meme, write_meme
from danqmotifs.match.engines import (
    distance_of,
    match_motifs,
    parse_tomtom_tsv,
    resolve_engine,
    result_from_table,
    tomtom_args_for,
    tomtom_binary,
    tomtom_memelite,
)
from danqmotifs.match.result import best_indices, bh_qvalues, count_matched
from danqmotifs.match.store import load_results, save_results
from danqmotifs.match.tables import COLUMNS, best_table, match_table, read_table, summary, write_table
from danqmotifs.sources.jaspar import fetch_collection


def test_bh_qvalues_against_scipy():
    from scipy.stats import false_discovery_control

    rng = np.random.default_rng(0)
    p = np.concatenate([rng.random((3, 40)) ** 3, np.full((1, 40), 0.5)])
    p[0, :5] = p[0, 5]  # ties
    q = bh_qvalues(p)
    for row, qrow in zip(p, q):
        np.testing.assert_allclose(qrow, false_discovery_control(row, method="bh"), rtol=1e-12)
    assert (q >= p - 1e-15).all() and (q <= 1).all()
    # each row is its own family
    np.testing.assert_allclose(bh_qvalues(p[1:2])[0], q[1])


TSV_V5 = """Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\tTarget_consensus\tOrientation
kernel_000\tT1\t-3\t1.5e-08\t4.5e-08\t3e-08\t15\tACGTACGT\tACGT\t-
kernel_000\tT2\t2\t0.002\t0.006\t0.004\t7\tACGTACGT\tTTTT\t+
kernel_002\tT3\t0\t1e-05\t3e-05\t3e-05\t5\tAAAAA\tAAAAA\t+

# Tomtom (Motif Comparison Tool): Version 5.5.5
# The format of this file is described at https://meme-suite.org/meme/doc/tomtom-output-format.html.
# tomtom -no-ssc -min-overlap 5 -dist pearson -evalue -thresh 0.01 -text q.meme db.meme
"""

TSV_V4 = ("#Query ID\tTarget ID\tOptimal offset\tp-value\tE-value\tq-value\tOverlap\tQuery consensus\t"
          "Target consensus\tOrientation\nkernel_001\tT2\t1\t0.0001\t0.0003\t0.0003\t6\tAC\tAC\t-\n")


def _targets():
    return [Motif(f"T{i}", np.full((6, 4), 0.25), name=f"TF{i}") for i in (1, 2, 3)]


def test_parse_tomtom_tsv_current_and_old_headers():
    df = parse_tomtom_tsv(TSV_V5)
    assert list(df["query"]) == ["kernel_000", "kernel_000", "kernel_002"]
    assert df.offset.tolist() == [-3, 2, 0] and df.overlap.tolist() == [15, 7, 5]
    assert df.orientation.tolist() == ["-", "+", "+"]
    np.testing.assert_allclose(df.p_value, [1.5e-8, 2e-3, 1e-5])
    old = parse_tomtom_tsv(TSV_V4)
    assert old.iloc[0].to_dict() == {"query": "kernel_001", "target_id": "T2", "offset": 1, "p_value": 1e-4,
                                     "e_value": 3e-4, "q_value": 3e-4, "overlap": 6, "orientation": "-"}


@pytest.mark.parametrize("text, words", [
    ("MOTIF x\n1 2 3\n", "no header line"),
    (TSV_V5.replace("\t-3\t", "\tminus three\t"), "not numeric"),
    (TSV_V5.replace("\t15\tACGTACGT\tACGT\t-", "\t15"), "fields"),
    (TSV_V5.replace("Optimal_offset", "Offset"), "lacks the column(s) optimal_offset"),
    (TSV_V5.replace("\tTTTT\t+", "\tTTTT\t?"), "orientation"),
])
def test_parse_tomtom_tsv_errors(text, words):
    with pytest.raises(InputError, match=None) as ei:
        parse_tomtom_tsv(text, source="t.tsv")
    assert words in str(ei.value) and str(ei.value).startswith("t.tsv:")


def test_result_from_table_fills_unreported_pairs():
    res = result_from_table(parse_tomtom_tsv(TSV_V5), ["kernel_000", "kernel_001", "kernel_002"], _targets(),
                            "pearson")
    assert res.reported.sum() == 3 and not res.reported[1].any()
    assert res.p_value[0, 0] == 1.5e-8 and res.p_value[1, 0] == 1.0
    np.testing.assert_allclose(res.e_value[0, 0], 1.5e-8 * 3)   # E = p x number of targets
    assert res.q_value[0, 0] == 3e-8                               # Tomtom's own q
    assert res.orientation[0, 0] == 1 and res.offset[0, 0] == -3
    assert best_indices(res).tolist() == [0, -1, 2]
    tab = best_table(res, "exact")
    assert tab["query"].tolist() == ["kernel_000", "kernel_002"]
    assert tab["target_name"].tolist() == ["TF1", "TF3"]
    with pytest.raises(InputError, match="not in the target database"):
        result_from_table(parse_tomtom_tsv(TSV_V5), ["kernel_000", "kernel_002"], _targets()[:2], "pearson")


@pytest.fixture
def fake_tomtom(tmp_path, monkeypatch):
    """A stand-in `tomtom` on PATH that records its arguments and prints a fixed table."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (tmp_path / "out.tsv").write_text(TSV_V5)
    exe = bindir / "tomtom"
    exe.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/args.txt\ncat {tmp_path}/out.tsv\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


def test_tomtom_binary_runs_and_parses(fake_tomtom):
    args = "-no-ssc -min-overlap 5 -dist pearson -evalue -thresh 0.01"
    res = tomtom_binary("q.meme", "db.meme", ["kernel_000", "kernel_001", "kernel_002"], _targets(), args)
    assert (fake_tomtom / "args.txt").read_text().split() == args.split() + ["-text", "q.meme", "db.meme"]
    assert res.engine == "meme" and res.distance == "pearson"
    assert res.reported.sum() == 3


def test_tomtom_binary_missing_or_failing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError) as ei:
        tomtom_binary("q.meme", "db.meme", ["a"], _targets(), "")
    assert "not on PATH" in str(ei.value) and "memelite" in str(ei.value)
    exe = tmp_path / "tomtom"
    exe.write_text("#!/bin/sh\necho 'bad option -foo' >&2\nexit 1\n")
    exe.chmod(0o755)
    with pytest.raises(InputError, match="exited with status 1: bad option -foo"):
        tomtom_binary("q.meme", "db.meme", ["a"], _targets(), "-foo")


def test_distance_of():
    assert distance_of("memelite", "-dist pearson") == "euclidean"
    assert distance_of("meme", "-no-ssc -dist ed") == "euclidean"      # MEME's name, read as ours
    assert distance_of("meme", "-no-ssc") == "pearson"


# --- memelite on JASPAR ----------------------------------------------------------------------

PLANTS = [("MA0139.2", 4, "+"), ("MA0035.5", 0, "-"), ("MA0080.7", 7, "-"), ("MA0083.3", 2, "+")]


@pytest.fixture(scope="module")
def jaspar():
    return fetch_collection("JASPAR2024", "CORE", "vertebrates")


@pytest.fixture(scope="module")
def lite(jaspar):
    """Queries: JASPAR matrices inside flat flanks at known offsets/strands, and a flat motif."""
    by_id = {m.id: m for m in jaspar}
    queries = []
    for k, (mid, left, strand) in enumerate(PLANTS):
        core = by_id[mid].pwm if strand == "+" else by_id[mid].pwm[::-1, ::-1]
        pwm = np.vstack([np.full((left, 4), 0.25), core, np.full((3, 4), 0.25)])
        queries.append(Motif(f"kernel_{k:03d}", pwm, "exact", 100))
    queries.append(Motif("kernel_004", np.full((12, 4), 0.25), "exact", 100))
    return queries, tomtom_memelite(queries, jaspar)


def test_jaspar_database_meme_file(jaspar, tmp_path):
    from pymemesuite.common import MotifFile

    assert len(jaspar) == 879
    path = tmp_path / "jaspar.meme"
    write_meme(path, jaspar)
    got = []
    with MotifFile(str(path), pseudocount=0.0) as mf:
        while (m := mf.read()) is not None:
            got.append((m.accession.decode(), m.name.decode(), np.array(m.frequencies)))
    assert [g[0] for g in got] == [m.id for m in jaspar]
    ctcf = [g for g in got if g[0] == "MA0139.2"][0]
    assert ctcf[1] == "CTCF"
    pfm = [m for m in jaspar if m.id == "MA0139.2"][0].extra["pfm"]
    np.testing.assert_allclose(ctcf[2], pfm / pfm.sum(axis=1, keepdims=True), atol=1e-6)


def test_memelite_finds_planted_matrix_offset_and_strand(lite, jaspar):
    queries, res = lite
    ids = [m.id for m in jaspar]
    best = best_indices(res)
    for k, (mid, left, strand) in enumerate(PLANTS):
        j = ids.index(mid)
        assert best[k] == j, (mid, ids[best[k]])
        assert res.offset[k, j] == -left       # query column left + i faces target column i
        assert res.orientation[k, j] == (1 if strand == "-" else 0)
        assert res.overlap[k, j] == jaspar[j].width
        assert res.e_value[k, j] < 1e-6
    # The euclidean distance's known weakness: a flat query "matches" a flat stretch of some wide
    # target (e.g. a CTCF matrix with a spacer) at a tiny p-value. Counts of matched kernels must
    # therefore always state the distance.
    j = best[4]
    assert res.e_value[4, j] < 0.01
    t = jaspar[j].pwm if res.orientation[4, j] == 0 else jaspar[j].pwm[::-1, ::-1]
    lo = res.offset[4, j]
    aligned = t[max(lo, 0):lo + 12]
    assert column_information(aligned).mean() < 0.5
    np.testing.assert_allclose(res.e_value, res.p_value * 879)
    np.testing.assert_allclose(res.q_value, bh_qvalues(res.p_value))
    assert count_matched(res, 0.01) == 5
    assert res.distance == "euclidean"


def test_tables_and_summary(lite, tmp_path):
    queries, res = lite
    tab = match_table(res, "exact", max_q=0.5)
    assert list(tab.columns) == COLUMNS
    assert (tab.q_value <= 0.5).all() and set(tab.orientation) <= {"+", "-"}
    for q, g in tab.groupby("query", sort=False):
        assert g.p_value.is_monotonic_increasing
    assert tab["query"].drop_duplicates().tolist() == [m.id for m in queries]
    best = best_table(res, "exact")
    assert len(best) == 5 and best.iloc[0].target_id == "MA0139.2" and best.iloc[0].target_name == "CTCF"
    write_table(best, tmp_path / "best.tsv")
    back = read_table(tmp_path / "best.tsv")
    assert back.target_id.tolist() == best.target_id.tolist()
    np.testing.assert_allclose(back.p_value, best.p_value, rtol=1e-5)
    s = summary({"exact": res}, 0.01)
    assert s["distance"] == "euclidean" and s["methods"]["exact"]["n_matched"] == 5
    assert s["n_targets"] == 879


def test_pvalue_file_roundtrip_and_bytes(lite, tmp_path):
    _, res = lite
    save_results(tmp_path / "a.h5", {"exact": res, "heuristic": res})
    save_results(tmp_path / "b.h5", {"exact": res, "heuristic": res})
    assert (tmp_path / "a.h5").read_bytes() == (tmp_path / "b.h5").read_bytes()
    back = load_results(tmp_path / "a.h5")
    assert list(back) == ["exact", "heuristic"]
    b = back["heuristic"]
    assert b.query_ids == res.query_ids and b.target_names == res.target_names
    for f in ("p_value", "q_value", "offset", "overlap", "orientation", "reported"):
        np.testing.assert_array_equal(getattr(b, f), getattr(res, f))


def test_command_line(lite, jaspar, tmp_path, capsys):
    queries, res = lite
    q = tmp_path / "exact.meme"
    write_meme(q, queries)
    s = run([str(q), "--dist", "euclidean", "--out", str(tmp_path / "m.tsv"), "--best", str(tmp_path / "b.tsv"),
             "--threads", "1"])
    out = read_table(tmp_path / "m.tsv")
    assert set(out.method) == {"exact"} and s["methods"]["exact"]["n_matched"] == 5
    # the same as the library on the motifs as written (6 decimals)
    expect = match_table(tomtom_memelite(read_meme(q)[0], jaspar), "exact", 0.5)
    assert out.target_id.tolist() == expect.target_id.tolist()
    assert out.offset.tolist() == expect.offset.tolist()
    np.testing.assert_allclose(out.p_value, expect.p_value, rtol=1e-5)
    assert read_table(tmp_path / "b.tsv").target_id.tolist()[:4] == [p[0] for p in PLANTS]
    assert json.loads(capsys.readouterr().out)["distance"] == "euclidean"
    # a user database instead of JASPAR
    db = tmp_path / "db.meme"
    write_meme(db, [Motif(f"D{i}", np.roll(np.eye(4), i, 0)[np.arange(8) % 4] * 0.9 + 0.025) for i in range(4)])
    run([str(q), "--db", str(db), "--dist", "euclidean", "--method", "mine", "--max-q", "1",
         "--out", str(tmp_path / "d.tsv")])
    d = read_table(tmp_path / "d.tsv")
    assert set(d.method) == {"mine"} and set(d.target_id) <= {"D0", "D1", "D2", "D3"} and len(d) == 5 * 4


def test_command_line_errors(tmp_path):
    from danqmotifs.cli.match import main

    bad = tmp_path / "bad.meme"
    bad.write_text("not a motif file\n")
    assert main([str(bad), "--out", str(tmp_path / "x.tsv")]) == 2
    assert not (tmp_path / "x.tsv").exists()


# --- the native engine (danqmotifs.tomtom) and the choice of engine ---------------------------

def test_engine_choice_and_tomtom_args():
    assert resolve_engine("auto", "pearson") == "native" and resolve_engine("auto", "euclidean") == "memelite"
    assert resolve_engine("native", "euclidean") == "native" and resolve_engine("meme", "pearson") == "meme"
    with pytest.raises(InputError, match="only the euclidean"):
        resolve_engine("memelite", "pearson")
    with pytest.raises(InputError, match="unknown column distance"):
        resolve_engine("auto", "sandelin")
    assert tomtom_args_for("-no-ssc -min-overlap 5", "pearson") == "-no-ssc -min-overlap 5 -dist pearson"
    assert tomtom_args_for("-dist euclidean -thresh 1", "euclidean") == "-dist ed -thresh 1"   # MEME's name
    with pytest.raises(InputError, match="contradicts match.distance"):
        tomtom_args_for("-dist ed", "pearson")


def test_native_pearson_finds_planted_matrix_offset_and_strand(lite, jaspar):
    queries, _ = lite
    res = match_motifs(queries, jaspar, "auto", distance="pearson")
    assert res.engine == "native" and res.distance == "pearson"
    best = best_indices(res)
    for k, (mid, left, strand) in enumerate(PLANTS):
        j = best[k]
        assert res.target_ids[j] == mid
        assert res.orientation[k, j] == (0 if strand == "+" else 1)
        assert res.offset[k, j] == -left          # query column left faces target column 0
    # the flat motif matches nothing under Pearson (a uniform column correlates with nothing)
    assert res.e_value[4].min() > 0.01


def test_command_line_pearson_and_tomtom_columns(lite, tmp_path, capsys):
    queries, _ = lite
    q = tmp_path / "exact.meme"
    write_meme(q, queries)
    s = run([str(q), "--format", "tomtom", "--thresh", "0.01", "--evalue", "--out", str(tmp_path / "t.tsv")])
    assert s["distance"] == "pearson" and s["engine"] == "native"
    import pandas as pd

    t = pd.read_csv(tmp_path / "t.tsv", sep="\t")
    assert t.columns.tolist() == ["Query_ID", "Target_ID", "Optimal_offset", "p-value", "E-value", "q-value",
                                  "Overlap", "Query_consensus", "Target_consensus", "Orientation"]
    assert (t["E-value"] <= 0.01).all() and "kernel_004" not in set(t.Query_ID)
    first = t.groupby("Query_ID", sort=False).head(1).set_index("Query_ID")
    for k, (mid, left, strand) in enumerate(PLANTS):
        row = first.loc[f"kernel_{k:03d}"]
        assert (row.Target_ID, row.Optimal_offset, row.Orientation) == (mid, -left, strand)
