"""The real-SLURM test's driver (tests/slurm/run_slurm_test.py, run by `make test-slurm`): where SLURM
cannot be started it says so in one line and fails, unless asked to skip; never a silent pass. The
cluster run itself is `make test-slurm` (root, minutes), not part of pytest."""

import importlib.util
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _driver():
    spec = importlib.util.spec_from_file_location("run_slurm_test", ROOT / "tests/slurm/run_slurm_test.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_without_slurm_and_root_one_line_and_non_zero(monkeypatch, capsys):
    d = _driver()
    monkeypatch.setattr(d.shutil, "which", lambda name: None)
    monkeypatch.setattr(d.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(sys, "argv", ["run_slurm_test.py"])
    monkeypatch.delenv("DANQMOTIFS_SKIP_SLURM", raising=False)
    assert d.main() == 2
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("SLURM test not run:") and "not root" in out[0]
    assert "DANQMOTIFS_SKIP_SLURM=1" in out[0]
    monkeypatch.setenv("DANQMOTIFS_SKIP_SLURM", "1")
    assert d.main() == 0
    assert "skipped" in capsys.readouterr().out


def test_the_test_profile_is_the_shipped_one_less_conda_and_gpus(tmp_path):
    d = _driver()
    shipped = yaml.safe_load((ROOT / "profiles/slurm/config.yaml").read_text())
    used = yaml.safe_load((d.test_profile(tmp_path) / "config.yaml").read_text())
    assert "software-deployment-method" in shipped and "software-deployment-method" not in used
    for rule, res in shipped["set-resources"].items():
        assert {k: v for k, v in res.items() if k != "gpu"} == used["set-resources"][rule]
    same = {k for k in shipped if k not in ("software-deployment-method", "conda-frontend", "set-resources")}
    assert all(used[k] == shipped[k] for k in same)
    assert set(used) - set(shipped) == {"seconds-between-status-checks", "slurm-init-seconds-before-status-checks"}
