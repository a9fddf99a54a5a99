"""lib.settings: every HALFSKY_* setting declared once, read only there, and documented in README.

The scan and the README comparison are the point: a setting read somewhere else, or missing from
the configuration table, fails here instead of surprising someone who deploys the app.
"""
from __future__ import annotations

import ast
import datetime as dt
import re
import subprocess
import sys

import pytest

from lib import settings
from tests.conftest import ROOT

NAME = re.compile(r"HALFSKY_[A-Z0-9_]+")


def _app_sources() -> list:
    files = sorted((ROOT / "lib").rglob("*.py")) + sorted((ROOT / "views").rglob("*.py"))
    files += [ROOT / "app.py", ROOT / "serve.py"]
    return [f for f in files if f.exists() and f != ROOT / "lib" / "settings.py"]


def environment_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) for every read of the environment that may be a HALFSKY_* setting: a literal
    HALFSKY_* key, a key that is not a literal (a constant may hold one), or the whole mapping
    (``dict(os.environ)``, ``{**os.environ}``). A literal key of another variable (PATH) is fine."""
    tree = ast.parse(source)
    from_os = [a for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "os"
               for a in n.names]
    environ_names = {a.asname or a.name for a in from_os if a.name == "environ"}
    getenv_names = {a.asname or a.name for a in from_os if a.name == "getenv"}

    def is_environ(node: ast.AST) -> bool:
        return ((isinstance(node, ast.Attribute) and node.attr == "environ"
                 and isinstance(node.value, ast.Name) and node.value.id == "os")
                or (isinstance(node, ast.Name) and node.id in environ_names))

    def is_getenv(node: ast.AST) -> bool:
        return ((isinstance(node, ast.Attribute) and node.attr == "getenv"
                 and isinstance(node.value, ast.Name) and node.value.id == "os")
                or (isinstance(node, ast.Name) and node.id in getenv_names))

    def key_ok(key: ast.AST | None) -> bool:
        return (isinstance(key, ast.Constant) and isinstance(key.value, str)
                and not key.value.startswith("HALFSKY_"))

    found, seen = [], set()
    for node in ast.walk(tree):
        key: ast.AST | None = None
        target = None
        if isinstance(node, ast.Call) and is_getenv(node.func):
            target, key = node, node.args[0] if node.args else None
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and is_environ(node.func.value)):
            target, key = node.func.value, node.args[0] if node.args else None
        elif isinstance(node, ast.Subscript) and is_environ(node.value):
            target, key = node.value, node.slice
        elif (isinstance(node, ast.Compare) and any(isinstance(o, (ast.In, ast.NotIn)) for o in node.ops)
              and any(is_environ(c) for c in node.comparators)):
            target = next(c for c in node.comparators if is_environ(c))
            key = node.left
        elif is_environ(node):
            target = node  # the whole mapping, unless a parent above named its key
        if target is None or id(target) in seen:
            continue
        seen.add(id(target))
        if not key_ok(key):
            found.append((node.lineno, ast.unparse(node)[:80]))
    return found


def test_the_scan_finds_environment_reads_of_settings():
    assert environment_reads('import os\nx = os.environ.get("HALFSKY_TILE_URL")\n')
    assert environment_reads('import os\nx = os.getenv("HALFSKY_AUTH", "")\n')
    assert environment_reads('import os\nx = os.environ["HALFSKY_DB_URL"]\n')
    assert environment_reads('import os\nx = "HALFSKY_TODAY" in os.environ\n')
    assert environment_reads('from os import environ as e\nx = e.get("HALFSKY_TODAY")\n')
    assert environment_reads('from os import getenv\nx = getenv(NAME)\n')
    assert environment_reads('import os\nNAME = "HALFSKY_AUTH"\nx = os.environ.get(NAME)\n')
    assert environment_reads('import os\nenv = dict(os.environ)\n')
    assert not environment_reads('import os\nx = os.environ.get("PATH", "")\n')
    assert not environment_reads('import os\nx = os.getenv("HOME")\n')
    assert not environment_reads('x = settings.tile_url()  # HALFSKY_TILE_URL\n')


def test_no_module_but_settings_reads_halfsky_variables_from_the_environment():
    offenders = {str(f.relative_to(ROOT)): reads for f in _app_sources()
                 if (reads := environment_reads(f.read_text(encoding="utf-8")))}
    assert offenders == {}, f"read HALFSKY_* settings through lib.settings, not os.environ: {offenders}"


def test_every_halfsky_name_the_app_mentions_is_declared():
    """A variable named in code or messages but not declared would be a setting nobody documents."""
    declared = {s.name for s in settings.SETTINGS}
    mentioned = {m: str(f.relative_to(ROOT)) for f in _app_sources()
                 for m in NAME.findall(f.read_text(encoding="utf-8"))}
    assert not set(mentioned) - declared, {m: mentioned[m] for m in set(mentioned) - declared}


def _readme_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def test_readme_table_names_every_declared_setting_and_no_other():
    documented = {m for line in _readme_table().splitlines()[2:]
                  for m in NAME.findall(line.split("|")[1])}
    declared = {s.name for s in settings.SETTINGS}
    assert not declared - documented, f"missing from README's configuration table: {declared - documented}"
    assert not documented - declared, f"in README's table but not declared: {documented - declared}"


def test_readme_table_is_the_generated_one():
    assert _readme_table() == settings.markdown_table().strip(), (
        "README's configuration table differs from `python -m lib.settings --markdown`: paste its output")


def test_names_are_unique_and_helps_are_one_line():
    names = [s.name for s in settings.SETTINGS]
    assert len(names) == len(set(names))
    for s in settings.SETTINGS:
        assert NAME.fullmatch(s.name) and s.help and "\n" not in s.help and "|" not in s.help


@pytest.mark.parametrize("raw, expected", [
    (None, False), ("", False), ("0", False), ("no", False), ("1", True), ("true", True),
    (" TRUE ", True), ("yes", True), ("on", True),
])
def test_no_demo_flag(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("HALFSKY_NO_DEMO", raising=False)
    else:
        monkeypatch.setenv("HALFSKY_NO_DEMO", raw)
    assert settings.no_demo() is expected


@pytest.mark.parametrize("raw, expected", [(None, False), ("", False), ("on", False), ("OFF", True),
                                           (" off ", True)])
def test_auth_off_only_when_said_so(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("HALFSKY_AUTH", raising=False)
    else:
        monkeypatch.setenv("HALFSKY_AUTH", raw)
    assert settings.auth_off() is expected


def test_read_at_call_time(monkeypatch):
    monkeypatch.setenv("HALFSKY_TILE_URL", "https://tiles.intranet/{z}/{x}/{y}.png")
    assert settings.tile_url() == "https://tiles.intranet/{z}/{x}/{y}.png"
    monkeypatch.setenv("HALFSKY_TILE_URL", "  ")
    assert settings.tile_url() is None
    monkeypatch.setenv("HALFSKY_DB_SCHEMA", "halfsky")
    assert settings.db_schema() == "halfsky"
    monkeypatch.delenv("HALFSKY_DB_SCHEMA")
    assert settings.db_schema() is None


def test_today_pinned_or_refused(monkeypatch):
    monkeypatch.setenv("HALFSKY_TODAY", "2025-02-28")
    assert settings.today() == dt.date(2025, 2, 28)
    monkeypatch.setenv("HALFSKY_TODAY", "yesterday")
    with pytest.raises(ValueError, match="HALFSKY_TODAY"):
        settings.today()
    monkeypatch.delenv("HALFSKY_TODAY")
    assert settings.today() is None


def test_db_url_precedence_environment_secrets_default(monkeypatch, tmp_path):
    monkeypatch.delenv("HALFSKY_DB_URL", raising=False)
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    assert settings.db_url() == settings.DEFAULT_DB_URL
    assert settings.source(settings.DB_URL) == "default"
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[connections.warehouse]\nurl = "postgresql+psycopg://u:pw@h/db"\n')
    assert settings.db_url() == "postgresql+psycopg://u:pw@h/db"
    assert settings.source(settings.DB_URL) == "secrets.toml"
    monkeypatch.setenv("HALFSKY_DB_URL", "duckdb:///env.duckdb")
    assert settings.db_url() == "duckdb:///env.duckdb"
    assert settings.source(settings.DB_URL) == "environment"


def test_listing_masks_secrets_and_passwords(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    monkeypatch.setenv("HALFSKY_COOKIE_SECRET", "cookie-key-do-not-print")
    monkeypatch.delenv("HALFSKY_SETUP_CODE", raising=False)
    monkeypatch.setenv("HALFSKY_DB_URL", "postgresql+psycopg://u:hunter2@db:5432/halfsky")
    monkeypatch.delenv("HALFSKY_DB_SCHEMA", raising=False)
    rows = {name: (value, source) for name, value, source in settings.effective()}
    assert set(rows) == {s.name for s in settings.SETTINGS}
    assert rows["HALFSKY_COOKIE_SECRET"] == ("set", "environment")
    assert rows["HALFSKY_SETUP_CODE"] == ("not set", "default")
    assert rows["HALFSKY_DB_SCHEMA"] == ("(default)", "default")
    value, source = rows["HALFSKY_DB_URL"]
    assert source == "environment" and "hunter2" not in value and "db:5432/halfsky" in value


def test_command_prints_settings_without_secrets():
    env = {"PATH": "/usr/bin:/bin", "HALFSKY_COOKIE_SECRET": "cookie-key-do-not-print",
           "HALFSKY_SETUP_CODE": "ABCD-EFGH-JKLM", "HALFSKY_TODAY": "2026-11-30"}
    out = subprocess.run([sys.executable, "-m", "lib.settings"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "cookie-key-do-not-print" not in out.stdout and "ABCD-EFGH-JKLM" not in out.stdout
    lines = {line.split()[0]: line.split()[1:] for line in out.stdout.splitlines()[1:] if line.strip()}
    assert set(lines) == {s.name for s in settings.SETTINGS}
    assert lines["HALFSKY_TODAY"] == ["2026-11-30", "environment"]
    assert lines["HALFSKY_COOKIE_SECRET"] == ["set", "environment"]
    assert lines["HALFSKY_TILE_URL"] == ["(default)", "default"]


def test_markdown_command_prints_the_table():
    out = subprocess.run([sys.executable, "-m", "lib.settings", "--markdown"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == settings.markdown_table().strip()
