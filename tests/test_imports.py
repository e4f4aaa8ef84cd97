"""The package has no import cycle, the core never imports the papers' wing, every import runs down the
stages, and every module imports on its own (no hidden order)."""

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
    assert "no import cycle and no import of danqmotifs.papers from outside, every import runs down" in r.stdout


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
    (pkg / "trust").mkdir()
    for p in ("__init__.py", "papers/__init__.py", "papers/k2p/__init__.py", "trust/__init__.py", "trust/substitutes.py"):
        (pkg / p).write_text("")
    (pkg / "papers" / "k2p" / "fidelity.py").write_text("from ...trust.substitutes import x\n")  # wing -> core: fine
    (pkg / "trust" / "faithfulness.py").write_text("def f():\n    from ..papers.k2p.fidelity import y\n")  # hidden
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


def _stage_tree(tmp_path, files: dict[str, str]):
    pkg = tmp_path / "danqmotifs"
    for rel, text in {"__init__.py": "", **files}.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    return import_cycles.graph(tmp_path)


def test_tool_finds_an_import_against_the_stage_order(tmp_path):
    g = _stage_tree(tmp_path, {
        "core/__init__.py": "", "core/errors.py": "",
        "model/__init__.py": "", "model/danq.py": "from ..core.errors import x\n",          # down: fine
        "motifs/__init__.py": "", "motifs/mle.py": "from ..model.danq import y\n",         # down: fine
        "model/modelio.py": "def f():\n    from ..motifs.mle import z\n",                  # up, hidden
        "trust/__init__.py": "", "trust/influence.py": "from ..attribution import a\n",  # one row: no
        "attribution/__init__.py": "",
        "loose.py": "",                                                                     # no stage
        "methods.py": "import importlib\n",                                                 # a shim
    })
    assert import_cycles.stage_violations(g) == [
        ("danqmotifs.loose", ""),
        ("danqmotifs.model.modelio", "danqmotifs.motifs"),
        ("danqmotifs.model.modelio", "danqmotifs.motifs.mle"),
        ("danqmotifs.trust.influence", "danqmotifs.attribution")]
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "import_cycles.py"), str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "import against the stage order: danqmotifs.model.modelio (model) -> danqmotifs.motifs.mle (motifs)" \
        in r.stdout
    assert "module outside every stage: danqmotifs.loose" in r.stdout


def test_every_import_runs_down_the_stages():
    g = import_cycles.graph(SRC)
    assert import_cycles.stage_violations(g) == []
    stages = {import_cycles.stage_of(m)[1] for m in g if import_cycles.stage_of(m)}
    assert stages == {s for row in import_cycles.STAGES for s in row}
