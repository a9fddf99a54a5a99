"""A change on the same period last year only where that period lies within the data."""
from __future__ import annotations

import datetime as dt

import pytest

from lib.metrics.cards import APPLIES, Applicability, card, no_last_year
from lib.filters import Filters

D = dt.date


def _view(date_from: dt.date) -> Filters:
    return Filters("zh", "350100000000", "福州市", "city", "3501", date_from, D(2026, 12, 7), None)


@pytest.mark.parametrize("date_from, data_begin, within", [
    (D(2019, 1, 1), D(2019, 1, 1), False),   # 2018 against data from 2019: the reported +22.3 %
    (D(2020, 1, 1), D(2019, 1, 1), True),
    (D(2026, 3, 1), D(2019, 1, 15), True),
    (D(2020, 1, 1), D(2019, 1, 15), True),   # the month the data begin counts whole
    (D(2019, 6, 1), D(2018, 7, 1), False),
    (D(2026, 3, 1), None, False),            # no data at all
])
def test_last_year_within(date_from, data_begin, within):
    assert _view(date_from).last_year_within(data_begin) is within


@pytest.mark.parametrize("data_begin, within", [
    (D(2019, 1, 1), True),    # coverage on 2025-12-07 against the data from 2019: a real change
    (D(2026, 1, 1), False),   # 2025-12-07 is before the data
])
def test_a_figure_on_a_day_needs_only_that_day_a_year_earlier(data_begin, within):
    assert _view(D(2019, 1, 1)).last_year_within(data_begin, at_date=True) is within


@pytest.mark.parametrize("now, before, unit", [(120.0, 100.0, "count"), (0.5, 0.4, "percent"),
                                               (10.0, None, "count"), (5.0, 5.0, "count")])
def test_no_last_year_replaces_any_change(now, before, unit):
    c = no_last_year(card("x", now, before, unit, "zh"), "zh")
    assert (c.delta, c.delta_color, c.delta_arrow) == ("无上年同期数据", "off", "off")
    assert no_last_year(card("x", now, before, unit, "en"), "en").delta == "no data a year earlier"


def test_no_last_year_leaves_cards_without_a_change_alone():
    na = Applicability(False, "na_held_above")
    for c in (card("x", 1.0, 1.0, "count", "zh", applies=na),
              card("x", 1.0, None, "count", "zh", compare=False),
              card("x", 1.0, 1.0, "count", "zh", applies=APPLIES, compare=False)):
        assert no_last_year(c, "zh") == c


def test_the_reading_tells_no_change_against_a_period_before_the_data(demo_engine):
    """The written reading says what the cards say: a period from before the data begin read
    against the year before has no change (the cards read 无上年同期数据); a later one has one."""
    from lib.reading.facts import gather
    from lib.reading.source import EngineSource
    from lib.filters import make_view
    from lib.warehouse import queries
    from lib.warehouse.scope import Scope

    first, last = queries.data_period(demo_engine, Scope.everything())
    src = EngineSource(demo_engine)
    early = make_view("350100000000", "福州市", first.replace(month=1, day=1), last)
    late = make_view("350100000000", "福州市", dt.date(last.year, 1, 1), last)
    for area in ("training", "employment", "screening"):
        heads = gather(src, early, area).headline
        assert heads and all(h["change"] is None for h in heads), (area, heads)
        assert any(h["change"] is not None for h in gather(src, late, area).headline), area
