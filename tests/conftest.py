"""Shared fixtures: warehouses on DuckDB and (when HALFSKY_TEST_PG_URL is set) PostgreSQL.

Every query test takes ``engine`` or ``demo_engine`` and so runs on both backends. PostgreSQL tests
use a fresh schema per run, dropped afterwards.
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Tests never depend on the day they run: the demo ends, and default periods are computed, as on this
# day (lib/clock.py). Browser tests' `streamlit run` processes inherit it.
os.environ.setdefault("HALFSKY_TODAY", "2026-11-30")

PG_URL = os.environ.get("HALFSKY_TEST_PG_URL")
BACKENDS = ["duckdb"] + (["postgresql"] if PG_URL else [])


def _open(backend: str, tmp_dir: Path, *, regions: bool = True):
    """A new, empty warehouse (reference data only) and a function that removes it."""
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine

    if backend == "duckdb":
        url = f"duckdb:///{tmp_dir / f'wh_{uuid.uuid4().hex[:8]}.duckdb'}"
        engine = bootstrap.open_warehouse(url, load_default_regions=regions)
        return engine, url, lambda: dispose_engine(url)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = bootstrap.open_warehouse(PG_URL, pg_schema=schema, load_default_regions=regions)

    def drop() -> None:
        dispose_engine(PG_URL, pg_schema=schema)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, f"{PG_URL}#schema={schema}", drop


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    """A fresh warehouse with the demo city's regions and the indicator catalog, no facts."""
    eng, _url, drop = _open(request.param, tmp_path)
    yield eng
    drop()


@pytest.fixture(params=BACKENDS)
def bare_engine(request, tmp_path):
    """A fresh warehouse with the indicator catalog and no regions at all."""
    eng, _url, drop = _open(request.param, tmp_path, regions=False)
    yield eng
    drop()


@pytest.fixture(scope="session", params=BACKENDS)
def demo_engine(request, tmp_path_factory):
    """A warehouse with the full city-scale demo (seed 7), built once per backend per test run."""
    from lib import demo

    eng, _url, drop = _open(request.param, tmp_path_factory.mktemp(request.param))
    demo.build_demo(eng, seed=7)
    yield eng
    drop()


def pytest_configure(config):
    # the browser tests write what Chromium showed here (a folder the suite names; README)
    shots = os.environ.setdefault("HALFSKY_SCREENSHOT_DIR",
                                  str(Path(__file__).resolve().parents[1] / "out" / "screenshots"))
    Path(shots).mkdir(parents=True, exist_ok=True)
    config.addinivalue_line("markers", "browser: the browser journey suite (Chromium via Playwright); "
                                       "run it alone with `pytest -m browser`")


def pytest_collection_modifyitems(config, items):
    for item in items:  # every *_browser.py test is part of the journey suite
        if item.path.name.endswith("_browser.py"):
            item.add_marker(pytest.mark.browser)
    if os.environ.get("CI") and not PG_URL:
        raise pytest.UsageError("CI=true but HALFSKY_TEST_PG_URL is not set: PostgreSQL tests "
                                "must not be skipped in CI")


def scope_of(value):
    """A test's scope written as a prefix ("" = the whole warehouse, as the console holds it) or
    already a Scope, as the Scope the warehouse functions require."""
    from lib.warehouse.scope import Scope

    if isinstance(value, Scope):
        return value
    return Scope(value) if value else Scope.everything()
