"""Meeting mode in headless Chromium: the slides advance by themselves, and a load made while the page
is open shows on a later cycle without anyone touching the screen.

Runs on PostgreSQL (HALFSKY_TEST_PG_URL, a fresh schema): the server process and this test process
both use the warehouse, which a DuckDB file does not allow.
"""
from __future__ import annotations

import os
import uuid

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select, text

from tests.browser_util import browser_page, require_browser, streamlit_server

PG_URL = os.environ.get("HALFSKY_TEST_PG_URL")
COUNTER = "[data-testid='stMain'] .m-count"
METRICS = "[data-testid='stMain'] [data-testid='stMetricValue']"


@pytest.fixture
def pg_schema():
    if not PG_URL:
        pytest.skip("HALFSKY_TEST_PG_URL is not set")
    from lib import demo
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = bootstrap.open_warehouse(PG_URL, pg_schema=schema)
    demo.build_demo(engine, seed=7)
    yield engine, schema
    dispose_engine(PG_URL, pg_schema=schema)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _slide(page) -> str:
    return page.locator(COUNTER).first.inner_text()


def _load_training(engine) -> None:
    """A ledger upload made while the meeting page is open (same code path as the CLI)."""
    from lib.warehouse import schema as s
    from lib.warehouse.loading import load_batch

    with engine.connect() as conn:
        last = conn.execute(select(func.max(s.training_session.c.held_on))).scalar_one()
    frame = pd.DataFrame([{"session_id": f"meeting-{i}", "region_code": "350111001000",
                           "held_on": last, "topic": "policy", "audience": "exec_member",
                           "mode": "offline", "participants": 250_000, "hours": 3.0}
                          for i in range(4)])
    load_batch(engine, {"training": frame}, filename="during_meeting.csv", user="test")


def test_slides_advance_and_a_load_shows_on_a_later_cycle(pg_schema):
    require_browser()
    engine, schema = pg_schema
    env = {"HALFSKY_DB_URL": PG_URL, "HALFSKY_DB_SCHEMA": schema, "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": "off"}
    with streamlit_server(env) as base, browser_page(1920, 1080) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/meeting?interval=5&region=350111000000")
        page.wait_for_selector(COUNTER, timeout=90_000)
        page.wait_for_selector(METRICS, timeout=60_000)
        first = _slide(page)
        assert first.startswith("第 1 /"), first
        before = page.locator(METRICS).all_inner_texts()
        # advances by itself (interval 5 s): no click
        page.wait_for_function(f"() => !document.querySelector(\"{COUNTER}\")"
                               f".innerText.startsWith('第 1 /')", timeout=60_000)
        assert _slide(page) != first
        _load_training(engine)
        # back on the headline slide on a later cycle, with the new figures
        page.wait_for_function(
            """([counter, metrics, before]) => {
                 const c = document.querySelector(counter);
                 if (!c || !c.innerText.startsWith('第 1 /')) return false;
                 const now = [...document.querySelectorAll(metrics)].map((m) => m.innerText);
                 return now.length > 0 && JSON.stringify(now) !== JSON.stringify(before);
               }""", arg=[COUNTER, METRICS, before], timeout=150_000)
        assert page.locator("[data-testid='stException']").count() == 0
        assert not errors, errors
