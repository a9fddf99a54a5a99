"""In headless Chromium: the country view draws its provinces and a province view its cities (issue
15), each as coloured polygons rather than one block, and a click on a province drills down to it."""
from __future__ import annotations

import io
from collections import Counter

import pytest

from tests.browser_util import browser_page, map_screenshot, require_browser, streamlit_server
from tests.test_map_browser import dominant_share

FUJIAN = "350000000000"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine
    from tests.test_geo_levels import build_two_provinces

    url = f"duckdb:///{tmp_path_factory.mktemp('geolevels') / 'wh.duckdb'}"
    build_two_provinces(bootstrap.open_warehouse(url, load_default_regions=False))
    dispose_engine(url)  # the server's process opens the DuckDB file next
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_AUTH": "off",
           "HALFSKY_NO_DEMO": "1"}
    with streamlit_server(env, timeout=120) as base:
        yield base


def _colours(png: bytes, n: int = 2) -> list[tuple[int, int, int]]:
    """The ``n`` most common colours of the map that are not the page (near-white), coarsened to
    steps of 8 so that anti-aliasing does not count."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    pixels = img.get_flattened_data() if hasattr(img, "get_flattened_data") else img.getdata()
    counts = Counter(tuple(c // 8 * 8 for c in px) for px in pixels if min(px) < 235)
    return sorted(c for c, _ in counts.most_common(n))


@pytest.mark.parametrize("region,name", [("", "country"), (FUJIAN, "province")])
def test_province_and_country_maps_draw_regions_not_a_block(server, region, name):
    with browser_page() as page:
        page.goto(f"{server}/coverage" + (f"?region={region}" if region else ""))
        share = dominant_share(map_screenshot(page, name))
        assert 0.001 < share < 0.5, f"one colour covers {share:.1%} of the map"
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "全国" in text and ("福建省" in text or not region)   # the breadcrumb


def _east_of_coloured(png: bytes) -> tuple[float, float]:
    """A point of the easternmost coloured province in a map picture: among the pixels coloured by
    the scale (not the grey of provinces without data, not the page), the right quarter, and of
    those the one nearest their centre."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    coloured = [(x, y) for y in range(0, img.size[1], 2) for x in range(0, img.size[0], 2)
                if max(px := img.getpixel((x, y))) - min(px) > 40]
    xs = [x for x, _ in coloured]
    cut = min(xs) + 0.75 * (max(xs) - min(xs))
    east = [(x, y) for x, y in coloured if x >= cut]
    cx, cy = sum(x for x, _ in east) / len(east), sum(y for _, y in east) / len(east)
    return min(east, key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)


def test_click_on_a_province_drills_down_to_it(server):
    """At the country view (all of China, the provinces without data grey) 江西省 lies west,
    福建省 east: a click on the easternmost coloured province lands in 福建省, and the page moves to
    the province view (its cities on the map).

    Streamlit (1.5x) does not deliver the first click on a freshly drawn deck map (no rerun at all;
    the city view's district map behaves the same): a user clicks again, so does this test, at most
    three times."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with browser_page() as page:
        page.goto(f"{server}/coverage")
        x, y = _east_of_coloured(map_screenshot(page, "country_before_click"))
        chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
        for _ in range(3):
            chart.click(position={"x": x, "y": y})
            try:
                # Streamlit rewrites the address with history.replaceState: no navigation event
                page.wait_for_function(f"() => location.search.includes('region={FUJIAN}')",
                                       timeout=8_000)
                break
            except PlaywrightTimeout:
                continue
        assert f"region={FUJIAN}" in page.url, page.url
        page.mouse.move(2, 2)   # no hover highlight on the picture
        after = map_screenshot(page, "province_after_click")
        assert 0.001 < dominant_share(after) < 0.5
        assert "福建省" in page.locator('[data-testid="stMain"]').inner_text()
        # The drilled-to map shows the colours its legend gives (the same picture as opening the
        # province directly), not the country map's click still "selected" and the rest dimmed.
        page.goto(f"{server}/coverage?region={FUJIAN}")
        direct = map_screenshot(page, "province_direct")
        assert _colours(after) == _colours(direct), (_colours(after), _colours(direct))
