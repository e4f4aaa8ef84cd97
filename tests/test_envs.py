"""envs/*.yaml parse, and pin exactly the versions the Python packaging pins."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    out = {}
    for d in deps:
        m = re.match(r"([A-Za-z0-9_.-]+)==([^;\s]+)", d)
        assert m, f"pyproject dependency {d!r} is not pinned with =="
        out[m.group(1).lower()] = m.group(2)
    return out


def test_envs_pin_the_packaging_versions():
    pins = _pins()
    envs = sorted((ROOT / "envs").glob("*.yaml"))
    assert len(envs) >= 3
    for env in envs:
        spec = yaml.safe_load(env.read_text())
        deps = spec["dependencies"]
        assert "python=3.11" in deps, env
        pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
        assert pip, env
        for line in pip:
            name, version = line.split("==")
            name = name.split("[")[0]                     # tensorflow[and-cuda] pins tensorflow
            assert pins.get(name.lower()) == version, f"{env.name}: {line} differs from pyproject.toml"


def test_every_rule_env_exists():
    for smk in (ROOT / "workflow/rules").glob("*.smk"):
        text = smk.read_text()
        for rel in re.findall(r'conda:\s*\n\s*"([^"]+)"', text) + re.findall(r'"(\.\./\.\./envs/[^"]+)"', text):
            assert (smk.parent / rel).resolve().exists(), f"{smk.name}: {rel} missing"
