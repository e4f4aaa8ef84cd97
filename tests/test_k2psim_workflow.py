"""The k2p simulation rules in a real Snakemake run (tiny config): fan-out over chunks, aggregate
outputs, a killed chunk redone alone, and bad input stopping the run before anything is written.

workflow/rules/k2p_simulation.smk expects RESULTS, LOGS, BENCH, CHECKED and k2p_chunk_ids from
common.smk and checks.smk; the Snakefile here includes just those, so the test does not depend on the rest of the
workflow."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"

SNAKEFILE = f"""
include: "{ROOT}/workflow/rules/common.smk"
include: "{ROOT}/workflow/rules/checks.smk"
include: "{ROOT}/workflow/rules/k2p_simulation.smk"
"""

CONFIG = """seed: 3
results: res
figures:
  k2p_simulation:
    sample: {sample}
    chunk_size: 2
    sizes: {{n_positive: 200, n_negative: 200}}
    training: {{max_epochs: 3, learning_rate: 0.01}}
"""


def run(tmp: Path, sample: int):
    (tmp / "Snakefile").write_text(SNAKEFILE)
    (tmp / "config.yaml").write_text(CONFIG.format(sample=sample))
    return subprocess.run([str(SNAKEMAKE), "k2p_simulation", "--cores", "2", "--configfile", "config.yaml"],
                          cwd=tmp, capture_output=True, text=True)


@pytest.mark.slow
def test_rules_fan_out_aggregate_and_resume(tmp_path):
    r = run(tmp_path, 3)
    assert r.returncode == 0, r.stderr[-2000:]
    out = tmp_path / "res/figures/k2p_simulation"
    assert sorted(p.name for p in (out / "chunks").iterdir()) == ["0.tsv", "1.tsv"]
    for name in ("motifs.tsv", "wilcoxon.json", "scatter.png", "differences.png", "heldout.png"):
        assert (out / name).stat().st_size > 0
    summ = json.loads((out / "wilcoxon.json").read_text())
    assert summ["protocol"] == "paper"
    for a in (summ["paper"], summ["heldout"]["fixed"]["raw"], summ["heldout"]["random"]["lr"]):
        assert a["n_motifs"] == 3 and {"p_value", "mean_difference", "wins", "ties", "losses"} <= set(a["auroc"])
    assert len((out / "motifs.tsv").read_text().splitlines()) == 4
    # a run killed after chunk 0: only the missing chunk (and the aggregate) run again
    for name in ("chunks/1.tsv", "motifs.tsv", "wilcoxon.json", "scatter.png", "differences.png", "heldout.png"):
        (out / name).unlink()
    r = run(tmp_path, 3)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "k2p_simulation_chunk" in r.stderr and "chunk=0" not in r.stderr and "chunk=1" in r.stderr


@pytest.mark.slow
def test_sample_larger_than_the_set_stops_before_writing(tmp_path):
    r = run(tmp_path, 100000)
    assert r.returncode != 0
    assert "only 1082 matrices" in r.stderr and "Fix:" in r.stderr
    # nothing of the simulation (the results directory holds only its owner file and the checks)
    assert not (tmp_path / "res/figures").exists()
