"""In headless Chromium: the maps draw what their legend says, and the page fetches nothing from
outside this server (issue 11: the township map was one solid block; the tab icon came from a public
font host an intranet cannot reach)."""
from __future__ import annotations

import io
from collections import Counter
from urllib.parse import urlparse

import pytest

from tests.browser_util import browser_page, map_screenshot, require_browser, streamlit_server

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
