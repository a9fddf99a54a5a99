"""Fetched rows become a frame chunk by chunk with repeated values shared (lib/warehouse/loading.py):
a re-upload holds every stored row, so this is what keeps a million-row merge under 1.5 GB."""
import datetime as dt

import pandas as pd

from lib.warehouse.loading import _rows_frame, _shared_values

NAMES = ["id", "region_code", "held_on", "participants", "note"]


def _rows(n: int) -> list[tuple]:
    # fresh objects per cell, as a driver makes them (str(...) / date(...) each time)
    return [(f"ID-{i:06d}", str(350102001000 + i % 3), dt.date(2025, 1 + i % 2, 1), int(str(i % 4)),
             None if i % 5 == 0 else f"备注{i % 2}") for i in range(n)]


def test_values_and_nulls_are_kept_across_chunks():
    rows = _rows(23)
    got = _rows_frame(iter(rows), NAMES, chunk=5)   # five chunks, the last one short
    want = pd.DataFrame(rows, columns=NAMES, dtype=object)
    assert list(got.columns) == NAMES and len(got) == 23
    assert (got.dtypes == "object").all()
    assert got.index.tolist() == list(range(23))
    for name in NAMES:
        assert got[name].tolist() == want[name].tolist(), name
    assert got["note"].isna().sum() == 5 and got["note"][0] is None


def test_repeated_values_are_one_object_and_distinct_ones_are_left_alone():
    frame = _shared_values(pd.DataFrame(_rows(40), columns=NAMES, dtype=object))
    region = frame["region_code"]
    assert region[0] is region[3] is region[39 - 39 % 3]     # the same code: one object
    assert frame["held_on"][0] is frame["held_on"][2]
    assert frame["id"][0] == "ID-000000" and frame["id"].is_unique  # ids: mostly distinct


def test_no_rows_gives_the_columns():
    got = _rows_frame(iter([]), NAMES)
    assert list(got.columns) == NAMES and got.empty
