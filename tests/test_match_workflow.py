"""The MEME, matching, logo and planted-benchmark rules run by snakemake on synthetic motif-stage
outputs (the motif stage's contract: motifs/{method}.h5 and .json), with trimming and reverse
complements on; the outputs are checked, rebuilt for byte equality, and gathered into a report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

from danqmotifs.formats.meme import read_meme, write_meme
from danqmotifs.sources.jaspar import fetch_motifs
from helpers.data import write_split

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
RULES = ["check_config", "write_meme", "jaspar_db", "match_method", "match_summary", "logos", "planted_benchmark"]
PLANTED = ["MA0139.2", "MA0035.5", "MA0080.7", "MA0083.3"]
K, L = 8, 24


def _synthetic(res: Path) -> np.ndarray:
    """Data files, truth.meme and motif-stage outputs; kernels 0..3 carry the planted motifs
    (exact: sharp copies; heuristic: blurred copies), the others noise; the last kernel is dead."""
    rng = np.random.default_rng(7)
    truth = fetch_motifs(PLANTED)
    bg = np.array([0.29, 0.21, 0.21, 0.29])
    codes = rng.choice(4, size=(300, 50), p=bg).astype(np.uint8)
    for split in ("train", "valid", "test"):
        write_split(res / "data" / f"{split}.h5", codes, np.zeros((300, 1), np.uint8), ["t"], "simulate", split)
    write_meme(res / "data" / "truth.meme", truth, bg)
    ex = rng.dirichlet(np.full(4, 3.0), size=(K, L))
    he = rng.dirichlet(np.full(4, 3.0), size=(K, L))
    for k, m in enumerate(truth):
        w = min(m.width, L - 4)
        core = m.pwm[:w] if k % 2 == 0 else m.pwm[::-1, ::-1][:w]
        ex[k, 2:2 + w] = 0.95 * core + 0.0125
        he[k, 3:3 + w] = 0.6 * core + 0.1
    dead = np.zeros(K, bool)
    dead[-1] = True
    he[dead] = 0
    (res / "motifs").mkdir(parents=True)
    for method in ("exact", "heuristic"):
        (res / "motifs" / f"{method}.json").write_text("{}\n")
    (res / "eval").mkdir(parents=True)          # the fidelity test's numbers, copied into summary.json
    (res / "eval" / "fidelity.json").write_text('{"max_abs_diff_exact": 1e-7}\n')
    with h5py.File(res / "motifs" / "exact.h5", "w") as f:
        f["PWM_tensor"], f["ln_b"], f["nsites"] = ex, np.full(K, 2.0), np.full(K, 300)
    with h5py.File(res / "motifs" / "heuristic.h5", "w") as f:
        f["PWM_tensor"], f["counts"] = he, he * 40
        f["nsites"], f["dead"] = np.where(dead, 0, 40), dead
    return ex


def _snakemake(workdir: Path, res: Path, *args: str):
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["results"] = str(res)
    cfg["meme"].update(trim=True, reverse_complement=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(cfg))
    cmd = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(workdir), "--configfile",
           str(workdir / "config.yaml"), "-c2", "--allowed-rules", *RULES, "--rerun-triggers", "mtime",
           *args]
    env = dict(os.environ, PATH=f"{SNAKEMAKE.parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


@pytest.mark.slow
def test_rules_on_synthetic_kernels(tmp_path):
    res = tmp_path / "results"
    ex = _synthetic(res)
    targets = [str(res / p) for p in ("summary.json", "logos", "match/best_p.png")]
    _snakemake(tmp_path, res, "--", *targets)

    # MEME files: every kernel in exact, dead one missing from heuristic, trimmed and RC files too
    exact, bg = read_meme(res / "motifs/exact.meme")
    assert [m.id for m in exact] == [f"kernel_{k:03d}" for k in range(K)]
    assert {m.name for m in exact} == {"exact"} and exact[0].nsites == 300
    np.testing.assert_allclose(np.array([m.pwm for m in exact]), ex, atol=1e-6)
    np.testing.assert_allclose(bg, [0.29, 0.21, 0.21, 0.29], atol=0.03)
    heur, _ = read_meme(res / "motifs/heuristic.meme")
    assert len(heur) == K - 1 and heur[0].nsites == 40
    dead = pd.read_csv(res / "motifs/heuristic_dead.tsv", sep="\t")
    assert dead["id"].tolist() == [f"kernel_{K - 1:03d}"]
    trimmed, _ = read_meme(res / "motifs/exact.trimmed.meme")
    assert all(4 <= m.width <= L for m in trimmed) and trimmed[0].width < L
    rc, _ = read_meme(res / "motifs/heuristic.rc.meme")
    np.testing.assert_allclose(rc[0].pwm, heur[0].pwm[::-1, ::-1], atol=1e-6)

    # every MEME file the rules wrote passes MEME's own parser and memelite's, with our matrices
    from memelite.io import read_meme as memelite_read
    from pymemesuite.common import MotifFile

    files = sorted((res / "motifs").glob("*.meme")) + [res / "match/jaspar.meme"]
    assert len(files) == 7  # exact / heuristic x untrimmed, trimmed, rc; the database
    for path in files:
        ours, _ = read_meme(path)
        with MotifFile(str(path), pseudocount=0.0) as mf:
            theirs = list(iter(mf.read, None))
        lite = list(memelite_read(str(path)).values())
        assert [t.accession.decode() for t in theirs] == [m.id for m in ours], path
        for m, t, l in zip(ours, theirs, lite):
            np.testing.assert_allclose(np.array(t.frequencies), m.pwm, atol=1e-6)
            np.testing.assert_allclose(l.T, m.pwm, atol=1e-6)

    # matching used the trimmed files; the planted kernels find their matrices
    best = pd.read_csv(res / "match/best_matches.tsv", sep="\t")
    ex_best = best[best.method == "exact"].set_index("query")
    for k, mid in enumerate(PLANTED):
        assert ex_best.loc[f"kernel_{k:03d}", "target_id"] == mid
    ms = json.loads((res / "match/match_summary.json").read_text())
    assert ms["distance"] == "pearson" and ms["n_targets"] == 879
    assert ms["methods"]["heuristic"]["n_motifs"] == K - 1

    s = json.loads((res / "summary.json").read_text())
    assert s["planted"] == 4 and s["recovered_exact"] == 4
    assert 0 <= s["recovered_heuristic"] <= 4 and s["distance"] == "pearson"
    assert set(s["by_distance"]) == {"pearson", "euclidean"} and s["recovered_family_exact"] == 4
    assert s["fidelity"] == {"max_abs_diff_exact": 1e-7}
    assert sorted(p.name for p in (res / "logos").glob("*.png")) == [f"kernel_{k:03d}.png" for k in range(K)]

    # same inputs, same bytes
    keep = {p: (res / p).read_bytes() for p in ("motifs/exact.meme", "motifs/heuristic.trimmed.meme",
                                                "match/matches.tsv", "match/best_matches.tsv",
                                                "match/pvalues.h5", "summary.json", "match/planted.tsv")}
    _snakemake(tmp_path, res, "--forcerun", "write_meme", "match_method", "match_summary", "planted_benchmark", "--",
               str(res / "summary.json"), str(res / "match/matches.tsv"))
    for p, data in keep.items():
        assert (res / p).read_bytes() == data, p

    # the report gathers the figures with their captions
    _snakemake(tmp_path, res, "--report", str(tmp_path / "report.html"), "--", *targets)
    html = (tmp_path / "report.html").read_text(errors="replace")
    for word in ("kernel_000.png", "best_p.png", "planted.png", "Planted motifs", "Tomtom"):
        assert word in html, word
