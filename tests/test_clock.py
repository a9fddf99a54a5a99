"""lib.clock: one pinned 'today' so nothing in the tests depends on the day they run."""
import datetime as dt

import pytest

from lib import clock


def test_pinned_by_environment(monkeypatch):
    monkeypatch.setenv(clock.ENV, "2025-02-28")
    assert clock.today() == dt.date(2025, 2, 28)


def test_system_date_when_unset(monkeypatch):
    monkeypatch.delenv(clock.ENV, raising=False)
    assert clock.today() == dt.date.today()


def test_bad_pin_is_refused_plainly(monkeypatch):
    monkeypatch.setenv(clock.ENV, "yesterday")
    with pytest.raises(ValueError, match="HALFSKY_TODAY"):
        clock.today()


def test_demo_ends_in_the_pinned_month(monkeypatch, engine):
    from lib import demo
    from lib.warehouse.reference import regions_frame

    monkeypatch.setenv(clock.ENV, "2024-05-20")
    frames = demo.build_frames(regions_frame(engine), seed=7)
    assert max(frames["training"]["held_on"]) <= dt.date(2024, 5, 20)
    assert max(frames["screening"]["month"]).strftime("%Y-%m") == "2024-05"
