"""User-supplied text (region/organisation names, file names) is rendered as text, never as HTML.

In headless Chromium: a township, a village and an organisation named like an HTML payload, and an
upload whose file name is one, show as literal text on the dashboards and the batch history, and
no dialog fires. Library level: the map tooltip (deck.gl sets innerHTML) gets escaped names.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import insert, select, update

from lib.geo import deck as gd
from tests.browser_util import browser_page, require_browser, streamlit_server

XSS = "<img src=x onerror=alert(1)>"
TOWN = "350111001000"
SHOWN_AS_TEXT = """(s) => document.body.innerText.includes(s)
    || [...document.querySelectorAll('input')].some((i) => (i.value || '').includes(s))"""


def test_map_tooltip_names_are_escaped():
    frame = pd.DataFrame({"region_code": ["350102000000", "350111000000"],
                          "name": [XSS, "晋安区"], "value": [0.4, 0.6],
                          "label": ["<b>x</b>", None]})
    view = gd.build_map(frame, "district", "zh", "覆盖率<script>", "percent")
    text = view.deck.to_json()
    assert "<img" not in text and "<script" not in text and "<b>x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert json.loads(text)["layers"]  # the names travel in the layers' data


def _hostile_warehouse(url: str) -> None:
    """The demo, plus a township, a village and an organisation named XSS, and an upload whose
    file name is XSS."""
    from lib import demo
    from lib.warehouse import bootstrap
    from lib.warehouse import schema as s
    from lib.warehouse.loading import load_batch

    engine = bootstrap.open_warehouse(url)
    demo.build_demo(engine, seed=7)
    with engine.begin() as conn:
        conn.execute(update(s.region).where(s.region.c.code == TOWN).values(name=XSS))
        village = conn.execute(select(s.region.c.code).where(
            s.region.c.parent_code == TOWN).order_by(s.region.c.code).limit(1)).scalar_one()
        conn.execute(update(s.region).where(s.region.c.code == village).values(name=XSS + "村"))
        batch = conn.execute(select(s.upload_batch.c.batch_id).limit(1)).scalar_one()
        conn.execute(insert(s.org_unit).values(
            org_id="xss-org", region_code=village, org_type="womens_home", name=XSS,
            established_on=dt.date(2020, 1, 1), batch_id=batch))
    frame = pd.DataFrame([{"session_id": "xss-1", "region_code": TOWN,
                           "held_on": dt.date(2024, 5, 6), "topic": "policy",
                           "audience": "exec_member", "mode": "offline", "participants": 30,
                           "hours": 2.0}])
    load_batch(engine, {"training": frame}, filename=f"{XSS}.csv", user="dev")


def test_hostile_names_show_as_text_in_chromium(tmp_path):
    require_browser()
    from lib.warehouse.engine import dispose_engine

    url = f"duckdb:///{tmp_path / 'xss.duckdb'}"
    _hostile_warehouse(url)
    dispose_engine(url)  # the server process opens the file
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": "off"}
    with streamlit_server(env) as base, browser_page() as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in (f"/coverage?region={TOWN}", f"/training?region={TOWN}", "/upload"):
            page.goto(base + path)
            # the name as literal text: in the page's text or a widget's value (selectboxes)
            page.wait_for_function(SHOWN_AS_TEXT, arg=XSS, timeout=90_000)
            page.wait_for_timeout(1500)  # give an injected element time to load and fire
            assert page.locator('img[src="x"]').count() == 0, path
            assert page.locator('[data-testid="stException"]').count() == 0, path
        assert not dialogs, dialogs
