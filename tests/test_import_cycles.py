"""No import cycles in lib/ (the city and national demos, lib.regions ↔ lib.warehouse.bootstrap).

Two checks: every module involved imports on its own in a fresh interpreter (a cycle shows up there
as a partially initialised module, depending on which side is imported first), and the import graph
of lib/, read from the source (imports inside functions included), has no cycle at all.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALONE = ["lib.demo", "lib.demo.city", "lib.demo.national", "lib.demo.shapes", "lib.regions",
         "lib.warehouse.divisions",
         "lib.warehouse.bootstrap", "lib.warehouse.queries", "lib.warehouse.indicator_queries",
         "lib.warehouse.migrate"]


@pytest.mark.parametrize("module", ALONE)
def test_module_imports_alone_in_a_fresh_interpreter(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def _modules() -> dict[str, Path]:
    mods = {}
    for path in (ROOT / "lib").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = path
    return mods


def import_graph() -> dict[str, set[str]]:
    """module → lib modules it imports anywhere in its source. ``from pkg import sub`` counts as an
    import of pkg.sub (a package's __init__ re-exporting its modules is not a cycle)."""
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        out: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                out |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = {f"{node.module}.{a.name}" for a in node.names} & mods.keys()
                out |= subs
                if len(subs) < len(node.names):
                    out.add(node.module)
        graph[name] = {m for m in out if m in mods and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_lib_has_no_import_cycle():
    graph = import_graph()
    assert "lib.demo.shapes" in graph["lib.demo.national"]  # the graph is read, not empty
    assert "lib.demo.city" not in graph["lib.demo.national"]
    assert "lib.regions" not in graph["lib.warehouse.bootstrap"]
    assert cycles(graph) == []
