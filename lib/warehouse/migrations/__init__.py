"""Warehouse migrations with Alembic, run in-process: no alembic.ini, no env.py.

``ensure(conn)`` runs on every start (``engine.ensure_schema``, in one transaction) and behind
``python -m lib.warehouse.migrate``:

* a new warehouse (no ``alembic_version``, no ``schema_version`` row) is created from
  lib/warehouse/schema.py by ``create_all`` and stamped at head;
* a warehouse written before Alembic (a ``schema_version`` row, no ``alembic_version``) is stamped at
  the revision of its schema version (``LEGACY``), then upgraded;
* any other is upgraded from the revision in its ``alembic_version`` to head; at head nothing is
  written.

On PostgreSQL a transaction-scoped advisory lock, keyed by the schema, comes first: two processes
starting on the same warehouse create or upgrade it once, the second waits and finds it at head.
``alembic_version`` lives in the connection's current schema (the search_path HALFSKY_DB_SCHEMA
sets), next to the tables it describes. Every step runs in the caller's transaction, so a failed
upgrade leaves the warehouse as it was (DuckDB and PostgreSQL both have transactional DDL).

Adding a revision (e.g. 0004, the rollup tables):

1. Declare the change in schema.py, so that new warehouses get it from ``create_all``.
2. Add ``versions/0004_<what>.py`` with ``revision = "0004"``, ``down_revision = "0003"`` (the
   current head: ``python -m lib.warehouse.migrate history``) and ``upgrade()`` doing the change on
   an existing warehouse through ``conn = op.get_bind()``: SQLAlchemy Core that runs on DuckDB and
   PostgreSQL, e.g. ``for t in ROLLUP_TABLES: t.create(conn, checkfirst=True)`` then
   ``rebuild(conn)``. Use ``checkfirst``: releases between a table's declaration and its revision
   created it through the net below. A revision that changes a table later must not rely on
   schema.py's declaration staying as it is: copy what it needs (or a frozen module, as
   ``schema_v2`` is for 0002/0003). ``downgrade()`` raises: warehouses are restored, never
   downgraded.
3. Nothing else: the revision is found by file, and ``tests/test_migrations.py`` checks that an
   empty database upgraded revision by revision ends with exactly the tables, columns, keys and
   indexes ``create_all`` makes, and that the warehouses of older releases upgrade with their rows.

A table declared in schema.py that no revision has created yet is still created on start
(``create_missing``, logged as a warning) so that an existing warehouse never lacks it; the test
above fails until the revision exists.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
from pathlib import Path

from alembic.ddl.impl import DefaultImpl
from alembic.runtime.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, func, insert, select, text

from lib.warehouse import migrate_auth
from lib.warehouse import schema as s
from lib.warehouse.migrations import steps

HERE = Path(__file__).resolve().parent
LOG = logging.getLogger(__name__)

# schema_version (the record before Alembic) → the revision that describes that schema
LEGACY = {1: "0001", 2: "0002"}

_LOCK_KEY = 0x68616C66  # 'half': pg_advisory_xact_lock(key, hashtext(schema))


class _DuckDBImpl(DefaultImpl):
    """Alembic's DDL implementation for DuckDB (registered by its ``__dialect__``)."""

    __dialect__ = "duckdb"
    transactional_ddl = True


class UnknownRevision(RuntimeError):
    """The warehouse is at a revision this release does not have (written by a newer release)."""


@functools.cache
def scripts() -> ScriptDirectory:
    """The revisions under versions/, read once per process."""
    return ScriptDirectory(str(HERE), version_locations=[str(HERE / "versions")])


def head() -> str:
    found = scripts().get_current_head()
    assert found is not None
    return found


def history() -> list[tuple[str, str | None, str]]:
    """(revision, down revision, first line of its docstring), base first."""
    out = [(sc.revision, sc.down_revision, (sc.doc or "").strip().splitlines()[0])  # type: ignore
           for sc in scripts().walk_revisions()]
    return out[::-1]


