"""Deployment: the workflow is read by a Snakemake without this package, loads as a module, deploys
with snakedeploy, and its parse-time plain data equals the package's registries.

A virtual environment with only Snakemake, the SLURM executor plugin and snakedeploy (the versions
pinned in pyproject.toml) is made once per machine under the temporary directory
(``danqmotifs-plain-<hash of the pins>``) from the package index; where the index cannot be reached
those tests are skipped with that reason. Conda cannot be reached here: the conda environments are
checked by tests/test_envs.py (pins, the package's install line, each rule's imports), not built.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pin(name: str) -> str:
    deps = PROJECT["dependencies"] + [d for v in PROJECT["optional-dependencies"].values() for d in v]
    return next(d for d in deps if re.match(rf"{re.escape(name)}==", d))


PLAIN = [_pin("snakemake"), _pin("snakemake-executor-plugin-slurm"), _pin("snakedeploy")]


@pytest.fixture(scope="session")
def plain_venv() -> Path:
    """A venv holding only PLAIN (cached for the session and later ones)."""
    venv = Path(tempfile.gettempdir()) / f"danqmotifs-plain-{hashlib.sha1(' '.join(PLAIN).encode()).hexdigest()[:10]}"
    if not (venv / ".complete").is_file():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        r = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", *PLAIN],
                           capture_output=True, text=True)
        if r.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            pytest.skip(f"cannot install {' '.join(PLAIN)} from the package index: {r.stderr.strip()[-300:]}")
        (venv / ".complete").touch()
    return venv


def _env() -> dict:
    """The environment without this package on the path (no PYTHONPATH, no source checkout)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return env


def _run(venv: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=600)


def _jobs(out: str) -> dict[str, int]:
    """Rule -> count of a dry run's job table."""
    table = out.split("Job stats:")[-1].splitlines()
    rows = [line.split() for line in table[3:]]
    return {r[0]: int(r[1]) for r in rows if len(r) == 2 and r[1].isdigit() and r[0] != "total"}


def test_plain_snakemake_has_no_package_and_dry_runs_the_workflow(plain_venv, tmp_path):
    r = subprocess.run([str(plain_venv / "bin/python"), "-c", "import danqmotifs"], env=_env(),
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode != 0 and "No module named 'danqmotifs'" in r.stderr
    r = _run(plain_venv, ["snakemake", "-s", str(ROOT / "Snakefile"), "--configfile",
                          str(ROOT / "config.yaml"), "-n", "-c1"], tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    jobs = _jobs(r.stdout)
    assert jobs["check_config"] == 1 and jobs["train"] == 1 and jobs["load_data"] == 1, jobs
    # the SLURM profile is read too (the executor plugin is installed; conda itself is not here)
    (tmp_path / "gpu.yaml").write_text("train: {gpus: 1}\n")
    prof = yaml.safe_load((ROOT / "profiles/slurm/config.yaml").read_text())
    prof.pop("software-deployment-method")
    (tmp_path / "prof").mkdir()
    (tmp_path / "prof/config.yaml").write_text(yaml.safe_dump(prof))
    r = _run(plain_venv, ["snakemake", "-s", str(ROOT / "Snakefile"), "--configfile", str(ROOT / "config.yaml"),
                          str(tmp_path / "gpu.yaml"), "--workflow-profile", str(tmp_path / "prof"), "-n"],
             tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert _jobs(r.stdout)["train"] == 1


def test_workflow_loads_as_a_module_with_a_partial_config(plain_venv, tmp_path):
    (tmp_path / "my.yaml").write_text(yaml.safe_dump({"danq": {"results": "out", "motifs": {"methods": ["exact"]}}}))
    (tmp_path / "Snakefile").write_text(f'''configfile: "my.yaml"


module danq:
    snakefile:
        "{ROOT / 'Snakefile'}"
    config:
        config["danq"]


use rule * from danq as danq_*
''')
    r = _run(plain_venv, ["snakemake", "-n", "-c1"], tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    jobs = _jobs(r.stdout)
    assert {"danq_check_config", "danq_load_data", "danq_train", "danq_write_meme"} <= set(jobs), jobs
    assert "danq_fidelity" not in jobs                     # one motif method: no fidelity test
    assert "out/motifs/exact.meme" in r.stdout and "heuristic" not in r.stdout


def test_snakedeploy_from_a_git_remote_and_the_copy_dry_runs(plain_venv, tmp_path):
    """snakedeploy picks its git provider for URLs naming a git host, so the bare remote lives under
    a directory called github/; the deployed module points at github.com, which is not reachable
    here, so the dry run reads the same commit from a clone of the remote instead."""
    remote = tmp_path / "github" / "someone" / "danqmotifs.git"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q", "--bare", str(remote)], check=True)
    src = tmp_path / "src"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    for f in files:
        if (ROOT / f).is_file():
            (src / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, src / f)
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=src, check=True)
    subprocess.run([*git, "add", "-A"], cwd=src, check=True)
    subprocess.run([*git, "commit", "-qm", "release"], cwd=src, check=True)
    subprocess.run([*git, "push", "-q", str(remote), "main"], cwd=src, check=True)

    r = _run(plain_venv, ["snakedeploy", "deploy-workflow", f"file://{remote}", "deployed", "--branch", "main"], tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    dep = tmp_path / "deployed"
    assert (dep / "config/config.yaml").read_bytes() == (ROOT / "config.yaml").read_bytes()
    assert (dep / "config/README.md").is_file() and (dep / "profiles/slurm/config.yaml").is_file()
    snakefile = (dep / "workflow/Snakefile").read_text()
    assert 'github("someone/danqmotifs", path="Snakefile", branch="main")' in snakefile, snakefile
    assert 'configfile: "config/config.yaml"' in snakefile

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "-b", "main", f"file://{remote}", str(clone)], check=True)
    (dep / "workflow/Snakefile").write_text(snakefile.replace(
        'github("someone/danqmotifs", path="Snakefile", branch="main")', f'"{clone / "Snakefile"}"'))
    r = _run(plain_venv, ["snakemake", "-n", "-c1"], dep)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    jobs = _jobs(r.stdout)
    assert jobs["check_config"] == 1 and jobs["train"] == 1, jobs
    assert "results/model/best.keras" in r.stdout


def test_catalog_file_names_the_config_and_profiles():
    meta = yaml.safe_load((ROOT / ".snakemake-workflow-catalog.yml").read_text())
    usage = meta["usage"]
    assert usage["mandatory-flags"]["flags"] and "software-stack-deployment" in usage
    assert (ROOT / "config/README.md").is_file() and (ROOT / "config/config.yaml").is_file()


def test_parse_time_data_equals_the_package_registries():
    """common.smk's plain data (read without the package) equals danqmotifs' registries; the data
    sources it reads from the package's own table (sources.json through sources/registry.py)."""
    from danqmotifs.motifs.methods import DEFAULT_METHODS
    from danqmotifs.sources.datafile import SPLITS

    text = (ROOT / "workflow/rules/common.smk").read_text()
    assert "SPLITS = (" + ", ".join(f'"{s}"' for s in SPLITS) + ")" in text
    assert '("exact", "heuristic")' in text and tuple(DEFAULT_METHODS) == ("exact", "heuristic")
    assert '"../../src/danqmotifs/sources/registry.py"' in text and "SOURCE_SPECS" not in text
