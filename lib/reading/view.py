"""The view a reading is about: region, period, urban/rural and the reader's scope.

It mirrors lib/ui/filters.Filters (which needs Streamlit) so the CLI builds one without a session;
the page passes its Filters, which has the same attributes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lib import clock
from lib.warehouse.scope import LEVEL_LENGTH, level_of, narrow


@dataclass(frozen=True)
class View:
    lang: str
    region_code: str  # 12-digit
    region_name: str
    level: str
    prefix: str  # region ∩ scope
    date_from: dt.date
    date_to: dt.date
    area: str | None = None
    scope: str = ""

    @property
    def child_level(self) -> str | None:
        return {"city": "district", "district": "township", "township": "village"}.get(self.level)

    @property
    def child_len(self) -> int | None:
        child = self.child_level
        return LEVEL_LENGTH[child] if child else None

    def last_year(self) -> tuple[dt.date, dt.date]:
        return shift_year(self.date_from), shift_year(self.date_to)


def shift_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def make_view(region_code: str, region_name: str, date_from: dt.date, date_to: dt.date, *,
              lang: str = "zh", area: str | None = None, scope: str = "") -> View:
    """A View as the sidebar would build it (the prefix narrowed to ``scope``; refused outside)."""
    return View(lang=lang, region_code=region_code, region_name=region_name,
                level=level_of(region_code), prefix=narrow(scope, region_code),
                date_from=date_from, date_to=date_to, area=area, scope=scope)


def default_period(data_period: tuple[dt.date | None, dt.date | None]) -> tuple[dt.date, dt.date]:
    """The sidebar's default: January of the last month with data, to the end of that month (never
    past today when the data reach today's month)."""
    today = clock.today()
    hi = data_period[1] or today
    date_to = min(month_end(hi.year, hi.month), max(today, hi))
    return dt.date(hi.year, 1, 1), date_to
