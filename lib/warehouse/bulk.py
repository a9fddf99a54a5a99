"""Fast set-based inserts: DuckDB reads a registered DataFrame, PostgreSQL takes COPY.

Row-by-row INSERTs are orders of magnitude slower on both (DESIGN §9), and every load of more than a
few hundred rows goes through here.
"""
from __future__ import annotations

import math
import uuid

import pandas as pd
from sqlalchemy import Connection, Table, insert


def bulk_insert(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named as the table's) inside the caller's transaction."""
    if frame.empty:
        return 0
    cols = [c.name for c in table.columns if c.name in frame.columns]
    frame = frame[cols]
    dialect = conn.dialect.name
    if dialect == "duckdb":
        name = f"_bulk_{uuid.uuid4().hex}"
        raw = conn.connection.driver_connection
        raw.register(name, frame)
        try:
            col_list = ", ".join(f'"{c}"' for c in cols)
            raw.execute(f'INSERT INTO "{table.name}" ({col_list}) SELECT {col_list} FROM "{name}"')
        finally:
            raw.unregister(name)
        return len(frame)
    if dialect == "postgresql":
        raw = conn.connection.driver_connection
        col_list = ", ".join(f'"{c}"' for c in cols)
        with raw.cursor() as cur:
            with cur.copy(f'COPY "{table.name}" ({col_list}) FROM STDIN') as copy:
                for row in frame.itertuples(index=False, name=None):
                    copy.write_row([_plain(v) for v in row])
        return len(frame)
    conn.execute(insert(table), [{k: _plain(v) for k, v in r.items()}
                                 for r in frame.to_dict("records")])
    return len(frame)


def _plain(value):
    """Driver-friendly scalars: NaN/NaT become NULL, numpy scalars become Python ones."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value
