"""The SLURM profile: its GPU and memory requests reach the sbatch command of the training job.

No cluster is needed: snakemake dry-runs the workflow with the profile (the conda deployment is
dropped, there is no conda here) and prints each job's resources; the SLURM executor plugin's own
functions then render the sbatch arguments from them.
"""

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "profiles/slurm/config.yaml"


class _Resources(dict):
    __getattr__ = dict.get


def _job_resources(tmp_path: Path, rule: str) -> dict:
    prof = yaml.safe_load(PROFILE.read_text())
    prof.pop("software-deployment-method")
    prof.pop("conda-frontend", None)
    pdir = tmp_path / "profile"
    pdir.mkdir()
    (pdir / "config.yaml").write_text(yaml.safe_dump(prof))
    r = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d",
                        str(tmp_path), "--configfile", str(ROOT / "config.yaml"), "--profile", str(pdir),
                        "-n", "--verbose"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    block = r.stdout.split(f"rule {rule}:", 1)[1].split("\n\n", 1)[0]
    line = next(l for l in block.splitlines() if l.strip().startswith("resources:"))
    res = {}
    for item in line.split(":", 1)[1].split(", "):
        k, _, v = item.strip().partition("=")
        res[k] = int(v) if v.isdigit() else v
    return res


def test_profile_is_documented_yaml():
    prof = yaml.safe_load(PROFILE.read_text())
    assert prof["executor"] == "slurm" and prof["software-deployment-method"] == "conda"
    assert prof["set-resources"]["train"]["gpu"] == 1
    # every entry carries a comment
    for line in PROFILE.read_text().splitlines():
        if re.match(r"^\s*[a-z_-]+:\s*\S", line) and not line.strip().startswith("#"):
            assert "#" in line, f"uncommented profile entry: {line}"


def test_training_job_asks_for_a_gpu_and_memory(tmp_path):
    pytest.importorskip("snakemake_executor_plugin_slurm")
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    res = _job_resources(tmp_path, "train")
    assert res["gpu"] == 1 and res["mem_mb"] == 32000 and res["slurm_partition"] == "gpu"
    job = SimpleNamespace(resources=_Resources(res), threads=8, name="train", is_group=lambda: False)
    params = dict(run_uuid="x", slurm_logfile="log", comment_str="train", account="",
                  partition=f"-p {res['slurm_partition']}", workdir=str(tmp_path))
    call = get_submit_command(job, params) + set_gres_string(job)
    assert "--mem 32000" in call and "--gpus=1" in call and "-p gpu" in call
    assert "-t 2880" in call or "-t '2880'" in call

