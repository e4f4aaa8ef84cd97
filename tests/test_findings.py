"""The report's first page (danqmotifs.report.findings): family rows from best matches of several routes,
significance first, non-kernel motifs (an attribution route), the size limit of embedded pages."""

import math
import re

import numpy as np
import pytest
import yaml

from danqmotifs.core.motif import Motif
from danqmotifs.formats.meme import write_meme
from danqmotifs.report import findings
from danqmotifs.report.findings import (DATA_URL_LIMIT, family_rows, read_matches, unmatched, write_page)
from danqmotifs.sources.jaspar import fetch_motifs, write_family_table

FAMILIES = {"MA0139": {"More than 3 adjacent zinc fingers"}, "MA0080": {"Ets-related"},
            "MA0081": {"Ets-related"}, "MA0083": {"Regulators of differentiation"}}
COLS = ["query", "method", "target_id", "target_name", "p_value", "e_value", "q_value", "offset", "overlap",
        "orientation"]


def _row(method, query, tid, name, q, p=None):
    return dict(query=query, method=method, target_id=tid, target_name=name, p_value=str(p or q / 10),
                e_value=str((p or q / 10) * 800), q_value=str(q), offset="0", overlap="10", orientation="+")


def _best():
    return [_row("exact", "kernel_000", "MA0139.2", "CTCF", 1e-8),
            _row("heuristic", "kernel_000", "MA0139.2", "CTCF", 1e-5),
            _row("exact", "kernel_001", "MA0080.7", "Spi1", 1e-3),
            _row("exact", "kernel_002", "MA0081.3", "SPIB", 2e-4),
            _row("heuristic", "kernel_003", "MA0083.3", "SRF", 0.2),       # not significant
            _row("exact", "kernel_003", "MA0083.3", "SRF", 0.05),          # at the threshold: not significant
            _row("modisco", "pattern_0", "MA0083.3", "SRF", 1e-6)]         # an attribution route


def test_family_rows_routes_then_q_and_non_kernel_motifs():
    ms = read_matches(_best(), FAMILIES, 0.05)
    rows = family_rows(ms, ["exact", "heuristic", "modisco"])
    assert [r.family for r in rows] == ["More than 3 adjacent zinc fingers", "Regulators of differentiation",
                                        "Ets-related"]
    ctcf, srf, ets = rows
    assert ctcf.routes == ["exact", "heuristic"] and ctcf.best_q == 1e-8 and ctcf.kernels == [0]
    # SRF: only the attribution route's pattern is significant; it is no kernel
    assert srf.routes == ["modisco"] and srf.kernels == [] and srf.best("modisco").query == "pattern_0"
    assert srf.best("exact") is None       # q = 0.05 is not below the threshold
    assert ets.tfs == ["SPIB", "Spi1"] and ets.count("exact") == 2 and ets.kernels == [1, 2]
    none = unmatched(ms, {"exact": ["kernel_000", "kernel_001", "kernel_002", "kernel_003", "kernel_004"],
                          "modisco": ["pattern_0", "pattern_1"]})
    assert none == {"kernels": [3, 4], "n_kernels": 5, "other": {"modisco": 1}}


def test_matrix_without_family_stands_for_itself():
    ms = read_matches([_row("exact", "kernel_000", "MA9999.1", "ZNF1", 1e-4)], {}, 0.05)
    assert ms[0].family == "ZNF1 (no family in JASPAR)"


def test_motif_table_never_shows_a_non_significant_match():
    ms = read_matches(_best(), FAMILIES, 0.05)
    rows = findings.motif_rows(ms, {"exact": ["kernel_000", "kernel_003"], "heuristic": ["kernel_003"]},
                               None, None, None)
    assert [(r["route"], r["motif"]) for r in rows] == [("exact", "kernel_000"), ("exact", "kernel_003"),
                                                        ("heuristic", "kernel_003")]
    assert rows[0]["tf"] == "CTCF" and rows[1]["tf"] == "" and math.isnan(rows[1]["q"])


def _pwm(rng, width):
    return rng.dirichlet(np.full(4, 0.3), size=width)


def test_page_stays_under_the_data_url_limit_and_says_what_it_left_out(tmp_path):
    """Many logos: the page drops the last ones (and says so) instead of becoming a page browsers refuse."""
    rng = np.random.default_rng(0)
    big = bytes(rng.integers(0, 256, 60_000, dtype=np.uint8))       # an incompressible 60 kB "logo"
    info = findings.RunInfo("t", ["p"], ["exact"])
    ms = read_matches([_row("exact", f"kernel_{k:03d}", "MA0139.2", "CTCF", 1e-5) for k in range(40)],
                      FAMILIES, 0.05)
    rows = family_rows(ms, ["exact"])
    table = findings.motif_rows(ms, {"exact": [f"kernel_{k:03d}" for k in range(40)]}, None, None, None)
    jobs = [(("exact", f"kernel_{k:03d}"), lambda: big) for k in range(40)]
    counts = write_page(tmp_path / "p.html", info, rows, unmatched(ms, {}), table, jobs)
    page = (tmp_path / "p.html").read_text()
    assert counts["left_out"] > 0 and counts["logos"] > 0
    assert counts["data_url"] < DATA_URL_LIMIT
    assert f"{counts['left_out']} logos were left out" in page


