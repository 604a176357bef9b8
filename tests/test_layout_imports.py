"""qa_checklist's rooms import one way (issue 29, point 6; docs/layout.md).

Every module of the package is read with `ast`, not imported, and every import of another of its
modules is an edge: at the top of a module or late, inside a function (a late import hides a circle
from Python, not from this test). Neither the modules nor the rooms (`shared`, `checks`, `report`,
`runners`, and the top level's entry modules) may import in a circle, and each room imports only the
rooms below it: the checks and the report share `shared/` and never import each other.
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "qa_checklist"

# What each room may import besides itself. "top" is the entry modules: cli.py, plugin.py, scale.py.
MAY_IMPORT = {
    "shared": set(),
    "checks": {"shared"},
    "report": {"shared"},
    "runners": {"report", "shared"},
    "top": {"checks", "report", "runners", "shared"},
}


def _modules() -> dict[str, Path]:
    """Each module by its name inside the package (`checks.pair`; `checks` for checks/__init__.py)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def room(module: str) -> str:
    """The room a module is in: its subpackage, or "top" for the entry modules and qa_checklist/__init__.py."""
    head = module.split(".")[0]
    return head if head and (PACKAGE / head).is_dir() else "top"


def _imported(module: str, node: ast.AST) -> list[str]:
    """The package's modules an import statement of `module` names (an import of a name from a module counts
    as an import of that module; of a submodule from a package, as one of the submodule)."""
    if isinstance(node, ast.Import):
        names = [a.name.removeprefix("qa_checklist.") for a in node.names if a.name.startswith("qa_checklist.")]
        return [n for n in names if n in MODULES]
    if node.level:
        package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
        base = package[:len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
    elif node.module == "qa_checklist" or (node.module or "").startswith("qa_checklist."):
        base = node.module.split(".")[1:]
    else:
        return []
    found = []
    for alias in node.names:
        whole = ".".join(base + [alias.name])
        found.append(whole if whole in MODULES else ".".join(base))
    return [name for name in found if name in MODULES]


def _edges() -> dict[str, dict[str, int]]:
    """Per module, the modules it imports and the line of the first such import."""
    edges: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        edges[module] = {}
        for node in ast.walk(tree):  # every import, also inside functions and `if` blocks
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _imported(module, node):
                    if target != module:
                        edges[module].setdefault(target, node.lineno)
    return edges


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle of the graph (its nodes, the first repeated at the end), or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for successor in sorted(graph.get(node, ())):
            if state.get(successor) == "open":
                return path[path.index(successor):] + [successor]
            if successor not in state:
                found = visit(successor)
                if found:
                    return found
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_package_is_read_whole():
    assert {"checks", "checks.pair", "report.build", "runners.workers", "shared.messages", "cli", "plugin",
            "scale"} <= set(MODULES)
    assert {room(m) for m in MODULES} == set(MAY_IMPORT)
    edges = _edges()
    assert "checks.linked" in edges["checks.pair"]  # `from . import linked`
    assert "report.file" in edges["runners.place"]  # a late import, inside a function
    assert "shared.manifest" in edges["checks"]  # from the package above: `from ..shared.manifest import`


def test_no_module_imports_in_a_circle():
    graph = {module: set(targets) for module, targets in _edges().items()}
    circle = _circle(graph)
    assert circle is None, "qa_checklist's modules import in a circle: " + " -> ".join(circle)


def test_rooms_import_one_way():
    edges = _edges()
    rooms: dict[str, set[str]] = {r: set() for r in MAY_IMPORT}
    wrong = []
    for module, targets in sorted(edges.items()):
        for target, line in sorted(targets.items()):
            if room(target) == room(module):
                continue
            rooms[room(module)].add(room(target))
            if room(target) not in MAY_IMPORT[room(module)]:
                wrong.append(f"{MODULES[module].relative_to(ROOT)}:{line} ({room(module)}) imports {target} "
                             f"({room(target)})")
    assert not wrong, "imports against the rooms' order (docs/layout.md):\n" + "\n".join(wrong)
    assert _circle(rooms) is None
    assert "report" not in rooms["checks"] and "runners" not in rooms["checks"]
    assert "checks" not in rooms["report"]


def test_the_checks_give_generated_modules_every_check_they_call():
    from qa_checklist import checks

    called = set()
    for path in [ROOT / "generator" / "templates" / "test_module.py.jinja",
                 *(ROOT / "generated_tests").rglob("test_*.py")]:
        called |= set(re.findall(r"\bchecks\.(\w+)\(", path.read_text(encoding="utf-8")))
    assert {"load_mapping", "property_row", "pass_report", "faults"} <= called
    missing = called - set(dir(checks))
    assert not missing, f"generated modules call what qa_checklist.checks lacks: {sorted(missing)}"
