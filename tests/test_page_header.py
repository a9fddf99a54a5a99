"""Every page header names the date its data run to (截至 2026年6月3日), not the period alone."""
from __future__ import annotations

import pytest

from tests.apptest_util import app_env, run_page
from tests.test_app import _url
from tests.test_dashboard_trends import _load_training


@pytest.fixture(autouse=True)
def _no_login(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")


@pytest.mark.parametrize("page, lang, expected", [
    ("views/overview.py", "zh", "晋安区 · 2026年2月 – 2026年6月 · 截至 2026年6月3日"),
    ("views/training.py", "zh", "晋安区 · 2026年2月 – 2026年6月 · 截至 2026年6月3日"),
    ("views/employment.py", "zh", "晋安区 · 2026年2月 – 2026年6月 · 截至 2026年6月3日"),
    ("views/screening.py", "zh", "晋安区 · 2026年2月 – 2026年6月 · 截至 2026年6月3日"),
    ("views/coverage.py", "zh", "晋安区 · 2026年2月 – 2026年6月 · 截至 2026年6月3日"),
    ("views/targets.py", "zh", "截至 2026年6月3日"),
    ("views/training.py", "en", "Feb 2026 – Jun 2026 · data to 3 Jun 2026"),
])
def test_header_says_the_date_the_data_run_to(engine, page, lang, expected):
    _load_training(engine, ["2026-02-10", "2026-04-12", "2026-06-03"])
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(page, query={"region": "350111000000", "from": "2026-02", "to": "2026-06",
                                   "lang": lang})
    assert not at.exception, at.exception
    assert at.caption[0].value.endswith(expected), at.caption[0].value


@pytest.mark.parametrize("page, since, shown", [
    # the period a year earlier (2025-02 …) began before the data (2026-02): no change to read
    ("views/training.py", "2026-02", "无上年同期数据"),
    ("views/overview.py", "2026-02", "无上年同期数据"),
    ("views/meeting.py", "2026-02", "无上年同期数据"),
    # a year of data before the period: a change as ever
    ("views/training.py", "2025-01", "较上年同期"),
])
def test_no_change_against_a_year_before_the_data(engine, page, since, shown):
    earlier = ["2025-01-08", "2025-03-05"] if since == "2025-01" else []
    _load_training(engine, earlier + ["2026-02-10", "2026-04-12", "2026-06-03"])
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(page, query={"region": "350111000000", "from": "2026-02", "to": "2026-06"})
    assert not at.exception, at.exception
    training = next(m for m in at.metric if m.label == "参训人次")
    assert shown in training.proto.delta, training.proto.delta
    if shown == "无上年同期数据":
        assert "%" not in training.proto.delta
