"""Upgrading a warehouse written by an older release, in place, inside ``ensure_schema``.

``create_all`` only adds missing tables; a table whose key or columns changed needs a step here. Each
step runs in the caller's transaction, so a failed upgrade leaves the old warehouse as it was, and it
records the new version in ``schema_version``.

Version 2 (issue 12): org_unit, training_session and job_fair (and their history twins) gain
``id_scope`` — the district (first 6 digits of region_code) — and the id tables' primary key becomes
(id_scope, id); upload_batch gains ``region_prefix`` (NULL for old batches, judged by their rows).
PostgreSQL alters the tables (add, fill, re-key); DuckDB cannot change a primary key, so there each
table is rebuilt: its indexes dropped, a new table created and filled, the old one dropped, the new
one renamed and the indexes recreated.

Not versioned (issue 15): ``widen_floats`` turns 4-byte float columns into the declared ``Double``
wherever the stored type still differs, on every start.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Double, MetaData, Table, func, insert, select, text

from lib.warehouse import schema as s

ID_TABLES = ("org_unit", "training", "job_fair")


def upgrade(conn: Connection) -> int | None:
    """Bring the warehouse to ``schema.SCHEMA_VERSION``; returns the version found (None if new).

    A new warehouse (no schema_version row yet) is created at the current version by ``create_all``
    and needs nothing. On PostgreSQL the version table is locked first, so two processes starting
    on an old warehouse upgrade it once.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"LOCK TABLE {s.schema_version.name} IN SHARE ROW EXCLUSIVE MODE"))
    found = conn.execute(select(func.max(s.schema_version.c.version))).scalar_one()
    if found is not None and found < s.SCHEMA_VERSION:
        if found < 2:
            _v1_to_v2(conn)
        conn.execute(insert(s.schema_version).values(
            version=s.SCHEMA_VERSION, applied_at=dt.datetime.now().replace(microsecond=0)))
    widen_floats(conn)  # not versioned: compares the column types themselves, on every start
    return found


def _v1_to_v2(conn: Connection) -> None:
    for dataset in ID_TABLES:
        for table in (s.FACT_TABLES[dataset], s.HISTORY_TABLES[dataset]):
            if s.ID_SCOPE in _columns(conn, table.name):
                continue
            if conn.dialect.name == "postgresql":
                _add_id_scope_pg(conn, table)
            else:
                _rebuild(conn, table)
    if "region_prefix" not in _columns(conn, s.upload_batch.name):
        col = s.upload_batch.c.region_prefix
        conn.execute(text(f'ALTER TABLE {s.upload_batch.name} ADD COLUMN "{col.name}" '
                          f"{col.type.compile(conn.dialect)}"))


# 4-byte float types as information_schema names them (DuckDB: FLOAT; PostgreSQL: real).
_SINGLE = {"float", "real", "float4"}


def widen_floats(conn: Connection) -> list[str]:
    """Every column declared ``Double`` that the database holds as a 4-byte float becomes 8-byte.

    Until issue 15 the schema said ``Float``, which DuckDB stores as a 4-byte REAL: 12345.678 read
    back as 12345.677734375 (aid amounts, indicator values, targets). Idempotent and not tied to a
    schema version: it compares the declared and the stored type, so it also repairs a warehouse
    whose version is already current. Digits a REAL already lost cannot come back; new writes keep
    theirs. DuckDB refuses to alter a table that has indexes, so those are dropped and recreated.
    Returns the "table.column" names widened.
    """
    stored = {(t, c): d.lower() for t, c, d in conn.execute(text(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema()"))}
    widened: list[str] = []
    for table in s.metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, Double)
                and stored.get((table.name, c.name)) in _SINGLE]
        if not cols:
            continue
        duck = conn.dialect.name == "duckdb"
        if duck:
            _drop_indexes(conn, table.name)
        for col in cols:
            conn.execute(text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{col.name}" TYPE '
                              f"{col.type.compile(conn.dialect)}"))
            widened.append(f"{table.name}.{col.name}")
        if duck:
            _create_indexes(conn, table)
    return widened


def _drop_indexes(conn: Connection, table_name: str) -> None:
    """DuckDB: drop the table's indexes (not its key), which block ALTER TABLE and rebuilds."""
    for (index,) in conn.execute(text(
            "SELECT index_name FROM duckdb_indexes() "
            "WHERE schema_name = current_schema() AND table_name = :t"), {"t": table_name}).all():
        conn.execute(text(f'DROP INDEX "{index}"'))


def _create_indexes(conn: Connection, table: Table) -> None:
    """DuckDB: the table's declared indexes (PostgreSQL-only ones left out)."""
    pg_only = {i.name for i in s.PG_ONLY_INDEXES}
    for index in table.indexes:
        if index.name not in pg_only:
            index.create(conn)


def _columns(conn: Connection, table_name: str) -> list[str]:
    """The table's columns as the database has them (current schema: search_path on PostgreSQL)."""
    rows = conn.execute(text(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = :t ORDER BY ordinal_position"),
        {"t": table_name})
    return [r[0] for r in rows]


def _fill_expr() -> str:
    return f"substr(region_code, 1, {s.ID_SCOPE_LENGTH})"


def _add_id_scope_pg(conn: Connection, table: Table) -> None:
    """PostgreSQL: add and fill id_scope; for a fact table, make (id_scope, id) the primary key."""
    name = table.name
    length = s.ID_SCOPE_LENGTH
    conn.execute(text(f'ALTER TABLE "{name}" ADD COLUMN "{s.ID_SCOPE}" VARCHAR({length})'))
    conn.execute(text(f'UPDATE "{name}" SET "{s.ID_SCOPE}" = {_fill_expr()}'))
    conn.execute(text(f'ALTER TABLE "{name}" ALTER COLUMN "{s.ID_SCOPE}" SET NOT NULL'))
    key = [c.name for c in table.primary_key.columns]
    if not key:  # a history table has no primary key
        return
    pk = conn.execute(text(
        "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype = 'p'"),
        {"t": f'"{name}"'}).scalar_one_or_none()
    if pk is not None:
        conn.execute(text(f'ALTER TABLE "{name}" DROP CONSTRAINT "{pk}"'))
    cols = ", ".join(f'"{c}"' for c in key)
    conn.execute(text(f'ALTER TABLE "{name}" ADD PRIMARY KEY ({cols})'))


def _rebuild(conn: Connection, table: Table) -> None:
    """DuckDB: the table rebuilt under its current definition, rows copied, id_scope filled."""
    name = table.name
    old_cols = _columns(conn, name)
    _drop_indexes(conn, name)
    tmp = table.to_metadata(MetaData(), name=f"{name}__v2")
    tmp.indexes.clear()  # created under their own names once the table has its final name
    tmp.create(conn)
    copied = [c.name for c in table.columns if c.name in old_cols]
    cols = ", ".join(f'"{c}"' for c in copied)
    conn.execute(text(f'INSERT INTO "{tmp.name}" ({cols}, "{s.ID_SCOPE}") '
                      f'SELECT {cols}, {_fill_expr()} FROM "{name}"'))
    conn.execute(text(f'DROP TABLE "{name}"'))
    conn.execute(text(f'ALTER TABLE "{tmp.name}" RENAME TO "{name}"'))
    _create_indexes(conn, table)
