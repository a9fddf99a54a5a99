"""Where the warehouse lives: the URL, the engine, schema creation, and the data version.

The URL comes from HALFSKY_DB_URL, else ``[connections.warehouse] url`` in .streamlit/secrets.toml,
else the embedded DuckDB file under data/; the PostgreSQL schema from HALFSKY_DB_SCHEMA. The app and
every ``python -m lib.…`` command resolve both here (``resolve_url``, ``resolve_schema``), so a
scheduled load lands where the app reads. DuckDB files are single-writer: a second process gets a
plain-language WarehouseLocked instead of a driver traceback. The schema is brought to this release's
on first use by Alembic (``ensure_schema``; lib/warehouse/migrations, ``python -m lib.warehouse.migrate``).
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, update
from sqlalchemy.pool import NullPool

from lib import settings
from lib.warehouse import migrations
from lib.warehouse import schema as s

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = settings.DEFAULT_DB_URL


class WarehouseLocked(RuntimeError):
    """The DuckDB file is open in another process: ``path`` is the file, ``pid`` the holder's process
    id when the driver names it (so a command can say what to stop)."""

    def __init__(self, message: str, path: str = "", pid: int | None = None):
        super().__init__(message)
        self.path, self.pid = path, pid


def resolve_url(explicit: str | None = None) -> str:
    """The warehouse URL, by precedence: argument, environment, secrets file, embedded default."""
    return explicit or settings.db_url()


def resolve_schema(explicit: str | None = None) -> str | None:
    """The PostgreSQL schema (search_path) of the warehouse: argument, else HALFSKY_DB_SCHEMA, else
    None (the server's default). The app reads the same variable (lib/ui/data.py)."""
    return explicit or settings.db_schema()


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def _holder_pid(exc: BaseException) -> int | None:
    """The holding process's id from DuckDB's message ("Conflicting lock is held in … (PID 123)")."""
    m = re.search(r"PID (\d+)", str(exc))
    return int(m[1]) if m else None


_engines: dict[tuple[str, str | None], Engine] = {}
_engines_lock = threading.Lock()


def get_engine(url: str | None = None, *, pg_schema: str | None = None) -> Engine:
    """One engine per (URL, schema) and process; the schema is created on first use."""
    url = resolve_url(url)
    key = (url, pg_schema)
    with _engines_lock:
        eng = _engines.get(key)
        if eng is None:
            eng = _make_engine(url, pg_schema)
            ensure_schema(eng)
            _engines[key] = eng
        return eng


def dispose_engine(url: str | None = None, *, pg_schema: str | None = None) -> None:
    """Forget (and close) a cached engine, e.g. so a DuckDB file can be reopened by another process."""
    with _engines_lock:
        eng = _engines.pop((resolve_url(url), pg_schema), None)
    if eng is not None:
        eng.dispose()


def _make_engine(url: str, pg_schema: str | None) -> Engine:
    if url.startswith("duckdb"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # NullPool: no pooled connection is ever shared between Streamlit's script threads; the
        # instance stays open through the keeper below, so a fresh connection is cheap.
        eng = create_engine(url, poolclass=NullPool)
        _limit_memory(eng, settings.duckdb_memory_limit())
        try:
            with eng.connect():
                pass
        except Exception as exc:  # driver error types differ between duckdb releases
            if _is_lock_error(exc):
                raise WarehouseLocked(
                    f"数据仓库文件 {path} 正被另一个进程使用。DuckDB 文件只能由一个进程打开；"
                    "要运行多个进程，请改用 PostgreSQL（设置 HALFSKY_DB_URL）。 "
                    f"The warehouse file {path} is held by another process. A DuckDB file serves one "
                    "process only; to run several processes use PostgreSQL (set HALFSKY_DB_URL).",
                    path, _holder_pid(exc)) from exc
            raise
        if path and path != ":memory:":
            _keep_open(eng)
        return eng
    connect_args = {}
    if pg_schema:
        connect_args["options"] = f"-csearch_path={pg_schema}"
    eng = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    return eng


def _keep_open(engine: Engine) -> None:
    """Hold one idle DuckDB connection for the engine's life. DuckDB keeps a database instance only
    while one of its connections is open, so without it every ``engine.connect()`` reopened the
    file and read its catalog again: 25 ms per connection on the city warehouse, 1 ms with the
    instance held (a page view opens a few dozen). The file therefore belongs to this process until
    the engine is disposed (``dispose_engine``, ``Engine.dispose``), as a DuckDB file serves one
    process anyway; another process is refused with WarehouseLocked rather than racing for it."""
    keeper = engine.raw_connection()
    event.listen(engine, "engine_disposed", lambda _e: keeper.close())


def _limit_memory(engine: Engine, limit: str) -> None:
    """Every DuckDB connection of ``engine`` sets the instance's memory limit: DuckDB's default
    (80 % of RAM) let one load's joins and aggregates grow with the warehouse instead of spilling.
    Set per connection rather than in the connect config, so that two engines on one file in a
    process never refuse each other over differing configurations."""
    sql = f"SET memory_limit = '{limit}'"  # a size checked by settings.duckdb_memory_limit

    @event.listens_for(engine, "connect")
    def _set(dbapi_connection, _record) -> None:
        dbapi_connection.execute(sql)


def ensure_schema(engine: Engine) -> list[str]:
    """Bring the warehouse to the schema of this release, in one transaction (idempotent).

    Alembic (lib/warehouse/migrations): a new warehouse is created and stamped at head, an older one
    upgraded, one at head left alone; on PostgreSQL under a lock, so concurrent starts upgrade once.
    Returns what was done (``migrations.ensure``); the data version row is created if missing.
    """
    with engine.begin() as conn:
        done = migrations.ensure(conn)
        if conn.execute(select(func.count()).select_from(s.data_state)).scalar_one() == 0:
            conn.execute(insert(s.data_state).values(id=1, version=0, changed_at=_now()))
    return done


def open_engine(url: str | None = None, *, pg_schema: str | None = None) -> Engine:
    """A new engine on the warehouse without touching its schema (``python -m
    lib.warehouse.migrate current``); the caller disposes of it. ``get_engine`` is the usual way."""
    return _make_engine(resolve_url(url), pg_schema)


def revision_of(engine: Engine) -> str | None:
    """The warehouse's Alembic revision (None before its first start under Alembic)."""
    with engine.connect() as conn:
        return migrations.current(conn)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def data_version(engine: Engine) -> int:
    """The counter every write bumps: the cache key that makes new data show everywhere."""
    with engine.connect() as conn:
        return int(conn.execute(select(s.data_state.c.version).where(s.data_state.c.id == 1))
                   .scalar_one())


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One all-or-nothing write that bumps the data version first.

    Bumping first takes the row lock on PostgreSQL (and a write-write conflict on DuckDB), so two
    concurrent loads are serialised or one fails cleanly; they never interleave.
    """
    with engine.begin() as conn:
        conn.execute(update(s.data_state).where(s.data_state.c.id == 1)
                     .values(version=s.data_state.c.version + 1, changed_at=_now()))
        yield conn


def next_id(conn: Connection, column) -> int:
    """The next integer id of a table, inside the caller's write transaction."""
    return int(conn.execute(select(func.coalesce(func.max(column), 0) + 1)).scalar_one())


def schema_version_of(engine: Engine) -> int:
    """The highest schema_version row: the record before Alembic, 2 since (see ``revision_of``)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(s.schema_version.c.version))).scalar_one())
