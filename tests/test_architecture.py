"""The architecture, as the design notes draw it: arrows only point down, nothing imports in a
circle. Read from the source (every import statement, at module level or inside a function)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What each part of nnlab may import from nnlab (besides itself). Lower parts never import
#: higher ones: the course notation is the bottom, the app the top.
ALLOWED = {
    "_validate": set(),
    "spec": {"_validate"},
    "data": {"_validate", "spec"},
    "config": {"_validate", "spec"},
    "core": {"_validate", "spec", "data", "config"},
    "lessons": {"_validate", "spec", "data", "config", "core"},
    "tf": {"_validate", "spec", "data", "config", "core"},
    "course": {"_validate", "spec", "data", "config", "core", "lessons"},
    "__init__": {"_validate", "spec", "data", "config", "core"},
    "viz": {"_validate", "spec", "data", "config", "core", "lessons"},
    "app": {"_validate", "spec", "data", "config", "core", "lessons", "tf", "course", "viz",
            "__init__"},
}


def _modules():
    out = {}
    for path in sorted((ROOT / "nnlab").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name, path, modules):
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pieces = package.split(".")
                base = ".".join(pieces[:len(pieces) - node.level + 1] + ([base] if base else []))
            # "from package import module" imports the module; "from module import name"
            # imports the module
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                       for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t and t != name and t.startswith("nnlab"):
                found.add(t)
    return found


MODULES = _modules()
GRAPH = {name: _imports(name, path, MODULES) for name, path in MODULES.items()}


def _part(module: str) -> str:
    pieces = module.split(".")
    return "__init__" if len(pieces) == 1 else pieces[1]


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_arrows_only_point_down(module):
    part = _part(module)
    wrong = sorted(t for t in GRAPH[module] if _part(t) not in ALLOWED[part] | {part})
    assert not wrong, f"{module} ({part}) imports {wrong}: not below it"


def test_nothing_imports_in_a_circle():
    seen, on_path, cycles = set(), [], []

    def visit(node):
        if node in on_path:
            cycles.append(on_path[on_path.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        on_path.append(node)
        for nxt in sorted(GRAPH[node]):
            if nxt != "nnlab":  # the package's own __init__ re-exports; it is imported first
                visit(nxt)
        on_path.pop()

    for module in sorted(GRAPH):
        visit(module)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def test_no_two_modules_differ_by_a_suffix_and_engine_names_are_not_app_names():
    leaves = {}
    for module in MODULES:
        leaves.setdefault(module.rsplit(".", 1)[-1], []).append(module)
    engine = {m.rsplit(".", 1)[-1] for m in MODULES if _part(m) not in ("app", "viz")}
    app = {m.rsplit(".", 1)[-1] for m in MODULES if _part(m) == "app"}
    shared = sorted((engine & app) - {"__init__", "nnlab", "app"})
    assert not shared, f"engine and app modules with one name: {shared}"
    names = sorted(set(leaves) - {"__init__"})
    close = [(a, b) for a in names for b in names
             if a < b and (a + "s" == b or b + "s" == a or a + "ics" == b.replace("is", "")
                           or a.replace("ics", "is") == b)]
    assert not close, f"modules that differ by a suffix: {close}"
