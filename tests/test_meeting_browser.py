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

from tests.browser_util import browser_page, require_browser, shot, streamlit_server
from lib.warehouse.scope import Scope

PG_URL = os.environ.get("HALFSKY_TEST_PG_URL")
COUNTER = "[data-testid='stMain'] .m-count"
SLIDES = 7  # headline figures, four areas, target warnings, follow-up items
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
    load_batch(engine, {"training": frame}, filename="during_meeting.csv", user="test", scope=Scope.everything())


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


# --- the screen for the back of the room --------------------------------------

# Every visible text on the page: its colour (with the opacity of its ancestors) against the colour
# it is drawn on (the first opaque background up the tree, semi-transparent layers blended in), and
# the WCAG 2 contrast ratio it needs: 3:1 for large type (24 px, or 18.66 px bold), else 4.5:1.
CONTRAST_JS = """
() => {
  const parse = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (fg, bg) => [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat([1]);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const hasText = (el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  const out = [];
  let checked = 0;
  for (const el of document.body.querySelectorAll("*")) {
    if (["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(el.tagName) || el.closest("svg")) continue;
    const isInput = el.tagName === "INPUT" && el.value;
    if (!isInput && !hasText(el)) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;  // visually hidden (a skip link)
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    fg[3] *= opacity(el);
    const bg = background(el);
    const a = lum(over(fg, bg)), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    checked += 1;
    if (ratio < need) {
      out.push({text: (isInput ? el.value : el.textContent).trim().slice(0, 40), color: style.color,
                background: "rgb(" + bg.slice(0, 3).map(Math.round).join(",") + ")",
                ratio: Math.round(ratio * 100) / 100, need});
    }
  }
  return {checked, failures: out};
}
"""
# Metric labels (and values, changes and button labels) that do not fit: wider content than box means cut off.
TRUNCATED_JS = """
() => [...document.querySelectorAll(
    "[data-testid='stMetricLabel'], [data-testid='stMetricLabel'] *, "
    + "[data-testid='stMetricValue'], [data-testid='stMetricValue'] *, "
    + "[data-testid='stMetricDelta'] *, [data-testid='stMain'] button p")]
  .filter((e) => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
  .map((e) => e.textContent.trim())
"""
# A Material icon that rendered as a glyph: one icon-sized square. Without the icon font the
# ligature name ("pause") would show as a word several times wider, and a missing glyph as a box
# inside a wider fallback text.
ICON_JS = """
(key) => {
  const icon = document.querySelector(".st-key-" + key + " [data-testid='stIconMaterial']");
  if (!icon) return null;
  const r = icon.getBoundingClientRect();
  return {name: icon.textContent, width: r.width, height: r.height,
          font: getComputedStyle(icon).fontFamily};
}
"""


def _wait_slide(page, i: int, lang: str = "zh") -> None:
    prefix = f"第 {i} /" if lang == "zh" else f"Slide {i} of"
    page.wait_for_function("([sel, prefix]) => { const c = document.querySelector(sel);"
                           " return c && c.innerText.startsWith(prefix); }",
                           arg=[COUNTER, prefix], timeout=30_000)


def _settled(page, has_chart: bool) -> None:
    """The slide's elements are drawn (no stale elements of the previous run left)."""
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=20_000)
    if has_chart:
        page.wait_for_selector("[data-testid='stMain'] [data-testid='stVegaLiteChart'] canvas,"
                               "[data-testid='stMain'] [data-testid='stVegaLiteChart'] svg",
                               timeout=20_000)
    page.wait_for_timeout(400)


def _check_slide(page, where: str) -> None:
    result = page.evaluate(CONTRAST_JS)
    assert result["checked"] > 10, (where, result)
    assert not result["failures"], (where, result["failures"])
    assert not page.evaluate(TRUNCATED_JS), where


def _icon_ok(page, key: str, name: str) -> None:
    icon = page.evaluate(ICON_JS, key)
    assert icon and icon["name"] == name, icon
    assert "Material Symbols" in icon["font"], icon
    assert icon["width"] <= 1.5 * icon["height"], icon  # a glyph, not the word "pause" or a box


