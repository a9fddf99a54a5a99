"""bulk_insert round-trips awkward values on DuckDB and PostgreSQL (on PostgreSQL through COPY in CSV
written by Arrow): NULL vs empty string, text with commas, quotes, newlines, backslashes
and Chinese, floats that need all 17 digits, dates, timestamps with microseconds, booleans."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from sqlalchemy import (Boolean, Column, Date, DateTime, Double, Integer, MetaData, String, Table,
                        Text, select)

from lib.warehouse import bulk
from lib.warehouse import schema as s

TEXTS = ['a,b', 'say "hi"', "line1\nline2", "crlf\r\nend", "中文，全角逗号、引号“”", "back\\slash",
         "\\.", "", None, " padded ", "tab\there", "'single'", "NULL", "\\N", "x" * 3000]
FLOATS = [0.1, 1 / 3, 1e-300, 123456789.12345679, -2.5, float("nan"), 0.0, 1e300, 7.0,
          2.0 ** 53, -1e-7, 3.14159, float("nan"), 42.0, 0.30000000000000004]
N = len(TEXTS)


def _table(md: MetaData) -> Table:
    return Table("bulk_probe", md, Column("id", Integer, primary_key=True, autoincrement=False),
                 Column("txt", Text),
                 Column("code", String(12)), Column("amount", Double), Column("n", Integer),
                 Column("flag", Boolean), Column("day", Date), Column("at", DateTime, quote=True))


def _frame() -> pd.DataFrame:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=37 * i) for i in range(N)]
    days[3] = None
    stamps = pd.Series(pd.to_datetime([dt.datetime(2024, 2, 29, 23, 59, 59, 123456)
                                       + dt.timedelta(hours=7 * i) for i in range(N)]))
    stamps[5] = pd.NaT
    ns = pd.Series([float(i * 1_000_003) for i in range(N)])  # float64 with NaN, as pandas makes it
    ns[2] = np.nan
    flags = pd.Series([i % 2 == 0 for i in range(N)], dtype=object)
    flags[4] = None
    return pd.DataFrame({"id": range(N), "txt": TEXTS,
                         "code": [f"35010{i:07d}" for i in range(N)], "amount": FLOATS,
                         "n": ns, "flag": flags, "day": days, "at": stamps})


def _same(got, want) -> bool:
    if want is None or (isinstance(want, float) and math.isnan(want)) or want is pd.NaT:
        return got is None
    if isinstance(want, pd.Timestamp):
        want = want.to_pydatetime()
    if isinstance(want, float):
        return isinstance(got, float) and got == want
    return got == want


def _round_trip(engine, frame: pd.DataFrame) -> list[tuple]:
    md = MetaData()
    table = _table(md)
    md.create_all(engine)
    try:
        with engine.begin() as conn:
            assert bulk.bulk_insert(conn, table, frame) == len(frame)
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(table).order_by(table.c.id))]
    finally:
        md.drop_all(engine)


def test_tricky_values_round_trip(engine):
    frame = _frame()
    rows = _round_trip(engine, frame)
    assert len(rows) == N
    cols = list(frame.columns)
    bad = []
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            want = frame[col].iloc[i]
            if col == "n" and not (isinstance(want, float) and math.isnan(want)):
                want = int(want)
            if not _same(row[j], want):
                bad.append((i, col, row[j], want))
    assert not bad, bad
    # NULL and the empty string stay apart
    assert rows[TEXTS.index("")][1] == "" and rows[TEXTS.index(None)][1] is None


def test_mixed_objects_still_load(engine):
    """A text column mixing ints and strings is written as text; a date column holding a string
    among dates cannot be typed by Arrow and takes the row-by-row path."""
    frame = _frame().iloc[:3].copy()
    frame["n"] = [1, 2, 3]
    frame["txt"] = pd.Series([1, "two", None], dtype=object)
    assert bulk.arrow_for_copy(_table(MetaData()), frame) is not None
    assert [r[1] for r in _round_trip(engine, frame)] == ["1", "two", None]
    frame["day"] = pd.Series([dt.date(2024, 1, 1), "2024-01-02", None], dtype=object)
    assert bulk.arrow_for_copy(_table(MetaData()), frame) is None
    if engine.dialect.name == "postgresql":  # DuckDB's path never goes through Arrow typing here
        assert [r[6] for r in _round_trip(engine, frame)] == [dt.date(2024, 1, 1),
                                                              dt.date(2024, 1, 2), None]


def test_csv_chunks_quote_strings_and_leave_nulls_bare():
    table = _table(MetaData())
    frame = _frame()
    arrow = bulk.arrow_for_copy(table, frame)
    assert arrow is not None
    assert [f.type for f in arrow.schema] == [bulk._arrow_type(c) for c in table.columns]
    chunks = [bytes(c) for c in bulk.csv_chunks(arrow, rows=4)]
    assert len(chunks) == math.ceil(N / 4)
    text = b"".join(chunks).decode()
    assert '"\\."' in text and '""' in text  # the end marker and the empty string are quoted data
    assert '\n8,,"350100000008",' in text  # NULL text: nothing between the commas, unquoted


def test_fact_rows_get_their_id_scope_on_copy(engine):
    """The real path: training rows without id_scope, written by COPY, read back with it."""
    n = 500
    frame = pd.DataFrame({
        "session_id": [f"BULK-{i:05d}" for i in range(n)],
        "region_code": ["350102001000"] * n, "held_on": [dt.date(2025, 3, 1)] * n,
        "topic": ["家庭教育, \"专题\""] * n, "audience": ["妇女群众"] * n, "mode": ["线下"] * n,
        "participants": np.arange(n), "hours": [2.5] * n, "batch_id": 1})
    frame = frame[[c for c in frame.columns if c in s.FACT_TABLES["training"].c]]
    table = s.FACT_TABLES["training"]
    with engine.begin() as conn:
        assert bulk.bulk_insert(conn, table, frame) == n
    with engine.connect() as conn:
        got = conn.execute(select(table.c[s.ID_SCOPE], table.c.topic, table.c.participants)
                           .order_by(table.c.session_id)).all()
    assert len(got) == n
    assert {r[0] for r in got} == {s.id_scope_of("350102001000")}
    assert got[7][1] == "家庭教育, \"专题\"" and got[7][2] == 7


def test_large_frames_go_in_key_order():
    """Over SORT_FROM_ROWS rows the COPY is in primary-key order (faster index upkeep); below it
    and without a key the order is left alone."""
    import pyarrow as pa

    table = _table(MetaData())
    n = bulk.SORT_FROM_ROWS + 5
    ids = np.random.default_rng(0).permutation(n)
    big = pa.table({"id": ids, "txt": [str(i) for i in ids]})
    assert bulk.key_ordered(table, big)["id"].to_pylist() == list(range(n))
    small = big.slice(0, 100)
    assert bulk.key_ordered(table, small)["id"].to_pylist() == ids[:100].tolist()
