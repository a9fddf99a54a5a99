"""The schema steps revisions 0002 and 0003 run, written before Alembic.

Each step runs in the caller's transaction and reads the database's own catalog
(information_schema, ``current_schema()``), so it also works on a PostgreSQL schema bound through
search_path. Table declarations come from the frozen ``schema_v2``: a step does today what it did
when it was written, whatever schema.py says later.

Schema 2: org_unit, training_session and job_fair (and their history twins) gain
``id_scope`` — the district (first 6 digits of region_code) — and the id tables' primary key becomes
(id_scope, id); upload_batch gains ``region_prefix`` (NULL for old batches, judged by their rows).
PostgreSQL alters the tables (add, fill, re-key); DuckDB cannot change a primary key, so there each
table is rebuilt: its indexes dropped, a new table created and filled, the old one dropped, the new
one renamed and the indexes recreated.

Doubles: until then the schema said ``Float``, which DuckDB stores as a 4-byte REAL
(12345.678 read back as 12345.677734375); ``widen_floats`` makes those columns 8-byte.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Double, MetaData, Table, func, insert, select, text

from lib.warehouse.migrations import schema_v2 as v2

ID_TABLES = ("org_unit", "training", "job_fair")


def v1_to_v2(conn: Connection) -> None:
    """Re-key the id tables by (id_scope, id), add upload_batch.region_prefix, record version 2.

    Idempotent: a table that already has id_scope is left alone.
    """
    for dataset in ID_TABLES:
        for table in (v2.FACT_TABLES[dataset], v2.HISTORY_TABLES[dataset]):
            if v2.ID_SCOPE in columns(conn, table.name):
                continue
            if conn.dialect.name == "postgresql":
                _add_id_scope_pg(conn, table)
            else:
                _rebuild(conn, table)
    if "region_prefix" not in columns(conn, v2.upload_batch.name):
        col = v2.upload_batch.c.region_prefix
        conn.execute(text(f'ALTER TABLE {v2.upload_batch.name} ADD COLUMN "{col.name}" '
                          f"{col.type.compile(conn.dialect)}"))
    # the pre-Alembic record, kept so a warehouse's schema_version still says what it holds
    found = conn.execute(select(func.max(v2.schema_version.c.version))).scalar_one()
    if found is None or found < 2:
        conn.execute(insert(v2.schema_version).values(
            version=2, applied_at=dt.datetime.now().replace(microsecond=0)))


# 4-byte float types as information_schema names them (DuckDB: FLOAT; PostgreSQL: real).
_SINGLE = {"float", "real", "float4"}


def widen_floats(conn: Connection, metadata: MetaData = v2.metadata) -> list[str]:
    """Every column declared ``Double`` that the database holds as a 4-byte float becomes 8-byte.

    Compares the declared and the stored type, so it is idempotent. Digits a REAL already lost
    cannot come back; new writes keep theirs. DuckDB refuses to alter a table that has indexes, so
    those are dropped and recreated. Returns the "table.column" names widened.
    """
    stored = {(t, c): d.lower() for t, c, d in conn.execute(text(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema()"))}
    widened: list[str] = []
    for table in metadata.sorted_tables:
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


def create_missing(conn: Connection, metadata: MetaData = v2.metadata) -> list[str]:
    """Create the tables (with their indexes) of ``metadata`` that the warehouse lacks: what
    ``create_all`` on every start added to older warehouses before Alembic. Returns their names."""
    have = set(table_names(conn))
    missing = [t for t in metadata.sorted_tables if t.name not in have]
    if missing:
        metadata.create_all(conn, tables=missing, checkfirst=False)
    return [t.name for t in missing]


def create_pg_only_indexes(conn: Connection) -> None:
    """PostgreSQL: the date indexes of schema 2 where a warehouse predates them (f630ac0)."""
    if conn.dialect.name == "postgresql":
        for index in v2.PG_ONLY_INDEXES:
            index.create(conn, checkfirst=True)


def table_names(conn: Connection) -> list[str]:
    """The tables (and views) of the current schema."""
    return [r[0] for r in conn.execute(text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"))]


def _drop_indexes(conn: Connection, table_name: str) -> None:
    """DuckDB: drop the table's indexes (not its key), which block ALTER TABLE and rebuilds."""
    for (index,) in conn.execute(text(
            "SELECT index_name FROM duckdb_indexes() "
            "WHERE schema_name = current_schema() AND table_name = :t"), {"t": table_name}).all():
        conn.execute(text(f'DROP INDEX "{index}"'))


def _create_indexes(conn: Connection, table: Table) -> None:
    """DuckDB: the table's declared indexes (PostgreSQL-only ones left out)."""
    pg_only = {i.name for i in v2.PG_ONLY_INDEXES}
    for index in table.indexes:
        if index.name not in pg_only:
            index.create(conn)


def columns(conn: Connection, table_name: str) -> list[str]:
    """The table's columns as the database has them (current schema: search_path on PostgreSQL)."""
    rows = conn.execute(text(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = :t ORDER BY ordinal_position"),
        {"t": table_name})
    return [r[0] for r in rows]


def _fill_expr() -> str:
    return f"substr(region_code, 1, {v2.ID_SCOPE_LENGTH})"


def _add_id_scope_pg(conn: Connection, table: Table) -> None:
    """PostgreSQL: add and fill id_scope; for a fact table, make (id_scope, id) the primary key."""
    name = table.name
    length = v2.ID_SCOPE_LENGTH
    conn.execute(text(f'ALTER TABLE "{name}" ADD COLUMN "{v2.ID_SCOPE}" VARCHAR({length})'))
    conn.execute(text(f'UPDATE "{name}" SET "{v2.ID_SCOPE}" = {_fill_expr()}'))
    conn.execute(text(f'ALTER TABLE "{name}" ALTER COLUMN "{v2.ID_SCOPE}" SET NOT NULL'))
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
    """DuckDB: the table rebuilt under its schema-2 definition, rows copied, id_scope filled."""
    name = table.name
    old_cols = columns(conn, name)
    _drop_indexes(conn, name)
    tmp = table.to_metadata(MetaData(), name=f"{name}__v2")
    tmp.indexes.clear()  # created under their own names once the table has its final name
    tmp.create(conn)
    copied = [c.name for c in table.columns if c.name in old_cols]
    cols = ", ".join(f'"{c}"' for c in copied)
    conn.execute(text(f'INSERT INTO "{tmp.name}" ({cols}, "{v2.ID_SCOPE}") '
                      f'SELECT {cols}, {_fill_expr()} FROM "{name}"'))
    conn.execute(text(f'DROP TABLE "{name}"'))
    conn.execute(text(f'ALTER TABLE "{tmp.name}" RENAME TO "{name}"'))
    _create_indexes(conn, table)
