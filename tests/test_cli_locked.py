"""Every ``python -m lib.…`` command, run while another process holds the DuckDB file, says so in
one line (what holds it and what to do) and exits 2, instead of printing driver tracebacks."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOWNSHIPS, VILLAGES = ROOT / "data" / "fuzhou_townships.csv", ROOT / "data" / "fuzhou_villages.csv"

# every module with a __main__ that opens the warehouse, with arguments that make it open it
COMMANDS = {
    "lib.ingest": ["batches"],
    "lib.users": ["list"],
    "lib.warehouse.rollups": [],
    "lib.warehouse.migrate": [],
    "lib.regions": ["import", str(TOWNSHIPS), str(VILLAGES)],
    "lib.completeness": ["--month", "2026-01"],
    "lib.targets": [],
    "lib.geo": ["import", str(TOWNSHIPS)],
    "lib.brief": ["--region", "350100000000"],
    "lib.demo": [],
    "lib.bench": ["--skip-load"],
    "lib.followup": ["list"],
}
# commands that never open the warehouse: lib.settings prints the configuration, lib.bundle packs
# the committed app, lib.bench.child runs another command (which opens it itself)
NO_WAREHOUSE = {"lib.settings", "lib.bundle", "lib.bench.child"}


def test_every_cli_module_is_listed():
    mains = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__main__")
             for p in (ROOT / "lib").rglob("*.py") if "__main__" in p.read_text(encoding="utf-8")
             and 'if __name__ == "__main__"' in p.read_text(encoding="utf-8")}
    assert mains == set(COMMANDS) | NO_WAREHOUSE


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """A DuckDB file held open by a second process, as the running app holds it."""
    path = tmp_path_factory.mktemp("locked") / "held.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r}); con.execute('create table x(i int)')
        print('ready', flush=True); sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield path
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.parametrize("module", sorted(COMMANDS))
def test_cli_says_the_file_is_held_in_one_line(held, module):
    run = subprocess.run([sys.executable, "-m", module, *COMMANDS[module], "--db",
                          f"duckdb:///{held}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(held.parent),
                                           "HALFSKY_TODAY": "2026-11-30"})
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.returncode == 2, run.stderr
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert str(held) in lines[0] and "PostgreSQL" in lines[0] and "停止" in lines[0]
