"""The view a page (or the brief CLI) is about: region, period, urban/rural, language and scope.

Streamlit-free, so the command-line brief and the pure metric code build the same object the
sidebar builds (lib/ui/filters.sidebar_filters): ``make_view`` and ``default_period`` are the
sidebar's rules for a caller without a session.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lib import clock
from lib.warehouse.scope import CHILD_LEVEL, LEVEL_LENGTH, Scope, level_of, narrow


@dataclass(frozen=True)
class Filters:
    lang: str
    region_code: str  # 12-digit
    region_name: str
    level: str
    prefix: str  # SQL prefix: region ∩ the caller's scope
    date_from: dt.date
    date_to: dt.date
    area: str | None  # None / 'urban' / 'rural'
    scope: str = ""  # the signed-in user's scope prefix ("" = whole warehouse): no query goes wider

    @property
    def user_scope(self) -> Scope:
        """``scope`` as the Scope the warehouse requires: it holds the account's prefix ("" only
        for an account of the whole warehouse, or the console)."""
        return Scope(self.scope) if self.scope else Scope.everything()

    @property
    def child_level(self) -> str | None:
        return CHILD_LEVEL.get(self.level)

    @property
    def child_len(self) -> int | None:
        child = self.child_level
        return LEVEL_LENGTH[child] if child else None

    def last_year(self) -> tuple[dt.date, dt.date]:
        return shift_year(self.date_from), shift_year(self.date_to)

    def last_year_within(self, data_begin: dt.date | None, at_date: bool = False) -> bool:
        """Does the same period last year lie within the data (``data_begin``: the first month
        loaded)? 2019-01 to 2026-12 against 2018-01 to 2025-12, with data from 2019, compares
        eight years with seven: a "+22 %" that is no change at all. ``at_date``: only the
        period's last day a year earlier must lie within (a coverage on that day)."""
        if data_begin is None:
            return False
        return shift_year(self.date_to if at_date else self.date_from) >= data_begin.replace(day=1)


def shift_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def make_view(region_code: str, region_name: str, date_from: dt.date, date_to: dt.date, *,
              lang: str = "zh", area: str | None = None, scope: str = "") -> Filters:
    """Filters as the sidebar would build them (the prefix narrowed to ``scope``; refused outside)."""
    return Filters(lang=lang, region_code=region_code, region_name=region_name,
                   level=level_of(region_code), prefix=narrow(scope, region_code),
                   date_from=date_from, date_to=date_to, area=area, scope=scope)


def default_period(data_period: tuple[dt.date | None, dt.date | None]) -> tuple[dt.date, dt.date]:
    """The sidebar's default: January of the last month with data, to the end of that month (never
    past today when the data reach today's month)."""
    today = clock.today()
    hi = data_period[1] or today
    date_to = min(month_end(hi.year, hi.month), max(today, hi))
    return dt.date(hi.year, 1, 1), date_to
