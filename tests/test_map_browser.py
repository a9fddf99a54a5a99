"""In headless Chromium: the maps draw what their legend says, and the page fetches nothing from
outside this server (the township map was one solid block; the tab icon came from a public
font host an intranet cannot reach)."""
from __future__ import annotations

import io
from collections import Counter
from urllib.parse import urlparse

import pytest

from tests.browser_util import (browser_page, map_screenshot, require_browser, settled_screenshot,
                                streamlit_server)

DISTRICT = "350111000000"  # 晋安区: its townships are drawn as circles at their seats


def dominant_share(png: bytes) -> float:
    """The share of the image covered by its most common colour that is not the page background
    (near-white): a map drawn as one block of colour scores close to 1."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    pixels = img.get_flattened_data() if hasattr(img, "get_flattened_data") else img.getdata()
    colours = Counter(px for px in pixels if min(px) < 235)
    return colours.most_common(1)[0][1] / (200 * 150) if colours else 0.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    path = tmp_path_factory.mktemp("mapbrowser") / "wh.duckdb"
    env = {"HALFSKY_DB_URL": f"duckdb:///{path}", "HALFSKY_DB_SCHEMA": "", "HALFSKY_AUTH": "off",
           "HALFSKY_NO_DEMO": ""}
    with streamlit_server(env, timeout=120) as url:
        yield url


@pytest.mark.parametrize("region", ["", DISTRICT])
def test_map_draws_regions_not_a_block_and_nothing_is_fetched_from_outside(server, region):
    with browser_page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{server}/coverage" + (f"?region={region}" if region else ""))
        png = map_screenshot(page, region or "city")
        share = dominant_share(png)
        assert 0.001 < share < 0.5, f"one colour covers {share:.1%} of the map"
        outside = {urlparse(u).hostname for u in requests
                   if urlparse(u).scheme in ("http", "https", "ws", "wss")} - {"127.0.0.1",
                                                                              "localhost"}
        assert not outside, outside


def _changed_share(a: bytes, b: bytes) -> float:
    """The share of pixels that differ visibly between two screenshots of the same size."""
    from PIL import Image, ImageChops

    one = Image.open(io.BytesIO(a)).convert("RGB")
    two = Image.open(io.BytesIO(b)).convert("RGB").resize(one.size)
    diff = ImageChops.difference(one, two).convert("L").point(lambda v: 255 if v > 24 else 0)
    return diff.histogram()[255] / (one.size[0] * one.size[1])


def test_the_wheel_scrolls_the_page_unless_the_reader_claims_the_map(server):
    """The wheel over a map zoomed it to a speck and the page stopped scrolling; touches panned it.
    Now the wheel scrolls the page over an unclaimed map, Ctrl + wheel (or a click into the map
    first) zooms it, a click elsewhere gives the wheel back to the page, touches on an unclaimed map
    are the browser's to scroll with, and 复位 brings back the initial view."""
    with browser_page() as page:
        page.goto(f"{server}/coverage")
        before = map_screenshot(page, "wheel_before")
        chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
        # deck.gl listens on .deck-events-root with touch-action "none": every swipe was the map's
        touch = chart.evaluate("c => getComputedStyle(c.querySelector('.deck-events-root'))"
                               ".touchAction")
        assert "pan-y" in touch, touch

        def wheel(dy: int, ctrl: bool = False) -> float:
            """Wheel over the map's empty top-left corner (no region to hover and highlight there);
            returns how far the page moved the map up."""
            box = chart.bounding_box()
            page.mouse.move(box["x"] + 10, box["y"] + 10)
            if ctrl:
                page.keyboard.down("Control")
            page.mouse.wheel(0, dy)
            if ctrl:
                page.keyboard.up("Control")
            page.wait_for_timeout(1200)
            moved = box["y"] - chart.bounding_box()["y"]
            page.mouse.move(2, 2)
            return moved

        def picture() -> bytes:
            return settled_screenshot(page, chart, 10)  # a zoom or reset animates to its end

        assert wheel(300) > 100                                  # the page scrolled ...
        assert _changed_share(before, picture()) < 0.01           # ... and the map did not zoom
        assert abs(wheel(-400, ctrl=True)) < 5                   # Ctrl + wheel: the page stays
        zoomed = picture()
        assert _changed_share(before, zoomed) > 0.05              # and the map zoomed
        page.locator('[class*="st-key-cv_map_"][class*="_reset"] button').click()
        page.wait_for_timeout(3000)  # the button's rerun draws the map anew
        assert _changed_share(before, picture()) < 0.01           # 复位: the initial view again
        # a click into the map (its empty top-left corner) claims the wheel; one outside frees it
        chart.click(position={"x": 8, "y": 8})
        assert abs(wheel(-400)) < 5
        assert _changed_share(before, picture()) > 0.05
        box = chart.bounding_box()   # the legend's column, beside the map
        page.mouse.click(box["x"] + box["width"] + 30, box["y"] + box["height"] - 10)
        assert wheel(300) > 100
