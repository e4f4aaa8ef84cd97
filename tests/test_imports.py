"""The package has no import cycle, the core never imports the papers' wing, and every module imports
on its own (no hidden order)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
sys.path.insert(0, str(ROOT / "tools"))

import import_cycles  # noqa: E402

# Imports each module named on the command line with every danqmotifs module forgotten first, so
# that a module only imports if its own imports suffice whatever was imported before it.
ISOLATED = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "danqmotifs" or m.startswith("danqmotifs.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().splitlines()[-1])
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_tool_reports_no_cycle():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "import_cycles.py"), str(SRC)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no import cycle and no import of danqmotifs.papers from outside" in r.stdout


def test_tool_finds_a_cycle(tmp_path):
    pkg = tmp_path / "danqmotifs"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..c import x\n")      # hidden in a function
    (pkg / "c.py").write_text("import numpy\nfrom danqmotifs.a import y\n")
    (pkg / "d.py").write_text("from . import c\n")                              # into the cycle, not in it
    assert import_cycles.cycles(import_cycles.graph(tmp_path)) == [
        ["danqmotifs.a", "danqmotifs.sub.b", "danqmotifs.c", "danqmotifs.a"]]
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "import_cycles.py"), str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "danqmotifs.a -> danqmotifs.sub.b -> danqmotifs.c -> danqmotifs.a" in r.stdout


def test_tool_finds_the_core_importing_the_papers_wing(tmp_path):
    pkg = tmp_path / "danqmotifs"
    (pkg / "papers" / "k2p").mkdir(parents=True)
    for p in ("__init__.py", "papers/__init__.py", "papers/k2p/__init__.py", "substitutes.py"):
        (pkg / p).write_text("")
    (pkg / "papers" / "k2p" / "fidelity.py").write_text("from ...substitutes import x\n")  # wing -> core: fine
    (pkg / "faithfulness.py").write_text("def f():\n    from .papers.k2p.fidelity import y\n")  # hidden
    g = import_cycles.graph(tmp_path)
    assert import_cycles.cycles(g) == []
    assert import_cycles.wing_imports(g) == [("danqmotifs.trust.faithfulness", "danqmotifs.papers"),
                                             ("danqmotifs.trust.faithfulness", "danqmotifs.papers.k2p"),
                                             ("danqmotifs.trust.faithfulness", "danqmotifs.papers.k2p.fidelity")]
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "import_cycles.py"), str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "core imports a wing: danqmotifs.trust.faithfulness -> danqmotifs.papers.k2p.fidelity" in r.stdout


def test_the_core_does_not_import_papers():
    assert import_cycles.wing_imports(import_cycles.graph(SRC)) == []


def test_every_module_imports_alone():
    names = sorted(import_cycles.modules(SRC))
    assert "danqmotifs.model.modelio" in names and len(names) > 50
    r = subprocess.run([sys.executable, "-c", ISOLATED, *names], capture_output=True, text=True,
                       env={**__import__("os").environ, "PYTHONPATH": str(SRC)})
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]
