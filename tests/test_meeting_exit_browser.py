"""Leaving meeting mode in headless Chromium (the exit button and Esc): back to the page, region
and period meeting mode was opened from, not the city over every month.

Runs on PostgreSQL (HALFSKY_TEST_PG_URL, a fresh schema): the server process and this test process
both use the warehouse, which a DuckDB file does not allow.
"""
from __future__ import annotations

import os
import uuid
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from tests.browser_util import browser_page, require_browser, shot, streamlit_server

PG_URL = os.environ.get("HALFSKY_TEST_PG_URL")
COUNTER = "[data-testid='stMain'] .m-count"
CAPTION = "[data-testid='stMain'] [data-testid='stCaptionContainer']"


@pytest.fixture
def pg_schema():
    if not PG_URL:
        pytest.skip("HALFSKY_TEST_PG_URL is not set")
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine
    from lib.warehouse.loading import load_batch
    from lib.warehouse.scope import Scope

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = bootstrap.open_warehouse(PG_URL, pg_schema=schema)
    # a session a month in a 晋安区 township, January to November
    frame = pd.DataFrame([{"session_id": f"s-{m}", "region_code": "350111001000",
                           "held_on": pd.Timestamp(2026, m, 10), "topic": "policy",
                           "audience": "exec_member", "mode": "offline", "participants": 10 * m,
                           "hours": 2.0} for m in range(1, 12)])
    load_batch(engine, {"training": frame}, filename="training.csv", user="test",
               scope=Scope.everything())
    yield schema
    dispose_engine(PG_URL, pg_schema=schema)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _view(url: str) -> tuple[str, dict[str, str]]:
    parts = urlparse(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


@pytest.mark.parametrize("how", ["button", "escape"])
def test_leaving_meeting_mode_goes_back_to_the_page_region_and_period(pg_schema, how):
    require_browser()
    env = {"HALFSKY_DB_URL": PG_URL, "HALFSKY_DB_SCHEMA": pg_schema, "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": "off"}
    with streamlit_server(env) as base, browser_page(1400, 1000) as page:
        page.goto(base + "/training?region=350111000000&from=2026-03&to=2026-09")
        page.wait_for_selector("[data-testid='stMetricValue']", timeout=120_000)
        caption = page.locator(CAPTION).first.inner_text()
        assert caption.startswith("晋安区 · 2026年3月 – 2026年9月"), caption
        page.locator("[data-testid='stSidebarNav'] a", has_text="会议模式").first.click()
        page.wait_for_selector(COUNTER, timeout=90_000)
        page.wait_for_timeout(1500)  # the key handler is installed with the page
        if how == "button":
            page.locator(".st-key-m_exit button").click()
        else:
            page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('.m-count') && "
                               "!location.pathname.endsWith('/meeting')", timeout=90_000)
        page.wait_for_selector("[data-testid='stMetricValue']", timeout=90_000)
        page.wait_for_timeout(1000)
        shot(page, f"meeting_exit_{how}")
        path, params = _view(page.url)
        assert path.endswith("/training")
        assert (params.get("region"), params.get("from"), params.get("to")) == (
            "350111000000", "2026-03", "2026-09"), page.url
        caption = page.locator(CAPTION).first.inner_text()
        assert caption.startswith("晋安区 · 2026年3月 – 2026年9月"), caption
