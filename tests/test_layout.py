"""The layout by stage (docs/design.md section 16) keeps the documented ways in: the plugin path
``danqmotifs.methods`` (a shim that warns and is the new module), the names of ``danqmotifs.model``
and ``danqmotifs.attribution`` (re-exported by their packages), the console scripts and the
``python -m`` entry point of ``make report``."""

import importlib
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
sys.path.insert(0, str(ROOT / "tools"))

import import_cycles  # noqa: E402

#: deprecated import path -> where the module lives now
SHIMS = {"danqmotifs.methods": "danqmotifs.motifs.methods"}

# In a fresh interpreter: import the old path twice, record the warnings, and check that the old
# path is the new module (one registry: a method registered through it is in the new one).
SHIM_CHECK = """
import importlib, sys, warnings
old, new = sys.argv[1:3]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    first = importlib.import_module(old)
    again = importlib.import_module(old)
target = importlib.import_module(new)
dep = [w for w in caught if issubclass(w.category, DeprecationWarning)]
assert len(dep) == 1, [str(w.message) for w in caught]
assert new in str(dep[0].message), str(dep[0].message)
assert first is again is target is sys.modules[old], (first, target)
print("ok")
"""


def _run(code, *args, cwd=ROOT, extra_path=()):
    env = {"PYTHONPATH": ":".join([str(SRC), *map(str, extra_path)]), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_the_shims_are_all_that_stands_outside_the_stages():
    assert set(SHIMS) == set(import_cycles.SHIMS)
    top = {p.stem for p in (SRC / "danqmotifs").glob("*.py")} - {"__init__"}
    assert {f"danqmotifs.{m}" for m in top} == set(SHIMS)


def test_each_shim_warns_once_naming_the_new_path_and_is_the_new_module():
    for old, new in SHIMS.items():
        r = _run(SHIM_CHECK, old, new)
        assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout + r.stderr


def test_a_plugin_registering_through_the_old_path_lands_in_the_registry(tmp_path):
    (tmp_path / "old_style_plugin.py").write_text(
        "from danqmotifs.methods import MethodResult, register\n\n"
        "def compute(inputs):\n"
        "    return MethodResult(datasets={})\n\n"
        "register('old_style', compute)\n")
    code = ("import warnings\n"
            "warnings.simplefilter('ignore', DeprecationWarning)\n"
            "from danqmotifs.motifs import methods\n"
            "print(methods.resolve(['exact', 'old_style'], plugins=['old_style_plugin']))\n"
            "print(methods.get('old_style').name)\n")
    r = _run(code, extra_path=[tmp_path])
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["['exact', 'old_style']", "old_style"]


def test_the_packages_that_were_modules_still_hand_out_their_names():
    from danqmotifs import attribution, model
    from danqmotifs.attribution import attribute
    from danqmotifs.model import danq

    for pkg, mod in ((model, danq), (attribution, attribute)):
        for name in pkg.__all__:
            assert getattr(pkg, name) is getattr(mod, name), f"{pkg.__name__}.{name}"
        public = {n for n, v in vars(mod).items() if not n.startswith("_") and getattr(v, "__module__", None)
                  == mod.__name__}
        assert public <= set(pkg.__all__), public - set(pkg.__all__)


def test_every_console_script_names_a_function():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    for name, target in scripts.items():
        mod, func = target.split(":")
        assert callable(getattr(importlib.import_module(mod), func)), f"{name} = {target}"


def test_make_reports_entry_point_runs():
    """``make report`` asks ``python -m danqmotifs.report.findings results-dir [CONFIG]`` for the
    results directory; the Makefile names that module and it answers."""
    assert "python -m danqmotifs.report.findings results-dir" in (ROOT / "Makefile").read_text()
    r = subprocess.run([sys.executable, "-m", "danqmotifs.report.findings", "results-dir"], capture_output=True,
                       text=True, cwd=ROOT, env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    assert (r.returncode, r.stdout.strip()) == (0, "results"), r.stderr
    r = subprocess.run([sys.executable, "-m", "danqmotifs.report.findings", "results-dir", "config/real_ctcf.yaml"],
                       capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    assert (r.returncode, r.stdout.strip()) == (0, "results_real_ctcf"), r.stderr
