"""The import layers hold: the import-linter contracts in pyproject.toml, plus the two rules
import-linter cannot express, read from the source.

- ``lint-imports`` passes (layers: ui → web → commands and documents → domain → warehouse → figure
  rules → core; only the interface imports Streamlit and Starlette), and every top-level module of
  lib/ has its place in the layers, so a new one cannot slip past them.
- No module imports or reaches for another module's private (``_name``) names: what another module
  needs is public, or it lives there.
- No module of lib/ or views/ imports a lib module inside a function: an import hidden there to
  dodge an import cycle is a rule in the wrong layer. LAZY lists the exceptions with their reason.
"""
from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "lib").rglob("*.py"), *(ROOT / "views").glob("*.py"),
                  ROOT / "app.py", ROOT / "serve.py"])

# (importing module, imported lib module) → why it is imported inside a function. Not for import
# cycles: those are solved by moving code to its layer. Empty today.
LAZY: dict[tuple[str, str], str] = {}


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in SOURCES}


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The module a ``from … import`` reads from, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _is_lib(module: str) -> bool:
    return module == "lib" or module.startswith("lib.")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_lint_imports_passes():
    script = Path(sys.executable).with_name("lint-imports")
    assert script.exists(), f"import-linter is not installed next to {sys.executable}"
    done = subprocess.run([str(script), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_every_top_level_module_of_lib_has_a_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}
    top = {f"lib.{p.stem}" for p in (ROOT / "lib").glob("*.py") if p.stem != "__init__"}
    top |= {f"lib.{p.parent.name}" for p in (ROOT / "lib").glob("*/__init__.py")}
    assert sorted(top - placed) == []


def private_imports() -> list[str]:
    """Every place a module takes another module's ``_name``: imported by name, or read as an
    attribute of a module it imported."""
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        aliases: dict[str, str] = {}  # local name → the lib module it is
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = _absolute(module, node, is_package)
                if not _is_lib(source) or source == module:
                    continue
                for a in node.names:
                    if _private(a.name):
                        found.append(f"{module}:{node.lineno} imports {source}.{a.name}")
                    if f"{source}.{a.name}" in MODULES:
                        aliases[a.asname or a.name] = f"{source}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if _is_lib(a.name) and a.asname:
                        aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and _private(node.attr)
                    and aliases[node.value.id] != module):
                found.append(f"{module}:{node.lineno} reads {aliases[node.value.id]}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    assert private_imports() == []


def function_level_imports() -> list[tuple[str, str, int]]:
    """(module, imported lib module, line) of every import of a lib module inside a function."""
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    targets = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    targets = [_absolute(module, node, is_package)]
                else:
                    continue
                found += [(module, t, node.lineno) for t in targets if _is_lib(t)]
    return sorted(set(found))


def test_no_lib_module_is_imported_inside_a_function():
    found = function_level_imports()
    hidden = [f"{m}:{line} imports {t}" for m, t, line in found if (m, t) not in LAZY]
    assert hidden == []
    # an exception nobody needs any more is deleted, so the list stays the true one
    assert sorted(set(LAZY) - {(m, t) for m, t, _ in found}) == []


# Streamlit's internals: not its public API (st.*, st.App, st.context, streamlit.testing), free to
# change in any release.
STREAMLIT_INTERNALS = ("streamlit.runtime", "streamlit.web", "streamlit.elements", "streamlit.proto")


def test_the_app_uses_only_streamlits_public_api():
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            found += [f"{_name(path)}:{node.lineno} imports {n}" for n in names
                      if any(n == i or n.startswith(i + ".") for i in STREAMLIT_INTERNALS)]
    assert not found, "\n".join(found)
