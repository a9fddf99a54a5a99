"""On a phone (390×844), in headless Chromium: KPI cards two per row (not five stacked
full-width cards filling 1.5 screens), the map and the trend chart within the screen's width, and
nothing that scrolls the page sideways."""
from __future__ import annotations

import io
import os

import pytest

from tests.browser_util import browser_page, map_screenshot, require_browser, streamlit_server

WIDTH, HEIGHT = 390, 844
DISTRICT = "350111000000"  # 晋安区: a map of its townships, a trend against the city

CARDS_JS = """() => [...document.querySelectorAll('[class*="st-key-kpis_"] [data-testid="stMetric"]')]
  .map(e => { const r = e.getBoundingClientRect();
              return {x: r.left, y: r.top, w: r.width, h: r.height}; })"""
PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
WIDTHS_JS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    path = tmp_path_factory.mktemp("phone") / "wh.duckdb"
    env = {"HALFSKY_DB_URL": f"duckdb:///{path}", "HALFSKY_DB_SCHEMA": "", "HALFSKY_AUTH": "off",
           "HALFSKY_NO_DEMO": ""}
    with streamlit_server(env, timeout=120) as url:
        yield url


def rows_of(cards: list[dict]) -> list[list[dict]]:
    """Cards grouped by the line they sit on (tops within a few pixels)."""
    rows: list[list[dict]] = []
    for c in sorted(cards, key=lambda c: (c["y"], c["x"])):
        if rows and abs(rows[-1][0]["y"] - c["y"]) < 8:
            rows[-1].append(c)
        else:
            rows.append([c])
    return [sorted(r, key=lambda c: c["x"]) for r in rows]


def test_rows_of_groups_by_line():
    cards = [{"x": 200, "y": 100}, {"x": 10, "y": 102}, {"x": 10, "y": 300}]
    assert [[c["x"] for c in r] for r in rows_of(cards)] == [[10, 200], [10]]


@pytest.mark.parametrize("page, n_cards, wait_for", [
    ("", 4, "stDeckGlJsonChart"),           # overview: four headlines and the map
    ("screening", 5, "stVegaLiteChart"),     # five cards, the map and the trend
])
def test_phone_layout(server, page, n_cards, wait_for):
    with browser_page(WIDTH, HEIGHT) as browser:
        browser.goto(f"{server}/{page}?region={DISTRICT}")
        browser.wait_for_selector('[class*="st-key-kpis_"] [data-testid="stMetricValue"]',
                                  timeout=240_000)
        browser.wait_for_selector(f'[data-testid="{wait_for}"]', timeout=120_000)
        browser.wait_for_timeout(2500)  # charts settle into their width
        if os.environ.get("HALFSKY_SCREENSHOT_DIR"):
            browser.screenshot(path=os.path.join(os.environ["HALFSKY_SCREENSHOT_DIR"],
                                                 f"phone_{page or 'overview'}.png"))
        cards = browser.evaluate(CARDS_JS)
        assert len(cards) == n_cards
        rows = rows_of(cards)
        assert [len(r) for r in rows] == [2] * (n_cards // 2) + [1] * (n_cards % 2), rows
        for c in cards:
            assert c["x"] >= 0 and c["x"] + c["w"] <= WIDTH + 0.5, c
            assert c["w"] <= WIDTH / 2, c
        # the cards take under half a screen, not one and a half
        assert rows[-1][0]["y"] + rows[-1][0]["h"] - rows[0][0]["y"] < HEIGHT * 0.6
        for testid in ("stDeckGlJsonChart", "stVegaLiteChart"):
            for box in browser.locator(f'[data-testid="{testid}"]').evaluate_all(
                    "els => els.map(e => e.getBoundingClientRect().toJSON())"):
                assert box["left"] >= 0 and box["right"] <= WIDTH + 0.5, (testid, box)
                assert box["width"] >= WIDTH * 0.8, (testid, box)  # the plot keeps the width
        scroll, client = browser.evaluate(WIDTHS_JS)
        assert scroll <= client, f"the page scrolls sideways: {scroll} > {client}"


def test_a_phone_sees_the_whole_city_on_its_map(server):
    """At 390 px the city map was fitted for a desktop's 700 px and cut 闽清县 and 永泰县 off on the
    west: no region may touch the map's left or right edge on a phone."""
    from PIL import Image

    with browser_page(WIDTH, HEIGHT, user_agent=PHONE_UA, has_touch=True, is_mobile=True) as page:
        page.goto(f"{server}/coverage")
        img = Image.open(io.BytesIO(map_screenshot(page, "phone_city"))).convert("RGB")
        w, h = img.size
        assert w >= WIDTH * 0.8
        for x in (*range(0, 4), *range(w - 4, w)):
            column = [img.getpixel((x, y)) for y in range(h)]
            assert all(min(px) >= 235 for px in column), f"a region reaches the edge at x={x}"