def test_meeting_screen_reads_from_the_back_of_the_room(pg_schema):
    """At 1920×1080 on the demo: every text has WCAG contrast, no metric label is cut off, each
    slide says 示例数据, the keys of a presenter remote drive the deck and Esc leaves it."""
    require_browser()
    engine, schema = pg_schema
    from lib import clock
    from tests.test_meeting_followup import seed, specs

    seed(engine, specs(clock.today()))  # the follow-up slide has items to chart
    env = {"HALFSKY_DB_URL": PG_URL, "HALFSKY_DB_SCHEMA": schema, "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": "off", "HALFSKY_TODAY": "2026-11-30"}
    with streamlit_server(env) as base, browser_page(1920, 1080) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/meeting?interval=600")
        page.wait_for_selector(METRICS, timeout=90_000)
        _wait_slide(page, 1)
        for i in range(1, SLIDES + 1):  # every slide, moved on with the → key
            _settled(page, has_chart=2 <= i <= 5 or i == SLIDES)
            _check_slide(page, f"slide {i}")
            assert page.locator("[data-testid='stMain'] .m-demo").inner_text() == "示例数据"
            if i == SLIDES:  # 督办事项落实情况: three counts and the grouped chart by district
                assert page.locator("[data-testid='stMain'] h1").last.inner_text() == "督办事项落实情况"
                assert page.locator(METRICS).count() == 3
                shot(page, "meeting_followup")
            page.keyboard.press("ArrowRight")
            _wait_slide(page, i % SLIDES + 1)
        # presenter remotes send PageDown / PageUp; ← goes back and wraps
        page.keyboard.press("PageDown")
        _wait_slide(page, 2)
        page.keyboard.press("PageUp")
        _wait_slide(page, 1)
        page.keyboard.press("ArrowLeft")
        _wait_slide(page, SLIDES)
        # space pauses (the button turns into 继续 with a play icon) and resumes
        _icon_ok(page, "m_pause", "pause")
        page.keyboard.press(" ")
        page.wait_for_function("() => document.querySelector('.st-key-m_pause button')"
                               ".innerText.includes('继续')", timeout=20_000)
        _icon_ok(page, "m_pause", "play_arrow")
        _settled(page, has_chart=False)
        _check_slide(page, "paused")  # the highlighted resume button too
        page.keyboard.press(" ")
        page.wait_for_function("() => document.querySelector('.st-key-m_pause button')"
                               ".innerText.includes('暂停')", timeout=20_000)
        assert page.locator(".st-key-m_exit button").inner_text().endswith("退出会议模式")
        page.keyboard.press("Escape")  # leaves meeting mode for the overview
        page.wait_for_url(lambda url: "/meeting" not in url, timeout=30_000)  # the start page
        page.wait_for_selector("[data-testid='stSidebar']", timeout=30_000)
        assert page.locator(COUNTER).count() == 0
        assert page.locator("[data-testid='stException']").count() == 0
        assert not errors, errors

        # 1920×1080 at 150 % display scaling (common on Windows PCs at a projector) is a page of
        # 1280×720: labels wrap and figures shrink instead of being cut off
        page.set_viewport_size({"width": 1280, "height": 720})
        for lang in ("zh", "en"):
            page.goto(base + f"/meeting?interval=600&lang={lang}")
            page.wait_for_selector(METRICS, timeout=60_000)
            _wait_slide(page, 1, lang)
            _settled(page, has_chart=False)
            _check_slide(page, f"{lang} 1280 slide 1")
            mark = page.locator("[data-testid='stMain'] .m-demo").inner_text()
            assert mark == ("示例数据" if lang == "zh" else "Demo data")
        page.keyboard.press("ArrowRight")
        _wait_slide(page, 2, "en")
        _settled(page, has_chart=True)
        _check_slide(page, "en 1280 slide 2")
