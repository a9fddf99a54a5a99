"""Shared fixtures: warehouses on DuckDB and (when HALFSKY_TEST_PG_URL is set) PostgreSQL.

Every query test takes ``engine`` or ``demo_engine`` and so runs on both backends. PostgreSQL tests
use a fresh schema per run, dropped afterwards.
"""
from __future__ import annotations

import os
import shutil
import sys
import threading
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


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """argon2id with one pass over 1 MiB in this process's tests instead of three over 64 MiB.

    The sign-in tests hash and verify hundreds of times; what they check (outcomes, counts, timing
    parity between known and unknown users) does not depend on the cost. Servers the browser tests
    start are other processes and keep the real parameters.
    """
    from argon2 import PasswordHasher

    from lib.auth import passwords

    real = passwords._hasher, passwords._DUMMY_HASH
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("halfsky-no-such-user")
    yield
    passwords._hasher, passwords._DUMMY_HASH = real


class _Templates:
    """Empty warehouses built once per test process and copied for every test that wants one.

    Building one (schema, migrations, 3,223 regions, the indicator catalog) takes 2–5 s on this
    machine; copying a DuckDB file or creating a PostgreSQL database ``TEMPLATE`` another takes a
    few hundred milliseconds, and each test still gets a warehouse of its own. PostgreSQL copies are
    separate databases (the app's schema setting stays unused): they are dropped in the background,
    as ``DROP DATABASE`` waits for a checkpoint.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[tuple[str, bool, bool], str] = {}
        self.dropping: list[threading.Thread] = []

    def template(self, backend: str, regions: bool, demo: bool) -> str:
        """The template's DuckDB path or PostgreSQL database name, built on first use."""
        from lib import demo as demo_module
        from lib.warehouse import bootstrap
        from lib.warehouse.engine import dispose_engine

        key = (backend, regions, demo)
        if key not in self.built:
            name = f"tpl_{uuid.uuid4().hex[:10]}"
            if backend == "duckdb":
                path = self.folder / f"{name}.duckdb"
                url, schema = f"duckdb:///{path}", None
            else:
                _pg_admin_run(f'CREATE DATABASE "{name}"')
                url, schema = _pg_database_url(name), "public"
            engine = bootstrap.open_warehouse(url, pg_schema=schema, load_default_regions=regions)
            if demo:
                demo_module.build_demo(engine, seed=7)
            # closes the DuckDB file (what is copied is complete); a PostgreSQL template must have
            # no connection
            dispose_engine(url, pg_schema=schema)
            self.built[key] = str(path) if backend == "duckdb" else name
        return self.built[key]

    def open(self, backend: str, tmp_dir: Path, *, regions: bool = True, demo: bool = False):
        """A new warehouse copied from the template (with the seed-7 city demo if ``demo``), and a
        function that removes it."""
        from lib.warehouse import bootstrap
        from lib.warehouse.engine import dispose_engine

        source = self.template(backend, regions, demo)
        name = f"wh_{uuid.uuid4().hex[:10]}"
        if backend == "duckdb":
            target = tmp_dir / f"{name}.duckdb"
            shutil.copyfile(source, target)
            url = f"duckdb:///{target}"
            engine = bootstrap.open_warehouse(url, load_default_regions=regions)
            return engine, url, lambda: dispose_engine(url)
        _pg_admin_run(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        url = _pg_database_url(name)
        engine = bootstrap.open_warehouse(url, pg_schema="public", load_default_regions=regions)

        def drop() -> None:
            dispose_engine(url, pg_schema="public")
            dispose_engine(url)
            worker = threading.Thread(target=_pg_admin_run,
                                      args=(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',))
            worker.start()
            self.dropping.append(worker)

        return engine, url, drop

    def close(self) -> None:
        for worker in self.dropping:
            worker.join()
        for (backend, _regions, _demo), source in self.built.items():
            if backend == "postgresql":
                _pg_admin_run(f'DROP DATABASE IF EXISTS "{source}" WITH (FORCE)')


def _pg_database_url(name: str) -> str:
    """HALFSKY_TEST_PG_URL with another database of the same server."""
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _pg_admin_run(statement: str) -> None:
    """CREATE/DROP DATABASE, which cannot run inside a transaction."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    made = _Templates(tmp_path_factory.mktemp("templates"))
    yield made
    made.close()


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path, _templates):
    """A fresh warehouse with the demo city's regions and the indicator catalog, no facts."""
    eng, _url, drop = _templates.open(request.param, tmp_path)
    yield eng
    drop()


@pytest.fixture(params=BACKENDS)
def bare_engine(request, tmp_path, _templates):
    """A fresh warehouse with the indicator catalog and no regions at all."""
    eng, _url, drop = _templates.open(request.param, tmp_path, regions=False)
    yield eng
    drop()


@pytest.fixture(params=BACKENDS)
def demo_copy(request, tmp_path, _templates):
    """A warehouse of its own holding the city demo (seed 7), for a test that writes to it."""
    eng, _url, drop = _templates.open(request.param, tmp_path, demo=True)
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
