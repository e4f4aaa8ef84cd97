"""Package metadata, licence and citation: what pyproject.toml, LICENSE and CITATION.cff promise."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _names(reqs):
    return {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in reqs}


def test_license_and_metadata():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "The danqmotifs authors" in text
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]   # SPDX expression
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])     # deprecated form
    assert PROJECT["authors"] and all(a.get("name") for a in PROJECT["authors"])
    # no public URL yet: none is invented
    assert "urls" not in PROJECT


def test_test_and_benchmark_tools_are_not_runtime_dependencies():
    runtime = _names(PROJECT["dependencies"])
    extras = {k: _names(v) for k, v in PROJECT["optional-dependencies"].items()}
    assert not {"pymemesuite", "psutil", "pytest", "hypothesis"} & runtime
    assert "pymemesuite" in extras["test"] and "psutil" in extras["bench"]


def test_gpu_extra_replaces_the_cpu_build():
    extras = PROJECT["optional-dependencies"]
    assert not {"tensorflow", "tensorflow-cpu"} & _names(PROJECT["dependencies"])
    assert extras["gpu"] == ["tensorflow[and-cuda]==2.21.0"]
    assert "tensorflow-cpu" in _names(extras["cpu"]) and "tensorflow-cpu" not in _names(extras["gpu"])
    make = (ROOT / "Makefile").read_text()
    assert ".[cpu," in make and "gpu" not in make


def test_citation_names_the_workflow_and_its_methods():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    assert cff["title"].startswith("danqmotifs") and cff["license"] == "MIT"
    assert cff["version"] == PROJECT["version"]
    assert "url" not in cff and "repository-code" not in cff
    refs = {r["doi"]: r for r in cff["references"]}
    assert refs["10.1093/nar/gkw226"]["authors"][0]["family-names"] == "Quang"       # DanQ
    assert refs["10.1093/nar/gkw226"]["journal"] == "Nucleic Acids Research"
    assert refs["10.1101/163220"]["authors"][0]["family-names"] == "Ding"            # k2p
    assert refs["10.1186/gb-2007-8-2-r24"]["authors"][0]["family-names"] == "Gupta"  # Tomtom
    for r in cff["references"]:
        assert r["title"] and r["year"] and r["authors"]
