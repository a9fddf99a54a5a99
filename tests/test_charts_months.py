"""Trend months: a month with no record is 0 once the ledger holds any record, a rate with no base
is a gap (a null that breaks the line), and a ledger never uploaded invents nothing."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib.charts import common as charts
from lib.charts.memo import spec_of
from lib.charts.months import every_month, first_month

D = dt.date


def _frame(months: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"month": pd.to_datetime([f"{m}-01" for m in months]),
                         "n": list(months.values())})


@pytest.mark.parametrize("held, date_from, date_to, since, expected", [
    # 晋安区 held no fair in June and October: a 0 there, not a line from May to July
    ({"2026-05": 3, "2026-07": 2, "2026-09": 1, "2026-11": 4}, D(2026, 5, 1), D(2026, 11, 30),
     D(2026, 5, 1), {"2026-05": 3, "2026-06": 0, "2026-07": 2, "2026-08": 0, "2026-09": 1,
                     "2026-10": 0, "2026-11": 4}),
    # a ledger first loaded in March: January and February are not zeros, they are no ledger
    ({"2026-03": 5}, D(2026, 1, 1), D(2026, 4, 7), D(2026, 3, 1),
     {"2026-03": 5, "2026-04": 0}),
    # records before the period: every month of it counts, the incomplete last one included
    ({}, D(2026, 1, 1), D(2026, 3, 7), D(2026, 1, 1), {"2026-01": 0, "2026-02": 0, "2026-03": 0}),
    # never uploaded: nothing invented
    ({}, D(2026, 1, 1), D(2026, 3, 31), None, {}),
])
def test_every_month_counts_zero_after_the_first_record(held, date_from, date_to, since,
                                                        expected):
    out = every_month(_frame(held), date_from, date_to, counts=["n"], since=since)
    assert {f"{m:%Y-%m}": v for m, v in zip(out["month"], out["n"])} == expected
    assert list(out["month"]) == sorted(out["month"])


def test_a_rate_with_no_base_is_missing_not_zero():
    frame = _frame({"2026-01": 0.5}).rename(columns={"n": "rate"}).assign(n=[2])
    out = every_month(frame, D(2026, 1, 1), D(2026, 2, 28), counts=["n"], rates=["rate"],
                      since=D(2026, 1, 1))
    assert out["n"].tolist() == [2, 0]
    assert out["rate"].iloc[0] == 0.5 and pd.isna(out["rate"].iloc[1])


@pytest.mark.parametrize("before, held, expected", [
    (True, {"2026-04": 1}, D(2026, 2, 1)),
    (False, {"2026-04": 1, "2026-06": 2}, D(2026, 4, 1)),
    (False, {}, None),
])
def test_first_month(before, held, expected):
    assert first_month(before, _frame(held), D(2026, 2, 1)) == expected


def test_a_null_rate_breaks_the_line_in_the_spec():
    """Vega-Lite draws a null as a break in the line only if the row reaches the browser as null
    and the mark does not filter it out (its "filter" mode joins the months either side)."""
    frame = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=3, freq="MS"),
                          "rate": [0.4, None, 0.6], "series": "本地区"})
    spec = spec_of(charts.trend(frame, x="month", y="rate", series="series", title="t",
                                y_title="率", percent=True))
    rows = next(iter(spec["datasets"].values()))
    assert [r["rate"] for r in rows] == [0.4, None, 0.6]
    mark = spec["mark"] if "mark" in spec else spec["layer"][0]["mark"]
    assert mark.get("invalid") == "break-paths-show-domains"
