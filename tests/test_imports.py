"""The package has no import cycles at module level (issue 9: "No import cycles in src/").

An import cycle makes the import order decide which names exist when a module body runs,
and it hides the real layering of the code. The graph here has one edge per top-level
``import``/``from ... import`` between ``indbuilder`` modules. Imports inside functions
and under ``if TYPE_CHECKING:`` are left out: neither runs while a module is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "indbuilder"


def module_names(src: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``src``: dotted name -> file (packages by their __init__)."""
    modules: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _import_time_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The import statements that run when a module body runs (not in functions, not type-only)."""
    found: list[ast.Import | ast.ImportFrom] = []
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            found.append(stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue  # runs when called, not when imported
        elif isinstance(stmt, ast.If):
            if not _is_type_checking(stmt.test):
                found += _import_time_imports(stmt.body)
            found += _import_time_imports(stmt.orelse)
        elif isinstance(stmt, ast.ClassDef):
            found += _import_time_imports(stmt.body)  # a class body runs at import time
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                found += _import_time_imports(block)
            for handler in stmt.handlers:
                found += _import_time_imports(handler.body)
        elif isinstance(stmt, (ast.With, ast.For, ast.While)):
            found += _import_time_imports(stmt.body)
            if not isinstance(stmt, ast.With):
                found += _import_time_imports(stmt.orelse)
    return found


def import_graph(src: Path, package: str) -> dict[str, set[str]]:
    """Module -> the package modules it imports at import time."""
    modules = module_names(src, package)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        # the package that relative imports are resolved against
        here = name.split(".") if is_package else name.split(".")[:-1]
        ancestors = {".".join(here[:i]) for i in range(1, len(here) + 1)}
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for stmt in _import_time_imports(tree.body):
            targets: set[str] = set()
            if isinstance(stmt, ast.Import):
                targets = {alias.name for alias in stmt.names}
            else:
                if stmt.level:
                    base = here[: len(here) - (stmt.level - 1)]
                    origin = ".".join(base + ([stmt.module] if stmt.module else []))
                else:
                    origin = stmt.module or ""
                for alias in stmt.names:
                    submodule = f"{origin}.{alias.name}"
                    if submodule in modules:
                        targets.add(submodule)
                        # the package itself runs too, unless it is one we are already inside
                        if origin not in ancestors:
                            targets.add(origin)
                    else:
                        targets.add(origin)
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the strongly connected components of ``graph`` (each sorted)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A concrete cycle through the first module of ``component`` (shortest, by breadth-first search)."""
    start = component[0]
    members = set(component)
    paths: dict[str, list[str]] = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for succ in sorted(graph[node] & members):
            if succ == start:
                return paths[node] + [start]
            if succ not in paths:
                paths[succ] = paths[node] + [succ]
                queue.append(succ)
    return component  # unreachable for a real component; keeps the message useful anyway


def cycles(src: Path, package: str) -> list[str]:
    """One readable line per import cycle: the modules involved and one path around it."""
    graph = import_graph(src, package)
    return [
        f"{len(c)} modules {c}: " + " -> ".join(one_cycle(graph, c))
        for c in strongly_connected(graph)
        if len(c) > 1
    ]


def test_no_import_cycles_in_package() -> None:
    found = cycles(SRC, PACKAGE)
    assert not found, "import cycles at module level:\n" + "\n".join(found)


def test_rule_registry_imports_nothing_from_the_package() -> None:
    # diagnostics looks up default severities in rules; rules must not depend on diagnostics
    # (or anything that does), not even inside a function (issue 9: diagnostics <-> rules).
    tree = ast.parse((SRC / PACKAGE / "rules.py").read_text(encoding="utf-8"))
    package_imports = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if (isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(PACKAGE)))
        or (isinstance(node, ast.Import) and any(a.name.startswith(PACKAGE) for a in node.names))
    ]
    assert package_imports == []


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_detector_finds_a_cycle_and_ignores_lazy_and_type_only_imports(tmp_path: Path) -> None:
    # A package with one real cycle (a -> sub.b -> a) and two would-be cycles that do not
    # run at import time (c <-> d through a function body and a TYPE_CHECKING block).
    _write(tmp_path, "pkg/__init__.py", "")
    _write(tmp_path, "pkg/a.py", "from .sub import b\n")
    _write(tmp_path, "pkg/sub/__init__.py", "")
    _write(tmp_path, "pkg/sub/b.py", "from ..a import thing\n")
    _write(tmp_path, "pkg/c.py", "from . import d\n")
    _write(
        tmp_path,
        "pkg/d.py",
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .c import X\n"
        "def f():\n    from . import c\n",
    )
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.a"] == {"pkg.sub.b", "pkg.sub"}
    assert graph["pkg.sub.b"] == {"pkg.a"}
    assert graph["pkg.c"] == {"pkg.d"}
    assert graph["pkg.d"] == set()
    found = cycles(tmp_path, "pkg")
    assert found == ["2 modules ['pkg.a', 'pkg.sub.b']: pkg.a -> pkg.sub.b -> pkg.a"]
