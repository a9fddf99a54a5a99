"""Fast set-based inserts: DuckDB reads a registered DataFrame, PostgreSQL takes COPY.

Row-by-row INSERTs are orders of magnitude slower on both (DESIGN §9), and every load of more than a
few hundred rows goes through here. Rows of an id-keyed fact written without their ``id_scope`` (the
demo builders, tests) get it from their region_code here, so no caller can forget it.
"""
from __future__ import annotations

import math
import uuid

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, insert

from lib.warehouse.schema import ID_SCOPE, id_scope_of


def id_scope_column(region_codes: pd.Series) -> pd.Series:
    """The id namespace (district) of every row, computed once per distinct region code."""
    codes, uniques = pd.factorize(region_codes, use_na_sentinel=True)
    scopes = np.array([id_scope_of(v) for v in uniques] + [None], dtype=object)
    return pd.Series(scopes[codes], index=region_codes.index, dtype=object)


def with_id_scope(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """``frame`` with the id_scope column ``table`` needs, when it lacks one."""
    if ID_SCOPE not in table.c or ID_SCOPE in frame.columns or "region_code" not in frame.columns:
        return frame
    return frame.assign(**{ID_SCOPE: id_scope_column(frame["region_code"])})


def bulk_insert(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named as the table's) inside the caller's transaction."""
    if frame.empty:
        return 0
    frame = with_id_scope(frame, table)
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
