"""In headless Chromium: a warehouse of two provinces (福州 of 福建, a small 南昌 of 江西) opens the
overview at the country, draws it, and draws again after the sidebar drills into 江西省."""
from __future__ import annotations

import re

import pytest

from tests.browser_util import (browser_page, require_browser, settled_screenshot, shot,
                                streamlit_server)
from tests.test_map_browser import dominant_share

JIANGXI = "360000000000"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    from lib import demo
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine
    from tests.test_provinces import nanchang_regions

    path = tmp_path_factory.mktemp("provbrowser") / "wh.duckdb"
    url = f"duckdb:///{path}"
    engine = bootstrap.open_warehouse(url, pg_schema=None)
    bootstrap.import_regions(engine, nanchang_regions())
    demo.build_demo(engine, seed=7)
    dispose_engine(url)  # DuckDB: one process holds the file; the server's from here on
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_AUTH": "off",
           "HALFSKY_NO_DEMO": "1"}
    with streamlit_server(env, timeout=120) as base:
        yield base


def _drawn(page, name: str) -> tuple[list[str], float]:
    """The four headline values once drawn, and the map's dominant colour share (screenshots kept)."""
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=180_000)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= 4",
                           timeout=60_000)
    # the run that drew them has finished: a map taken mid-run may be replaced under the test
    page.wait_for_function("document.querySelector('[data-testid=\"stApp\"]')"
                           "?.getAttribute('data-test-script-state') === 'notRunning'",
                           timeout=120_000)
    page.wait_for_timeout(500)
    values = [v.inner_text() for v in page.locator('[data-testid="stMetricValue"]').all()]
    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.wait_for(timeout=60_000)
    share = dominant_share(settled_screenshot(page, chart))  # deck.gl draws after a few frames
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, name)
    return values, share


def test_overview_draws_at_the_country_and_in_a_province(server):
    with browser_page() as page:
        page.goto(server)
        values, share = _drawn(page, "provinces_country")
        assert len(values) == 4 and all(v.strip() not in ("", "—") for v in values), values
        assert 0.001 < share < 0.5, f"one colour covers {share:.1%} of the country map"
        body = page.locator("body").inner_text()
        assert "各省（区、市）" in body, body[:2000]
        assert re.search(r"region=000000000000", page.url), page.url
        # drill: the sidebar's province box → 江西省
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="省（区、市）").first
        box.click()
        page.get_by_role("option", name="江西省").click()
        page.wait_for_url(re.compile(f"region={JIANGXI}"), timeout=60_000)
        page.get_by_text("各市（州）村（社区）妇联覆盖率").wait_for(timeout=120_000)
        values, share = _drawn(page, "provinces_jiangxi")
        assert len(values) == 4 and all(v.strip() not in ("", "—") for v in values), values
        assert 0.001 < share < 0.5, f"one colour covers {share:.1%} of the province map"
        body = page.locator("body").inner_text()
        assert "江西省本期" in body and "福建" not in body  # the reading names the province
