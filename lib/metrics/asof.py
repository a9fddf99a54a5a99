"""When a figure is measured, and the words that say so beside its value.

A share of villages (coverage) is a stock: it is true on a day. The cards read it on the period's
last day; a plan indicator's yearly value reads it on 31 December of its year. A year that has not
ended has no 31 December yet: its value is read on the latest day there is (today), the day the
cards read by default, so the reading's 最新值 and the card agree and both can say which day it is
(截至2026年11月30日), while a closed year says so (2025年末). Counts and rates over a span of
months (参训人次, 筛查人数, 完成率) are flows over their period and say the period.
"""
from __future__ import annotations

import datetime as dt

from lib import clock
from lib.i18n import t
from lib.metrics.registry import metric

# computed_from prefixes (lib/warehouse/indicator_queries) whose yearly values are stocks read on a
# day (organisations alive and active then), not flows summed over the year.
STOCK_SOURCES = ("coverage.",)


def year_as_of(year: int, today: dt.date | None = None) -> dt.date:
    """The day a yearly value of ``year`` is read on: 31 December, or today while the year runs."""
    today = today or clock.today()
    return min(dt.date(year, 12, 31), today)


def day_text(d: dt.date, lang: str = "zh") -> str:
    """截至2026年11月30日 / as of 2026-11-30."""
    return t("as_of_day", lang).format(y=d.year, m=d.month, d=d.day, iso=d.isoformat())


def year_label(year: int | None, computed_from: str = "", lang: str = "zh",
               today: dt.date | None = None) -> str:
    """The date of a plan indicator's yearly value, as its label says it.

    Computed from the ledgers: the current year's value is as of today (截至…), a past year's a
    year-end stock (2025年末) or a year's flow (2025年). Uploaded by a department: the year it was
    reported for (2025年)."""
    if year is None:
        return ""
    if computed_from:
        day = year_as_of(int(year), today)
        if day < dt.date(int(year), 12, 31):
            return day_text(day, lang)
        if computed_from.startswith(STOCK_SOURCES):
            return t("year_end", lang).format(y=int(year))
    return t("year_only", lang).format(y=int(year))


def figure_date(code: str, date_to: dt.date, lang: str = "zh") -> str:
    """What a card of the registry figure ``code`` says of its date: a stock read on the period's
    last day says that day (截至2026年11月30日), since a plan value of the same figure may be read on
    another; a flow over the period says nothing here (the page states the period)."""
    return day_text(date_to, lang) if metric(code).as_of == "day" else ""


def dated(label: str, date_text: str, lang: str = "zh") -> str:
    """A label with its date: 妇联有效覆盖率（截至2026年11月30日）."""
    if not date_text:
        return label
    return f"{label}（{date_text}）" if lang == "zh" else f"{label} ({date_text})"


def trend_days(date_to: dt.date, first_year: int = 2019) -> tuple[dt.date, ...]:
    """The days a share's yearly trend is read on: each 31 December, and for the period's own year
    its last day (the day the cards read), never a day after it."""
    return tuple(min(dt.date(y, 12, 31), date_to) for y in range(first_year, date_to.year + 1))


def point_label(d: dt.date, lang: str = "zh") -> str:
    """A trend point's year as the axis says it: 2025 for a year end, the day (2026年11月30日) for
    a point read before its year ended, so it is not taken for the year's end (nor for the plan's
    value, read on another day). Short enough for a rotated axis label."""
    if (d.month, d.day) == (12, 31):
        return str(d.year)
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.isoformat()
