"""The sidebar's month list comes from data in the caller's scope, narrowed in SQL (both backends).

A 晋安区 viewer's period must not start (or end) at a month only another district has data for.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from lib.warehouse import queries as q
from lib.warehouse import schema as s
from lib.warehouse.scope import Scope

JINAN, GULOU = "350111001001", "350102001001"  # a village of 晋安区, one of 鼓楼区


def _training(conn, sid: str, code: str, day: dt.date) -> None:
    conn.execute(insert(s.training_session).values(
        session_id=sid, region_code=code, held_on=day, topic="t", audience="a", mode="offline",
        participants=1, batch_id=1))


def _screening(conn, code: str, month: dt.date) -> None:
    conn.execute(insert(s.screening).values(region_code=code, month=month, kind="cervical",
                                            screened=1, batch_id=1))


def test_data_period_is_the_scopes_own(engine):
    with engine.begin() as conn:
        _training(conn, "j1", JINAN, dt.date(2025, 3, 10))
        _screening(conn, JINAN, dt.date(2025, 6, 1))
        _training(conn, "g1", GULOU, dt.date(2024, 1, 5))   # earlier, another district only
        _screening(conn, GULOU, dt.date(2026, 9, 1))        # later, another district only
    assert q.data_period(engine, Scope("350111")) == (dt.date(2025, 3, 10), dt.date(2025, 6, 1))
    assert q.data_period(engine, Scope.everything()) == (dt.date(2024, 1, 5), dt.date(2026, 9, 1))
    assert q.data_period(engine, Scope("350121")) == (None, None)  # a district with no data
