"""Every month of a period on a trend: a month with no record is 0 once the ledger has any record,
and a rate with no base is a gap; a line never runs straight across a month that held nothing."""
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
