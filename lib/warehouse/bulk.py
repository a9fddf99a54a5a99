"""Fast set-based inserts: DuckDB reads a registered DataFrame, PostgreSQL takes COPY (CSV by Arrow).

Row-by-row INSERTs are orders of magnitude slower on both, and every load of more than a
few hundred rows goes through here. On PostgreSQL the frame becomes one Arrow table typed by the
target table's columns, and pyarrow's C++ CSV writer turns each record batch into the bytes of
``COPY … FROM STDIN (FORMAT csv)``: no Python call per value (a million rows: seconds, not minutes).
Rows of an id-keyed fact written without their ``id_scope`` (the demo builders, tests) get it from
their region_code here, so no caller can forget it.
"""
from __future__ import annotations

import math
import uuid

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import (Boolean, Connection, Date, DateTime, Float, Integer, Numeric, String,
                        Table, insert)

from lib.warehouse.schema import ID_SCOPE, id_scope_of

COPY_BATCH_ROWS = 65_536  # rows per CSV chunk written into the COPY (a few MB of text)


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
        arrow = arrow_for_copy(table, frame)
        if arrow is not None:
            arrow = key_ordered(table, arrow)
        with raw.cursor() as cur:
            if arrow is None:  # values Arrow cannot type (mixed objects): the slow, sure path
                with cur.copy(f'COPY "{table.name}" ({col_list}) FROM STDIN') as copy:
                    for row in frame.itertuples(index=False, name=None):
                        copy.write_row([_plain(v) for v in row])
                return len(frame)
            with cur.copy(f'COPY "{table.name}" ({col_list}) FROM STDIN (FORMAT csv)') as copy:
                for chunk in csv_chunks(arrow):
                    copy.write(chunk)
        return len(frame)
    conn.execute(insert(table), [{k: _plain(v) for k, v in r.items()}
                                 for r in frame.to_dict("records")])
    return len(frame)


def _arrow_type(column) -> pa.DataType | None:
    """The Arrow type whose CSV text PostgreSQL reads back as ``column``'s value (None: keep the
    type Arrow inferred)."""
    t = column.type
    if isinstance(t, Boolean):
        return pa.bool_()
    if isinstance(t, Integer):
        return pa.int64()
    if isinstance(t, (Float, Numeric)):  # Double is a Float; shortest round-trip text either way
        return pa.float64()
    if isinstance(t, DateTime):
        return pa.timestamp("us")
    if isinstance(t, Date):
        return pa.date32()
    if isinstance(t, String):  # Text is a String
        return pa.string()
    return None


def arrow_for_copy(table: Table, frame: pd.DataFrame) -> pa.Table | None:
    """``frame`` as an Arrow table typed by ``table``'s columns, or None when a value does not fit
    (the caller then writes row by row). NaN, NaT, None and pd.NA all become Arrow nulls, which the
    CSV writer leaves unquoted and empty: NULL to COPY, while an empty string is written ``""``.
    A text column holding other objects (ints among strings) is written as their ``str``."""
    arrays = []
    for name in frame.columns:
        want = _arrow_type(table.c[name])
        try:
            arr = _arrow_column(frame[name], want)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return None
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=list(frame.columns))


def _arrow_column(col: pd.Series, want: pa.DataType | None) -> pa.Array | pa.ChunkedArray:
    try:
        arr = pa.array(col, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        if want != pa.string():
            raise
        arr = pa.array([None if v is None or v is pd.NA or v is pd.NaT
                        or (isinstance(v, float) and math.isnan(v)) else str(v) for v in col],
                       type=pa.string())
    have = arr.type
    if want is None or have == want:
        return arr
    if pa.types.is_timestamp(have) and have.tz is not None and want == pa.timestamp("us"):
        want = pa.timestamp("us", tz=have.tz)  # written with its offset; PG converts it
    return arr.cast(want)


SORT_FROM_ROWS = 10_000


def key_ordered(table: Table, arrow: pa.Table) -> pa.Table:
    """Large frames sorted by the table's primary key (Arrow's C++ sort, byte order).

    PostgreSQL maintains every btree index row by row during COPY; rows in random key order
    touch a random leaf page each, rows in key order append to the rightmost one. A shuffled
    million-row training upload: ~52 s unsorted, ~30 s sorted (4.5–8 s of it the COPY itself).
    The rows are a set, so their order is not part of what is stored."""
    key = [c.name for c in table.primary_key.columns]
    if arrow.num_rows < SORT_FROM_ROWS or not key or not set(key) <= set(arrow.column_names):
        return arrow
    return arrow.sort_by([(c, "ascending") for c in key])


def csv_chunks(arrow: pa.Table, rows: int = COPY_BATCH_ROWS):
    """The CSV bytes (no header) of ``arrow``, one buffer per ``rows`` rows, for COPY's FORMAT csv:
    strings always quoted (so a lone ``\\.`` or an empty string is data, not a marker or NULL),
    nulls empty, booleans true/false, ISO dates and timestamps."""
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    for batch in arrow.to_batches(max_chunksize=rows):
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(batch, sink, write_options=options)
        yield memoryview(sink.getvalue())


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
