"""The conda environments (envs/*.yaml): they parse, pin exactly the versions the Python packaging
pins, install this package, and provide every module that their rules' scripts import.

Conda's channels cannot be reached from the test machines, so the environments are not built here;
instead each rule's script is followed through its imports (into danqmotifs, module by module, lazy
imports included) and every third-party module must come from a package the rule's env lists.
"""

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "danqmotifs"
SELF = "${DANQMOTIFS_PIP}"


def _pins():
    """Package -> pinned version over the runtime dependencies and every extra (TensorFlow lives in
    the cpu and gpu extras)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        deps += extra
    out = {}
    for d in deps:
        m = re.match(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^;\s]+)", d)
        assert m, f"pyproject dependency {d!r} is not pinned with =="
        assert out.get(m.group(1).lower(), m.group(3)) == m.group(3), f"{d}: two versions in pyproject"
        out[m.group(1).lower()] = m.group(3)
    return out


def _pip(env: Path) -> list[str]:
    deps = yaml.safe_load(env.read_text())["dependencies"]
    return next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_envs_pin_the_packaging_versions_and_install_the_package():
    pins = _pins()
    envs = sorted((ROOT / "envs").glob("*.yaml"))
    assert len(envs) >= 3
    for env in envs:
        assert "python=3.11" in yaml.safe_load(env.read_text())["dependencies"], env
        pip = _pip(env)
        assert pip[-1] == SELF, f"{env.name}: the last pip entry must install this package ({SELF})"
        for line in pip[:-1]:
            name, version = line.split("==")
            name = name.split("[")[0]                     # tensorflow[and-cuda] pins tensorflow
            assert pins.get(name.lower()) == version, f"{env.name}: {line} differs from pyproject.toml"


def test_every_rule_env_exists():
    for smk in (ROOT / "workflow/rules").glob("*.smk"):
        text = smk.read_text()
        for rel in re.findall(r'conda:\s*\n\s*"([^"]+)"', text) + re.findall(r'"(\.\./\.\./envs/[^"]+)"', text):
            assert (smk.parent / rel).resolve().exists(), f"{smk.name}: {rel} missing"


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    """Absolute module names imported in a file (relative imports resolved): anywhere, lazy
    imports in functions included, or only at module level (what importing it runs)."""
    tree = ast.parse(path.read_text())
    pkg = None
    if SRC in path.parents or path.parent == SRC:
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        pkg = parts if path.name == "__init__.py" else parts[:-1]
        if path.name == "__init__.py":
            pkg = parts[:-1]
    out = set()
    for node in (tree.body if top_level_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                out.add(mod)
                out.update(f"{mod}.{a.name}" for a in node.names)
            else:
                out.add(node.module)
                out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != "danqmotifs":
        return None
    p = SRC.parent.joinpath(*parts)
    if (p / "__init__.py").is_file():
        return p / "__init__.py"
    if p.with_suffix(".py").is_file():
        return p.with_suffix(".py")
    return None


def third_party_imports(script: Path) -> set[str]:
    """Top-level third-party modules a script needs, following danqmotifs modules transitively."""
    seen, todo, out = set(), [(script, False)], set()
    while todo:
        f, top_only = todo.pop()
        if (f, top_only) in seen:
            continue
        seen.add((f, top_only))
        for name in _imports(f, top_only):
            top = name.split(".")[0]
            if top == "danqmotifs":
                mf = _module_file(name)
                if mf is not None:
                    todo.append((mf, False))
                # importing a module runs the top level of every package above it
                parts = name.split(".")
                for i in range(1, len(parts)):
                    pf = _module_file(".".join(parts[:i]))
                    if pf is not None and pf != mf:
                        todo.append((pf, True))
            elif top not in sys.stdlib_module_names and top != "__future__":
                out.add(top)
    return out


def rule_envs_and_scripts() -> list[tuple[str, str, Path]]:
    """(rule, env file, script) for every rule with both a conda env and a script."""
    out = []
    for smk in sorted((ROOT / "workflow/rules").glob("*.smk")):
        text = smk.read_text()
        for block in re.split(r"\n(?=\s*rule \w+:)", text):
            m = re.match(r"\s*rule (\w+):", block)
            script = re.search(r'script:\s*\n\s*"([^"]+)"', block)
            if not m or not script:
                continue
            envs = re.findall(r'"\.\./\.\./(envs/[^"]+\.yaml)"', block)
            if not envs:      # the train rules pick their env in a variable (CPU or GPU build)
                envs = re.findall(r'"\.\./\.\./(envs/train[^"]*\.yaml)"', text)
            assert envs, f"{smk.name}: rule {m.group(1)} has a script but no conda env"
            for env in envs:
                out.append((m.group(1), env, (smk.parent / script.group(1)).resolve()))
    return out


def test_rule_imports_resolve_from_their_env():
    provides = md.packages_distributions()       # import name -> distributions that provide it
    checked = 0
    for rule, env, script in rule_envs_and_scripts():
        listed = {_norm(re.split(r"[=\[]", line)[0]) for line in _pip(ROOT / env) if line != SELF}
        if "tensorflow-cpu" in listed or "tensorflow" in listed:
            listed |= {"tensorflow", "tensorflow-cpu"}
        for top in sorted(third_party_imports(script)):
            dists = {_norm(d) for d in provides.get(top, [])}
            assert dists, f"rule {rule}: {script.name} imports {top}, which no installed package provides"
            assert dists & listed, (f"rule {rule} ({env}): {script.name} needs {top} "
                                    f"(from {sorted(dists)}), which the env does not list")
        checked += 1
    assert checked >= 15
