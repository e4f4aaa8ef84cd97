"""train.replicates on a tiny config: N = 1 keeps the run as it was, N = 2 trains a second seed as
its own job through the kernel stages and clusters both replicates' motifs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from test_workflow import TINY as BASE_TINY

ROOT = Path(__file__).resolve().parents[1]

# the end-to-end tests' tiny config, with a smaller influence sample
TINY = {**BASE_TINY, "influence": {"n_sequences": 150, "faithfulness_windows": 2000}}


def snakemake(workdir: Path, replicates: int, *args: str) -> subprocess.CompletedProcess:
    cfg = yaml.safe_load(yaml.safe_dump(TINY))
    cfg["train"]["replicates"] = replicates
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(cfg))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(workdir),
           "--configfile", str(workdir / "tiny.yaml"), "--cores", "2", *args]
    env = dict(os.environ, PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env)


def test_one_replicate_is_the_plain_run_and_two_add_jobs(tmp_path):
    one = snakemake(tmp_path, 1, "-n")
    assert one.returncode == 0, one.stderr[-3000:]
    for rule in ("influence", "faithfulness", "motif_table"):
        assert f"rule {rule}:" in one.stdout, rule
    assert "rule train_replicate:" not in one.stdout and "rule reproducibility:" not in one.stdout
    two = snakemake(tmp_path, 2, "-n")
    assert two.returncode == 0, two.stderr[-3000:]
    for rule in ("train", "train_replicate", "dump_kernels_replicate", "motif_method_replicate",
                 "influence_replicate", "faithfulness_replicate", "reproducibility"):
        assert f"rule {rule}:" in two.stdout, rule
    assert "out/replicates/rep1/model/best.keras" in two.stdout
    assert "out/model/best.keras" in two.stdout                 # replicate 0: the run's own paths


def test_replicates_need_a_trained_model(tmp_path):
    cfg_extra = ["--config", "model={'source': 'kernels', 'file': 'k.h5'}"]
    r = snakemake(tmp_path, 2, "-n", *cfg_extra)
    assert r.returncode != 0 and "train.replicates" in r.stderr + r.stdout


@pytest.mark.slow
def test_two_replicates_run_and_cluster(tmp_path):
    r = snakemake(tmp_path, 2)
    assert r.returncode == 0, r.stderr[-5000:]
    out = tmp_path / "out"
    for rel in ("replicates/rep1/model/best.keras", "replicates/rep1/motifs/exact.h5",
                "replicates/rep1/eval/influence.tsv", "replicates/rep1/eval/faithfulness.tsv",
                "reproducibility.tsv", "reproducibility_kernels.tsv", "motif_table.tsv",
                "what_the_model_learned.html"):
        assert (out / rel).is_file(), rel
    lines = (out / "reproducibility_kernels.tsv").read_text().splitlines()[1:]
    reps = {line.split("\t")[0] for line in lines}
    assert reps == {"0", "1"}
    rows = (out / "reproducibility.tsv").read_text().splitlines()
    head = rows[0].split("\t")
    assert head[:3] == ["rank", "cluster", "replicates"] and "match_name" in head
    assert all(row.split("\t")[3] == "2" for row in rows[1:])   # n_replicates
    assert (out / "motif_table.tsv").read_text().splitlines()[1].split("\t")[1].startswith("cluster_")
    # the seeds differ: replicate 1 is not a copy of replicate 0
    assert (out / "model/best.keras").read_bytes() != (out / "replicates/rep1/model/best.keras").read_bytes()