def run_sql_file(conn: Connection, name: str) -> None:
    """Run sql/<name>.<dialect>.sql, one statement per ``;`` at a line end (frozen DDL)."""
    path = HERE / "sql" / f"{name}.{conn.dialect.name}.sql"
    body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith("--"))
    for statement in body.split(";\n"):
        if statement.strip():
            conn.exec_driver_sql(statement.strip())


def _context(conn: Connection, fn=None) -> MigrationContext:
    opts: dict = {}
    if conn.dialect.name == "postgresql":  # next to the tables, whatever else search_path lists
        opts["version_table_schema"] = conn.execute(text("SELECT current_schema()")).scalar_one()
    if fn is not None:
        opts["fn"] = fn
    return MigrationContext.configure(connection=conn, opts=opts)


def current(conn: Connection) -> str | None:
    """The revision in the warehouse's alembic_version (None: new, or written before Alembic)."""
    return _context(conn).get_current_revision()


def legacy_version(conn: Connection) -> int | None:
    """The highest schema_version row of a warehouse (None when there is no such table or row)."""
    if "schema_version" not in steps.table_names(conn):
        return None
    return conn.execute(select(func.max(s.schema_version.c.version))).scalar_one()


def stamp(conn: Connection, revision: str) -> None:
    """Record ``revision`` as the warehouse's own without running anything."""
    _context(conn).stamp(scripts(), revision)


def upgrade(conn: Connection, target: str = "head") -> list[str]:
    """Run the revisions from the warehouse's to ``target``; returns those run, in order."""
    found = current(conn)
    if found is not None:
        try:
            scripts().get_revision(found)
        except CommandError as exc:
            raise UnknownRevision(
                f"数据仓库的结构版本 {found} 比本程序新，请升级程序。 The warehouse is at revision "
                f"{found}, which this release does not know: it was written by a newer release."
            ) from exc
    ran: list[str] = []

    def plan(rev, _context):
        todo = scripts()._upgrade_revs(target, rev)
        ran.extend(step.revision.revision for step in todo)
        return todo

    ctx = _context(conn, plan)
    with Operations.context(ctx):
        ctx.run_migrations()
    return ran


def lock(conn: Connection) -> None:
    """PostgreSQL: wait for any other process creating or upgrading this schema (until commit)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(coalesce(current_schema(), "
                          "'')))"), {"k": _LOCK_KEY})


def ensure(conn: Connection) -> list[str]:
    """Bring the warehouse to head in the caller's transaction (see the module docstring).

    Returns what was done: ``["create"]``, ``["stamp 0002", "0003", …]``, or ``[]`` at head.
    """
    lock(conn)
    done: list[str] = []
    if current(conn) is None:
        legacy = legacy_version(conn)
        if legacy is None:
            _create(conn)
            stamp(conn, "head")
            return ["create"]
        if legacy not in LEGACY:
            raise UnknownRevision(f"schema_version {legacy} has no Alembic revision")
        stamp(conn, LEGACY[legacy])
        done.append(f"stamp {LEGACY[legacy]}")
    done += upgrade(conn)
    created = steps.create_missing(conn, s.metadata)
    if created:
        LOG.warning("tables declared in schema.py without a revision, created from it: %s "
                    "(add a revision: lib/warehouse/migrations)", ", ".join(created))
        done.append("create " + ", ".join(created))
    return done


def _create(conn: Connection) -> None:
    """A new warehouse: every table of schema.py, the audit sequence, schema_version's last row."""
    s.metadata.create_all(conn)
    migrate_auth.migrate(conn)
    if conn.execute(select(func.count()).select_from(s.schema_version)).scalar_one() == 0:
        conn.execute(insert(s.schema_version).values(
            version=s.SCHEMA_VERSION, applied_at=dt.datetime.now().replace(microsecond=0)))
