"""The SLURM profile: the threads, partitions, GPUs and memory it promises reach the sbatch commands
of the train, evaluate and predict jobs, also on a machine with fewer cores than the profile asks for.

No cluster is needed: snakemake dry-runs the workflow with the profile as the workflow profile (the
conda deployment is dropped, there is no conda here) and prints each job's threads and resources;
the SLURM executor plugin's own functions then render the sbatch arguments from them.
"""

import os
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


def _dry_run(tmp_path: Path, gpus: int = 1, how: str = "--workflow-profile", verbose: bool = True):
    """Dry-run the default config (with train.gpus and one FASTA to predict) under the profile."""
    prof = yaml.safe_load(PROFILE.read_text())
    prof.pop("software-deployment-method")
    prof.pop("conda-frontend", None)
    pdir = tmp_path / "profile"
    pdir.mkdir(exist_ok=True)
    (pdir / "config.yaml").write_text(yaml.safe_dump(prof))
    (tmp_path / "new.fa").write_text(">a\nACGT\n")
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    cfg["train"]["gpus"] = gpus
    cfg["evaluate"]["predict"] = [str(tmp_path / "new.fa")]
    (tmp_path / "my.yaml").write_text(yaml.safe_dump(cfg))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(tmp_path),
           "--configfile", str(tmp_path / "my.yaml"), how, str(pdir), "-n"] + ["--verbose"] * verbose
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)


def _job(stdout: str, rule: str) -> tuple[int, dict]:
    """(threads, resources) of ``rule``'s job in a verbose dry run's output."""
    block = stdout.split(f"rule {rule}:", 1)[1].split("\n\n", 1)[0]
    m = re.search(r"threads: (\d+)", block)
    threads = int(m.group(1)) if m else 1            # snakemake prints no threads line for 1
    line = next(l for l in block.splitlines() if l.strip().startswith("resources:"))
    res = {}
    for item in line.split(":", 1)[1].split(", "):
        k, _, v = item.strip().partition("=")
        res[k] = int(v) if v.isdigit() else v
    return threads, res


def _sbatch(tmp_path: Path, rule: str, threads: int, res: dict) -> str:
    """The sbatch arguments the SLURM executor plugin renders for a job."""
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string

    job = SimpleNamespace(resources=_Resources(res), threads=threads, name=rule, is_group=lambda: False)
    params = dict(run_uuid="x", slurm_logfile="log", comment_str=rule, account="",
                  partition=f"-p {res['slurm_partition']}", workdir=str(tmp_path))
    return get_submit_command(job, params) + set_gres_string(job)


def test_profile_is_documented_yaml():
    prof = yaml.safe_load(PROFILE.read_text())
    assert prof["executor"] == "slurm" and prof["software-deployment-method"] == "conda"
    assert prof["set-resources"]["train"]["gpu"] == 1
    # clusters without accounting, no account, the k2p chunks as an array, small rules grouped
    assert prof["slurm-status-command"] == "squeue" and prof["slurm-no-account"] is True
    assert prof["slurm-array-jobs"] == "k2p_simulation_chunk"
    groups = dict(g.split("=") for g in prof["groups"])
    assert groups["write_meme"] == groups["kernel_table"] == "motifs" and groups["logos"] == "match"
    assert not {"train", "evaluate", "predict", "fidelity", "load_data"} & set(groups)
    assert "printshellcmds" not in prof                 # script rules would print "Shell command: None"
    # every entry carries a comment
    for line in PROFILE.read_text().splitlines():
        if re.match(r"^\s*[a-z_-]+:\s*\S", line) and not line.strip().startswith("#"):
            assert "#" in line, f"uncommented profile entry: {line}"


def test_train_evaluate_predict_get_the_profiles_threads_partitions_and_gpus(tmp_path):
    """The dry run of the issue: on this machine (2 cores in CI, fewer than train's 8) every
    TensorFlow job gets the profile's threads, the GPU partition and a GPU."""
    pytest.importorskip("snakemake_executor_plugin_slurm")
    prof = yaml.safe_load(PROFILE.read_text())
    r = _dry_run(tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    calls = {}
    for rule in ("train", "evaluate", "predict", "fidelity", "influence", "faithfulness"):
        threads, res = _job(r.stdout, rule)
        assert threads == prof["set-threads"][rule], (rule, threads, os.cpu_count())
        assert res["gpu"] == 1 and res["slurm_partition"] == "gpu", (rule, res)
        calls[rule] = call = _sbatch(tmp_path, rule, threads, res)
        print(f"{rule}: {call}")                      # the sbatch arguments, for the record
        assert f"--cpus-per-task={threads}" in call and "--gpus=1" in call and "-p gpu" in call
        assert f"--mem {prof['set-resources'][rule]['mem_mb']}" in call
    assert "-t 2880" in calls["train"] or "-t '2880'" in calls["train"]
    # a CPU rule stays on the CPU partition without a GPU (load_data: the small rules run in groups)
    threads, res = _job(r.stdout, "load_data")
    assert threads == 1 and res["slurm_partition"] == "cpu" and res.get("gpu", 0) == 0


def test_profile_used_as_global_profile_is_stopped_not_capped(tmp_path):
    """With --profile, profiles/default's `cores: all` (this machine's cores) would cap train's 8
    threads: on a machine with fewer than 8 cores that is an error before any job, not a silent cap."""
    if (os.cpu_count() or 1) >= yaml.safe_load(PROFILE.read_text())["set-threads"]["train"]:
        pytest.skip("this machine has enough cores for the profile's threads")
    r = _dry_run(tmp_path, how="--profile", verbose=False)
    assert r.returncode != 0
    out = r.stdout + r.stderr                          # snakemake prints a WorkflowError on stdout
    assert "set-threads: " in out and "--workflow-profile profiles/slurm" in out


def test_gpu_switch_mismatch_is_an_error(tmp_path):
    """train.gpus picks the TensorFlow build; a profile asking for GPUs while it is 0 is an error."""
    r = _dry_run(tmp_path, gpus=0, verbose=False)
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "set-resources: train: gpu" in out and "train.gpus is 0" in out and "Traceback" not in out
