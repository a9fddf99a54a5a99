"""The view a reading is about: region, period, urban/rural and the reader's scope.

The CLI builds the page's own Filters (lib/view.py) without a session.
"""
from __future__ import annotations

import datetime as dt

from lib import clock
from lib.view import Filters, month_end, shift_year  # noqa: F401  (re-exported)
from lib.warehouse.scope import level_of, narrow


View = Filters  # the page's Filters: one definition (lib/view.py)


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
