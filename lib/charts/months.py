"""Months on the trend charts: every month of a period (a month with no record is 0 once the
ledger has any record, a rate with no base a gap), one way of writing them (2026年3月, 4月 …) and
room above the points for the incomplete month's label."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd


def month_starts(date_from: dt.date, date_to: dt.date) -> pd.DatetimeIndex:
    """The first day of every month from ``date_from``'s to ``date_to``'s, both included."""
    return pd.date_range(pd.Timestamp(date_from).to_period("M").to_timestamp(),
                         pd.Timestamp(date_to).to_period("M").to_timestamp(), freq="MS")


def every_month(frame: pd.DataFrame, date_from: dt.date, date_to: dt.date, *,
                counts: Sequence[str] = (), rates: Sequence[str] = (),
                since: dt.date | None, month: str = "month") -> pd.DataFrame:
    """``frame`` (one row per month) with a row for every month of the period.

    ``since`` is the first month the view's ledger holds any record (before the period: the
    period's first month); None when it holds none, and then nothing is invented — the page says
    暂无数据 instead of drawing a line of zeros. From ``since`` on, a month without a row has
    ``counts`` 0 (nothing happened that month) and ``rates`` missing (no base: Vega-Lite breaks the
    line there instead of joining the months either side). Months before ``since`` stay out: there
    was no ledger to count from."""
    if since is None:
        return frame
    start = max(pd.Timestamp(since).to_period("M").to_timestamp(),
                pd.Timestamp(date_from).to_period("M").to_timestamp())
    months = month_starts(start.date(), date_to)
    known = pd.to_datetime(frame[month]) if len(frame) else pd.Series(dtype="datetime64[ns]")
    missing = months.difference(pd.DatetimeIndex(known))
    if missing.empty:
        return frame
    extra = pd.DataFrame({month: missing.astype(known.dtype if len(frame) else "datetime64[ns]")})
    for c in counts:
        extra[c] = 0
    for c in rates:
        extra[c] = np.nan
    if len(frame):
        extra = extra.astype({c: frame[c].dtype for c in counts if c in frame}, errors="ignore")
    out = pd.concat([frame, extra], ignore_index=True) if len(frame) else extra
    return out.sort_values(month, kind="stable").reset_index(drop=True)


def first_month(before_period: bool, frame: pd.DataFrame, date_from: dt.date,
                month: str = "month") -> dt.date | None:
    """``every_month``'s ``since``: the period's first month when the ledger held records before
    the period, else the first month of ``frame`` (the period's monthly records), else None."""
    if before_period:
        return date_from.replace(day=1)
    if frame.empty:
        return None
    return pd.Timestamp(pd.to_datetime(frame[month]).min()).date().replace(day=1)


def month_label(month: dt.date | pd.Timestamp, lang: str = "zh", *, first: bool = False) -> str:
    """A month as every chart writes it: the year on January and on the first month shown
    (2026年3月, 2027年1月), the month alone otherwise (4月); English Mar 2026 / Apr."""
    m = pd.Timestamp(month)
    if lang == "zh":
        return f"{m.year}年{m.month}月" if first or m.month == 1 else f"{m.month}月"
    return m.strftime("%b %Y") if first or m.month == 1 else m.strftime("%b")


def month_labels(months: Sequence[dt.date | pd.Timestamp], lang: str = "zh") -> list[str]:
    """``month_label`` of each of ``months`` (in order), the first one with its year."""
    return [month_label(m, lang, first=i == 0) for i, m in enumerate(months)]


def time_axis_labels(lang: str = "zh") -> str:
    """``month_label`` as a Vega expression for a time axis's ticks (the first tick is the first
    month shown), so the dashboards' axes read as the meeting slides' and the brief's."""
    full, short = ("%Y年%-m月", "%-m月") if lang == "zh" else ("%b %Y", "%b")
    return (f"month(datum.value) == 0 || datum.index == 0 ? timeFormat(datum.value, '{full}') "
            f": timeFormat(datum.value, '{short}')")


def month_tick_step(n_months: int) -> int:
    """Months between ticks: one tick a month up to a year, then every 2, 3, 6 or 12 months (each
    a divisor of 12, so January — the tick with the year — is always one of them)."""
    for limit, step in ((12, 1), (24, 2), (36, 3), (72, 6)):
        if n_months <= limit:
            return step
    return 12


# The top of a trend's y scale, as a multiple of its highest value: the band above the points
# holds the incomplete month's label (the points stay below ~77 % of the plot's height).
HEADROOM = 1.3


def headroom(values: pd.Series) -> float:
    """The y scale's top that keeps that band free (1 for a line of zeros)."""
    top = pd.to_numeric(values, errors="coerce").max()
    return float(top) * HEADROOM if pd.notna(top) and top > 0 else 1.0
