"""lib.ingest.normalise: parametrized tables of awkward cells, and hypothesis for round trips."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from lib.ingest import normalise as n

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("cell,expected", [
    ("2024-03-05", dt.date(2024, 3, 5)),
    ("2024/3/5", dt.date(2024, 3, 5)),
    ("2024年3月5日", dt.date(2024, 3, 5)),
    ("２０２４年３月５日", dt.date(2024, 3, 5)),
    ("2024.03", dt.date(2024, 3, 1)),
    ("2024年3月", dt.date(2024, 3, 1)),
    ("20240305", dt.date(2024, 3, 5)),
    ("45356", dt.date(2024, 3, 5)),
    (45356, dt.date(2024, 3, 5)),
    (2024.03, dt.date(2024, 3, 1)),
    (dt.datetime(2024, 3, 5, 0, 0), dt.date(2024, 3, 5)),
    ("2024-03-05 00:00:00", dt.date(2024, 3, 5)),
    ("", None),
    (None, None),
])
def test_parse_date(cell, expected):
    assert n.parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["2024-13-01", "2024-02-30", "next week", "3/5", "12.5.2024"])
def test_parse_date_refuses(cell):
    with pytest.raises(ValueError):
        n.parse_date(cell)


@pytest.mark.parametrize("cell,expected", [
    ("1,234", 1234.0), ("１，２３４", 1234.0), ("85%", 85.0), ("85.0％", 85.0), ("-3", -3.0),
    (" 12 ", 12.0), ("—", None), ("", None), (7, 7.0), ("1e3", 1000.0),
])
def test_parse_number(cell, expected):
    assert n.parse_number(cell) == expected


@pytest.mark.parametrize("cell", ["abc", "12a", "1.2.3", "inf", True])
def test_parse_number_refuses(cell):
    with pytest.raises(ValueError):
        n.parse_number(cell)


@pytest.mark.parametrize("cell,expected", [("12", 12), ("12.0", 12), ("１２", 12), ("1,200", 1200)])
def test_parse_count(cell, expected):
    assert n.parse_count(cell) == expected


def test_parse_count_refuses_fractions():
    with pytest.raises(ValueError):
        n.parse_count("12.5")


@pytest.mark.parametrize("cell,expected", [("2024", 2024), ("2024年", 2024), ("２０２４年度", 2024),
                                           (2024.0, 2024)])
def test_parse_year(cell, expected):
    assert n.parse_year(cell) == expected


@pytest.mark.parametrize("cell,expected", [("线上", "online"), ("online", "online"),
                                           (" 线 下 ", "onsite"), ("ONSITE", "onsite")])
def test_parse_enum(cell, expected):
    assert n.parse_enum(cell, n.enum_lookup({"线上": "online", "线下": "onsite"})) == expected


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(1950, 1, 1), dt.date(2099, 12, 31)),
       st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}{m:02d}{d:02d}"]),
       st.booleans())
def test_dates_round_trip(day, fmt, fullwidth):
    text = fmt.format(y=day.year, m=day.month, d=day.day)
    if fullwidth:
        text = text.translate(FULLWIDTH)
    assert n.parse_date(text) == day


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9), st.booleans(), st.booleans())
def test_counts_round_trip(value, commas, fullwidth):
    text = f"{value:,}" if commas else str(value)
    if fullwidth:
        text = text.translate(FULLWIDTH).replace(",", "，")
    assert n.parse_count(text) == value


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none(),
                 st.datetimes(dt.datetime(1900, 1, 1))))
def test_normalisers_raise_only_value_error(cell):
    for parse in (n.parse_date, n.parse_month, n.parse_year, n.parse_count, n.parse_number):
        try:
            parse(cell)
        except ValueError:
            pass


def test_normalise_column_marks_unreadable_cells():
    col = pd.Series(["1", "x", None, "1,000"], index=[3, 4, 5, 6])
    typed, bad = n.normalise_column(col, "count")
    assert list(bad) == [False, True, False, False]
    assert typed[3] == 1 and typed[6] == 1000 and pd.isna(typed[4]) and pd.isna(typed[5])
