"""Report import cycles inside the danqmotifs package, imports of its wings from the core and imports
against the stage order (each stage imports only the stages before it), from its static import graph.

Every ``import`` statement of every module under ``src/danqmotifs`` counts, wherever it stands (at
the top of the module or inside a function): an import hidden in a function still makes the two
modules depend on each other, it only postpones the failure. Imports of other packages (keras,
numpy, ...) are ignored. Importing a sub-package (``from . import tomtom``) depends on the
sub-package's ``__init__``; ``from .pkg import name`` depends on ``pkg/name.py`` when that module
exists, else on ``pkg/__init__.py``; a module outside ``pkg`` that imports ``pkg.name`` also depends
on ``pkg/__init__.py``, which Python runs first.

A wing (``WINGS``: ``danqmotifs.papers``, the papers' studies) imports the core, never the reverse:
a module outside a wing that imports one of its modules (anywhere in its source) is a violation.
Workflow scripts, tests and benchmarks, outside ``src/``, may import the wings.

The package's sub-packages are the pipeline's stages (``STAGES``, in the order the data flows:
docs/design.md section 16). A module imports its own stage and the stages above it in the list,
never a later one: an import that runs back up the list is a violation, and so is an import between
two stages on one row. Every module belongs to a stage, except the package's ``__init__`` and the
deprecated paths kept for old imports (``SHIMS``), which import nothing themselves.

Usage: ``python tools/import_cycles.py [src_dir]`` (default: ``src`` beside this tools folder).
Prints each cycle as ``a -> b -> a`` and each violation as ``core module -> wing module`` or
``module (stage) -> module (later stage)``, and exits 1 if there is one; prints the number of
modules and edges and exits 0 otherwise.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = "danqmotifs"
#: sub-packages that may import the rest of the package but that nothing outside them imports
WINGS = (f"{PACKAGE}.papers",)
#: the stages, in the order the data flows: each imports only those on the rows above it (and itself)
STAGES = (("core",), ("formats",), ("sources",), ("model",), ("motifs",), ("tomtom",), ("match",),
          ("trust", "attribution"), ("report",), ("run", "cli"), ("papers",))
#: old import paths that warn and hand on the module that moved (they belong to no stage)
SHIMS = (f"{PACKAGE}.methods",)


def module_name(path: Path, src: Path) -> str:
    """Dotted name of the module at ``path`` (``pkg/__init__.py`` -> ``pkg``)."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(src: Path) -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    return {module_name(p, src): p for p in sorted((src / PACKAGE).rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The package module ``name`` stands for (itself, or the nearest enclosing package)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(mod: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Package modules that ``mod`` imports anywhere in its source."""
    is_pkg = path.name == "__init__.py"
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[:len(base) - node.level + 1]
                stem = ".".join(anchor + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in known else stem for a in node.names]
        else:
            continue
        for t in targets:
            if t == PACKAGE or t.startswith(PACKAGE + "."):
                r = _resolve(t, known)
                if r is not None and r != mod:
                    out.add(r)
                    out |= _outer_packages(r, mod)
    return out


def _outer_packages(target: str, mod: str) -> set[str]:
    """The packages Python initialises before ``target`` that ``mod`` is not already inside
    (``pkg/__init__`` runs first when a module outside ``pkg`` imports ``pkg.x``)."""
    parts = target.split(".")
    inside = {".".join(mod.split(".")[:i]) for i in range(1, mod.count(".") + 2)}
    return {p for p in (".".join(parts[:i]) for i in range(2, len(parts))) if p not in inside}


def graph(src: Path) -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    known = modules(src)
    return {m: imports_of(m, p, known) for m, p in known.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan's algorithm),
    as a path that returns to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(g):
        if v not in index:
            visit(v)
    return [_path_in(sorted(c), g) for c in comps]


def _path_in(comp: list[str], g: dict[str, set[str]]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected component."""
    start, members = comp[0], set(comp)
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(g[v] & members):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


def _in(mod: str, pkg: str) -> bool:
    return mod == pkg or mod.startswith(pkg + ".")


def wing_imports(g: dict[str, set[str]], wings=WINGS) -> list[tuple[str, str]]:
    """(importer, imported) for every import of a wing's module by a module outside that wing."""
    return sorted((m, t) for m, targets in g.items() for t in targets for w in wings
                  if _in(t, w) and not _in(m, w))


def stage_of(mod: str) -> tuple[int, str] | None:
    """(row in ``STAGES``, stage) of a module, or None for one outside every stage."""
    parts = mod.split(".")
    if len(parts) < 2 or parts[0] != PACKAGE:
        return None
    for row, names in enumerate(STAGES):
        if parts[1] in names:
            return row, parts[1]
    return None


def stage_violations(g: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) for every import against the stage order (imports into a wing are
    :func:`wing_imports`'s), and (module, "") for a module outside every stage."""
    out = []
    for m, targets in g.items():
        s = stage_of(m)
        if s is None:
            if m != PACKAGE and m not in SHIMS:
                out.append((m, ""))
            continue
        for t in targets:
            u = stage_of(t)
            if u is None or u[1] == s[1] or any(_in(t, w) for w in WINGS):
                continue
            if u[0] >= s[0]:
                out.append((m, t))
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    src = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "src"
    g = graph(src)
    found = cycles(g)
    for c in found:
        print("import cycle: " + " -> ".join(c))
    into_wings = wing_imports(g)
    for m, t in into_wings:
        print(f"core imports a wing: {m} -> {t} (move what {m} needs out of {t} into the core)")
    against = stage_violations(g)
    for m, t in against:
        if not t:
            print(f"module outside every stage: {m} (move it into the stage it serves, STAGES)")
        else:
            print(f"import against the stage order: {m} ({stage_of(m)[1]}) -> {t} ({stage_of(t)[1]}): "
                  f"a stage imports only itself and the stages above it in STAGES")
    if found or into_wings or against:
        print(f"{len(found)} import cycle(s), {len(into_wings)} import(s) of {', '.join(WINGS)} from outside, "
              f"{len(against)} against the stage order, among {len(g)} modules", file=sys.stderr)
        return 1
    print(f"no import cycle and no import of {', '.join(WINGS)} from outside, every import runs down the "
          f"stages: {len(g)} modules, {sum(map(len, g.values()))} imports within the package")
    return 0


if __name__ == "__main__":
    sys.exit(main())