def synthetic_run(res, routes=("exact", "heuristic")):
    """Inputs of the page as a run writes them: a JASPAR database of 4 matrices with their
    families, each route's MEME file (kernels 0-2 noisy copies of CTCF, Spi1 and SRF, kernel 3
    noise) and best_matches.tsv."""
    rng = np.random.default_rng(1)
    db = fetch_motifs(["MA0139.2", "MA0080.7", "MA0083.3", "MA0114.5"])
    (res / "match").mkdir(parents=True, exist_ok=True)
    (res / "motifs").mkdir(parents=True, exist_ok=True)
    write_meme(res / "match/jaspar.meme", db)
    write_family_table(res / "match/jaspar_families.tsv", db)
    best, queries = [], {}
    for route in routes:
        motifs = []
        for k in range(4):
            pwm = 0.8 * db[k].pwm + 0.2 * _pwm(rng, db[k].width) if k < 3 else _pwm(rng, 12)
            motifs.append(Motif(f"kernel_{k:03d}", pwm / pwm.sum(1, keepdims=True), name=route, nsites=100))
            q = [1e-9, 1e-4, 3e-3, 0.4][k] * (10 if route != routes[0] else 1)
            best.append(_row(route, f"kernel_{k:03d}", db[k].id, db[k].name, q))
        queries[route] = res / f"motifs/{route}.meme"
        write_meme(queries[route], motifs)
    lines = ["\t".join(COLS)] + ["\t".join(r[c] for c in COLS) for r in best]
    (res / "match/best_matches.tsv").write_text("\n".join(lines) + "\n")
    return queries


def _config(**model):
    cfg = yaml.safe_load(open(findings.__file__.replace("src/danqmotifs/report/findings.py", "config.yaml")))
    cfg["model"].update(model)
    return cfg


@pytest.mark.parametrize("source", ["train", "kernels"])
def test_build_writes_page_table_and_summary(tmp_path, source):
    queries = synthetic_run(tmp_path)
    cfg = _config(source=source, file="" if source == "train" else "k.h5")
    lines = findings.build(tmp_path / "match/best_matches.tsv", tmp_path / "match/jaspar_families.tsv",
                           tmp_path / "match/jaspar.meme", queries, cfg, tmp_path / "p.html", tmp_path / "p.tsv",
                           tmp_path / "p.txt", log=lambda s: None)
    page = (tmp_path / "p.html").read_text()
    assert lines[0] == "What the model learned: 3 TF families at q < 0.05:"
    assert lines[1] == "  CTCF [More than 3 adjacent zinc fingers]: exact q=1e-09, heuristic q=1e-08"
    assert lines[-1] == "  kernels without a significant match: 1 of 4"
    assert (tmp_path / "p.txt").read_text().splitlines() == lines
    tsv = (tmp_path / "p.tsv").read_text().splitlines()
    assert tsv[0].startswith("rank\tfamily\ttfs\troutes\tn_routes\tbest_q") and len(tsv) == 4
    assert page.count("<tr class='fam'>") == 3
    assert len(re.findall(r"src='data:image/png;base64,", page)) >= 6
    assert "Without a JASPAR match at q &lt; 0.05 in any route: 1 of 4 kernels" in page
    if source == "kernels":
        assert "Kernels alone (4, from k.h5): no model" in page and "influence" not in page.split("<nav>")[1][:2000]
    else:
        assert "trained by this run" in page


def test_run_text_names_the_runs_data_and_every_route():
    """The CTCF example: peaks, four methods; a replicate run says how replicates are counted."""
    cfg = _config()
    cfg["data"]["source"] = "peaks"
    cfg["data"]["peaks"].update(peaks=["data/real/Gm12878.CTCF.top500.w200.fa"], names=["CTCF"])
    routes = ["exact", "heuristic", "exact_oops", "refined"]
    text = " ".join(findings.describe_run(cfg, routes, {}, ["CTCF"], 64))
    assert "Data: peaks of CTCF (Gm12878.CTCF.top500.w200.fa)" in text and "planted" not in text
    assert all(f"{r} (" in text for r in routes) and "Targets (1): CTCF." in text
    cfg["train"]["replicates"] = 3
    assert "3 training replicates (seeds 1 to 3)" in " ".join(findings.describe_run(cfg, routes, {}, None, 64))


def test_the_page_is_the_same_with_logos_drawn_in_processes(tmp_path):
    """build(threads=2) draws the logos in two processes, a few ahead of the page: the same page,
    TSV and summary, byte for byte, as with one; and a drawer asked for its first logo draws no
    more than ahead x threads."""
    queries = synthetic_run(tmp_path)
    cfg = _config(source="train", file="")
    out = {}
    for threads in (1, 2):
        d = tmp_path / f"t{threads}"
        d.mkdir()
        findings.build(tmp_path / "match/best_matches.tsv", tmp_path / "match/jaspar_families.tsv",
                       tmp_path / "match/jaspar.meme", queries, cfg, d / "p.html", d / "p.tsv", d / "p.txt",
                       log=lambda s: None, threads=threads)
        out[threads] = [(d / f).read_bytes() for f in ("p.html", "p.tsv", "p.txt")]
    assert out[1] == out[2]
    assert out[1][0].count(b"data:image/png;base64,") >= 6
    pwm = np.full((6, 4), 0.25)
    pwm[:, 0] = 0.7
    pwm /= pwm.sum(1, keepdims=True)
    drawer = findings.LogoDrawer([((f"r{i}", "m"), (pwm, "exact", f"m{i}", None, None)) for i in range(9)],
                                 threads=2, ahead=2)
    with drawer as jobs:
        first = jobs[0][1]()
        assert first[:8] == b"\x89PNG\r\n\x1a\n"
        assert sorted(drawer._pending) == [1, 2, 3]          # 4 submitted, the first returned
    assert drawer._pool is None and not drawer._pending
