"""``python -m lib.warehouse.migrate [--db URL] [upgrade|current|history]``: the warehouse's schema.

``upgrade`` (the default) does what every start of the app does (``engine.ensure_schema``): a new
warehouse is created at head, an older one upgraded, one at head left alone. ``current`` reads the
warehouse's revision without changing anything; ``history`` lists the revisions (no warehouse
needed). The warehouse is found as by every other command: --db, else HALFSKY_DB_URL, else
.streamlit/secrets.toml, else data/; the PostgreSQL schema from HALFSKY_DB_SCHEMA. The migrations
themselves, and how to add one, are in lib/warehouse/migrations.
"""
from __future__ import annotations

import sys
from pathlib import Path

from lib import cli
from lib.warehouse import migrations
from lib.warehouse.engine import ensure_schema, open_engine, resolve_schema, resolve_url


def _schema_for(url: str) -> str | None:
    return None if url.startswith("duckdb") else resolve_schema()


def _where(url: str, schema: str | None) -> str:
    from sqlalchemy.engine import make_url

    shown = make_url(url).render_as_string(hide_password=True)
    return shown + (f" (schema {schema})" if schema else "")


def _current(url: str, schema: str | None) -> str:
    if url.startswith("duckdb"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path != ":memory:" and not Path(path).exists():  # connecting would create the file
            return f"none: no warehouse yet; upgrade creates it at {migrations.head()}"
    engine = open_engine(url, pg_schema=schema)
    try:
        with engine.connect() as conn:
            found = migrations.current(conn)
            legacy = None if found else migrations.legacy_version(conn)
    finally:
        engine.dispose()
    head = migrations.head()
    if found == head:
        return f"{found} (head)"
    if found:
        return f"{found} (head is {head}: run `python -m lib.warehouse.migrate upgrade`)"
    if legacy is not None:
        return (f"none: written before Alembic, schema_version {legacy}; upgrade stamps it "
                f"{migrations.LEGACY.get(legacy, '?')} and runs the revisions to {head}")
    return f"none: no warehouse yet; upgrade creates it at {head}"


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("lib.warehouse.migrate",
                        "Create or upgrade the warehouse schema (Alembic), as every start of the app "
                        "does, or show its revision.")
    cli.add_db(parser)
    parser.add_argument("command", nargs="?", default="upgrade",
                        choices=["upgrade", "current", "history"],
                        help="upgrade to head (default), show the current revision, list revisions")
    args = parser.parse_args(argv)
    if args.command == "history":
        head = migrations.head()
        for rev, down, doc in migrations.history():
            mark = " (head)" if rev == head else ""
            print(f"{down or 'base'} -> {rev}{mark}  {doc}")
        return 0
    url = resolve_url(args.db)
    schema = _schema_for(url)
    try:
        if args.command == "current":
            print(f"{_where(url, schema)}: {_current(url, schema)}")
            return 0
        engine = open_engine(url, pg_schema=schema)
        try:
            done = ensure_schema(engine)
        finally:
            engine.dispose()
    except migrations.UnknownRevision as exc:
        return cli.refuse(str(exc))
    what = "; ".join(done) if done else "nothing to do"
    print(f"{_where(url, schema)}: at {migrations.head()} (head); {what}")
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
