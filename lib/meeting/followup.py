"""督办事项落实情况: the follow-up items of the meeting's region since the last meeting, by region.

"Since the last meeting" is a date the meeting is given, 上次会议日期: ``?since=YYYY-MM-DD`` in the
meeting link (or the date box under the slides), by default 30 days before today. A federation
meets about monthly, and a fixed look-back reads the same on the 2nd of a month as on the 28th,
where "this calendar month" would show almost nothing early in the month. Counted from that day on:
items created (新增) and items closed (办结); overdue (逾期) are the items still open whose due date
has passed, today, wherever they were created.

The warehouse's summary has one row per region holding items (a township, a district or the city
itself); the slide shows the meeting region's child regions, so each row is rolled up to the child
it lies in by its code prefix, and items raised on the meeting region itself form its 本级 row.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from lib.warehouse.scope import CHILD_LEVEL, LEVEL_LENGTH, level_of, pad

DEFAULT_DAYS = 30
MAX_DAYS_BACK = 730  # a "last meeting" two years ago is a typing error, not a meeting
MEASURES = ("new", "closed", "overdue")
COUNTS = (*MEASURES, "open")
COLUMNS = ["region_code", "region_name", *COUNTS]
LABELS = {"new": {"zh": "新增", "en": "New"}, "closed": {"zh": "办结", "en": "Closed"},
          "overdue": {"zh": "逾期", "en": "Overdue"}, "open": {"zh": "未办结", "en": "Open"}}
OWN_LEVEL = {"zh": "{name}本级", "en": "{name} (own level)"}


@dataclass(frozen=True)
class FollowupSummary:
    """The slide's figures: counts by child region (``by_child``) between ``since`` and ``today``."""
    since: dt.date
    today: dt.date
    rows: pd.DataFrame = field(compare=False)  # COLUMNS, one row per child region holding items

    @property
    def totals(self) -> dict[str, int]:
        return {k: int(self.rows[k].sum()) if len(self.rows) else 0 for k in COUNTS}

    @property
    def empty(self) -> bool:
        """No item new, closed, overdue or open: the slide says 本期无督办事项."""
        return not any(self.totals.values())


def empty_rows() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c.startswith("region") else "int64")
                         for c in COLUMNS})


def default_since(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=DEFAULT_DAYS)


def earliest_since(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=MAX_DAYS_BACK)


def parse_since(value: str | None, today: dt.date) -> dt.date:
    """``?since=`` as a date: absent or blank → the default; anything else must be an ISO date
    (2026-10-31) between two years ago and today, else ValueError (the page says so and keeps the
    default: a link with a bad date still opens the meeting)."""
    text = (value or "").strip()
    if not text:
        return default_since(today)
    if len(text) != 10:
        raise ValueError(text)
    day = dt.date.fromisoformat(text)  # ValueError on 2026-02-30, 2026/10/31 …
    if not earliest_since(today) <= day <= today:
        raise ValueError(text)
    return day


def since_start(since: dt.date) -> dt.datetime:
    """The first moment counted: the start of the last meeting's day."""
    return dt.datetime.combine(since, dt.time.min)


def by_child(frame: pd.DataFrame, region_code: str, region_name: str,
             names: Mapping[str, str], lang: str = "zh") -> pd.DataFrame:
    """The warehouse's rows (one per region holding items, all inside ``region_code``) summed per
    child region of ``region_code``; rows of the region itself form its 本级 row, shown first.
    Child regions in code order; a row with nothing to count is left out."""
    if frame is None or frame.empty:
        return empty_rows()
    child = CHILD_LEVEL.get(level_of(region_code))
    width = LEVEL_LENGTH[child] if child else None
    own = OWN_LEVEL[lang].format(name=region_name)

    def child_of(code: str) -> str:
        code = str(code)
        if width is None or code == region_code or level_of(code) == level_of(region_code):
            return region_code
        return pad(code[:width])

    keys = frame["region_code"].map(child_of)
    sums = frame.assign(region_code=keys)[["region_code", *COUNTS]].groupby(
        "region_code", sort=True).sum().reset_index()
    sums = sums[sums[list(COUNTS)].sum(axis=1) > 0]
    sums.insert(1, "region_name", [own if c == region_code else names.get(c, c)
                                   for c in sums["region_code"]])
    sums["_own"] = sums["region_code"] != region_code  # 本级 first, then by code
    sums = sums.sort_values(["_own", "region_code"], kind="stable").drop(columns="_own")
    return sums.astype({c: "int64" for c in COUNTS}).reset_index(drop=True)[COLUMNS]


def chart_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The regions the chart draws: those with anything new, closed or overdue (an old item still
    open and not yet due has no bar to show; the reading counts it)."""
    if rows.empty:
        return rows
    return rows[rows[list(MEASURES)].sum(axis=1) > 0].reset_index(drop=True)
