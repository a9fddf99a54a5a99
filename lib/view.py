"""The view a page (or the brief CLI) is about: region, period, urban/rural, language and scope.

Streamlit-free, so the command-line brief and the pure metric code build the same object the
sidebar builds (lib/ui/filters.sidebar_filters).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lib.warehouse.scope import LEVEL_LENGTH


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
