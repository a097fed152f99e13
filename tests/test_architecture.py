"""The layering the docs promise (docs/architecture.md), checked on the source: dependencies point
nesy -> solvers -> dsl, solvers never imports torch, the engine names no DSL, no module-level
import circles."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dsl", "solvers", "nesy")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _imports(path: Path, module_level: bool) -> set[str]:
    """Modules imported by the file: at module level only (what runs on import), or anywhere."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_dependencies_point_one_way() -> None:
    wrong = []
    for name, path in _modules().items():
        layer = name.split(".")[0]
        for imported in _imports(path, module_level=False):
            top = imported.split(".")[0]
            if layer == "dsl" and top in ("solvers", "nesy", "torch"):
                wrong.append(f"{name} imports {imported}")
            if layer == "solvers" and top in ("nesy", "torch"):
                wrong.append(f"{name} imports {imported}")
    assert not wrong


def test_no_module_level_import_circles() -> None:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for imported in _imports(path, module_level=True):
            if imported in modules and imported != name:
                graph.add_edge(name, imported)
    # a package's __init__ importing its own sub-modules is how packages work, not a circle
    cycles = [c for c in nx.simple_cycles(graph)
              if not all(any(o.startswith(m + ".") or m.startswith(o + ".") for o in c if o != m) for m in c)]
    assert not cycles


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def test_engine_names_no_dsl() -> None:
    """The shared engine knows no op, type or DSL by name (docstrings may talk about them)."""
    named = []
    for path in sorted((ROOT / "solvers" / "search").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                if node.value in ("str.++", "ite", "strings", "regex"):
                    named.append(f"{path.name}:{node.lineno} {node.value!r}")
            elif isinstance(node, (ast.Name, ast.alias)):
                identifier = node.id if isinstance(node, ast.Name) else node.name
                if identifier in ("STRING", "BOOL", "INT"):
                    named.append(f"{path.name}:{getattr(node, 'lineno', '?')} {identifier}")
        for imported in _imports(path, module_level=False):
            if imported.startswith(("dsl.strings", "dsl.regex", "dsl.rasp", "dsl.sygus", "solvers.strings",
                                    "solvers.regex", "solvers.nap")):
                named.append(f"{path.name} imports {imported}")
    assert not named


def test_solvers_split_by_job() -> None:
    top = [p.name for p in (ROOT / "solvers").glob("*.py") if p.name != "__init__.py"]
    assert top == [], f"modules left at the top of solvers/: {top}"
