"""User-supplied text (region/organisation names, file names) is rendered as text, never as HTML
or Markdown.

In headless Chromium: a township, a village and an organisation named like an HTML (and Markdown)
payload, and an upload whose file name is one, show as literal text on the dashboards, the meeting
slides and the batch history; no dialog fires, no remote image loads, no link is live.
Library level: the map tooltip (deck.gl sets innerHTML) gets escaped names; ``md_escape``; and
under AppTest, every Markdown element carrying an uploaded header, a region, indicator or user
name holds it escaped.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from sqlalchemy import insert, select, update

from lib.geo import deck as gd
from lib.ui.safe import WORD_JOINER as WJ, md_escape, md_join, md_table
from lib.warehouse.scope import Scope
from tests.browser_util import browser_page, require_browser, streamlit_server

XSS = "<img src=x onerror=alert(1)>"
IMG_MD = "![x](http://127.0.0.1:1/x.png)"  # Markdown: a remote image, a live link
LINK_MD = "[点我](http://evil.example)"
TOWN = "350111001000"
SHOWN_AS_TEXT = """(s) => document.body.innerText.includes(s)
    || [...document.querySelectorAll('input')].some((i) => (i.value || '').includes(s))"""
# md_escape puts an invisible word joiner (U+2060) after "://", "www" and "@": the text reads the same
IN_ELEMENT = """([sel, s]) => [...document.querySelectorAll(sel)].some(
    (e) => e.innerText.replaceAll('\\u2060', '').includes(s))"""


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
        conn.execute(update(s.region).where(s.region.c.code == TOWN).values(
            name=XSS + LINK_MD + IMG_MD))
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
    load_batch(engine, {"training": frame}, filename=f"{XSS}.csv", user="dev", scope=Scope.everything())


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
        for path in (f"/coverage?region={TOWN}", f"/training?region={TOWN}", "/upload",
                     f"/meeting?region={TOWN}"):
            page.goto(base + path)
            # the name as literal text: in the page's text or a widget's value (selectboxes)
            page.wait_for_function(SHOWN_AS_TEXT, arg=XSS, timeout=90_000)
            page.wait_for_timeout(1500)  # give an injected element time to load and fire
            assert page.locator('img[src="x"]').count() == 0, path
            # the township's Markdown name is literal text too: no image fetched, no live link
            assert page.locator('img[src*="127.0.0.1:1"]').count() == 0, path
            assert page.locator('a[href*="evil.example"]').count() == 0, path
            assert page.locator('[data-testid="stException"]').count() == 0, path
        assert not dialogs, dialogs
        # Markdown elements show the name exactly as typed (no backslash, nothing dropped)
        name = XSS + LINK_MD + IMG_MD
        page.goto(f"{base}/coverage?region={TOWN}")  # the header caption
        page.wait_for_function(IN_ELEMENT, arg=['[data-testid="stCaptionContainer"]', name],
                               timeout=90_000)
        page.goto(f"{base}/meeting?region={TOWN}")  # the slide title
        page.wait_for_function(IN_ELEMENT, arg=["h1", name], timeout=90_000)


# --- Markdown: user strings are text in every Markdown element -----------------------

HOSTILE_MD = f"{IMG_MD}{LINK_MD}<img src=x onerror=alert(1)>**b**`c`www.evil.example"
SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:&@")


def _no_live_markdown(value: str) -> None:
    """No construct of HOSTILE_MD is left live in a Markdown source ``value``.

    Our own HTML blocks (st.markdown with unsafe_allow_html, one line starting with <div>) are not
    parsed as Markdown: names in them are html.escape'd, so only tags are checked there."""
    if value.startswith("<div"):
        assert "<img" not in value and "<a " not in value, value
        return
    for live in ("](", "![", "http://", "**b**", "`c`", "www.evil"):
        assert live not in value, (live, value)
    assert re.search(r"(?<!\\)<", value) is None, value


def _unescape(md: str) -> str:
    return re.sub(r"\\(.)", r"\1", md)


@pytest.mark.parametrize("raw, escaped", [
    (IMG_MD, r"\!\[x\]\(http\://" + WJ + r"127\.0\.0\.1\:1/x\.png\)"),
    (LINK_MD, r"\[点我\]\(http\://" + WJ + r"evil\.example\)"),
    ("www.evil.example a@b.cn https://x",
     "www" + WJ + r"\.evil\.example a\@" + WJ + r"b\.cn https\://" + WJ + "x"),
    ("<img src=x>", r"\<img src=x\>"),
    ("**粗体** `code` $x$ | ~~s~~", r"\*\*粗体\*\* \`code\` \$x\$ \| \~\~s\~\~"),
    ("# 标题\n- 列表\r\n> 引用", r"\# 标题 \- 列表 \> 引用"),
    ("a\\b", "a\\\\b"),
    ("晋安区妇联 Women's work, 2024", "晋安区妇联 Women's work, 2024"),  # plain text unchanged
    (None, ""), (12.5, r"12\.5"),
])
def test_md_escape_examples(raw, escaped):
    assert md_escape(raw) == escaped


@settings(max_examples=500, deadline=None)
@given(hs.text())
def test_md_escape_escapes_every_special_character_and_loses_nothing(raw):
    out = md_escape(raw)
    assert "\n" not in out and "\r" not in out
    i = 0
    while i < len(out):  # every special character is behind a backslash of its own
        if out[i] == "\\":
            assert i + 1 < len(out) and out[i + 1] in SPECIAL, (raw, out)
            i += 2
            continue
        assert out[i] not in SPECIAL, (raw, out)
        i += 1
    assert _unescape(out).replace(WJ, "") == re.sub(r"[\r\n\u2028\u2029\x0b\x0c\x85]+", " ",
                                                     raw).replace(WJ, "")
    # nothing GFM would autolink is left: a word joiner right after every "://", "www." and "@"
    text = _unescape(out)
    for start in re.finditer(r"(?i)://|www(?=\.)|@", text):
        assert text[start.end():start.end() + 1] == WJ, (raw, out)


def test_md_join_and_md_table():
    assert md_join([LINK_MD, "晋安区"]) == md_escape(LINK_MD) + "、晋安区"
    frame = pd.DataFrame({IMG_MD: [LINK_MD, "ok"], "n": [1, 2]}).set_index(IMG_MD)
    out = md_table(frame.reset_index())
    assert list(out.columns) == [md_escape(IMG_MD), "n"]
    assert out.iloc[0, 0] == md_escape(LINK_MD) and out["n"].tolist() == [1, 2]
    indexed = md_table(frame.assign(name=[IMG_MD, "x"]))
    assert list(indexed.index) == [md_escape(LINK_MD), "ok"]
    assert indexed["name"].iloc[0] == md_escape(IMG_MD)


def _markdown_values(at) -> list[str]:
    kinds = ("markdown", "caption", "title", "subheader", "header", "error", "warning", "info",
             "success")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def _rename(engine, code: str, name: str) -> None:
    from lib.warehouse import schema as s

    with engine.begin() as conn:
        conn.execute(update(s.region).where(s.region.c.code == code).values(name=name))


@pytest.fixture
def auth_off(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")
    from lib.ui import data

    data.clear_cache()


def test_upload_headers_show_as_text(engine, auth_off):
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    csv = ("乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次,学时,"
           f"{IMG_MD},{LINK_MD}\n茶园街道,2024-05-06,维权普法,执委,线下,30,2,a,b\n").encode()
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
        at.file_uploader(key="up_file").upload("ledger.csv", csv, "text/csv").run()
    assert not at.exception, at.exception
    shown = _markdown_values(at)
    assert any(md_escape(IMG_MD) in v for v in shown) and any(md_escape(LINK_MD) in v for v in shown)
    for v in shown:
        _no_live_markdown(v)


def test_region_and_indicator_names_show_as_text(engine, auth_off):
    """A district and an indicator named like Markdown: the targets page's caption and headings,
    the meeting slide title and a dashboard's header show them as text."""
    from lib.warehouse import schema as s
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    _rename(engine, "350111000000", HOSTILE_MD)
    with engine.begin() as conn:
        conn.execute(update(s.indicator).where(s.indicator.c.code == "C01").values(name_zh=HOSTILE_MD))
    url, schema = _url(engine)
    region = {"region": "350111000000"}
    with app_env(url, schema=schema, demo=False):
        pages = {p: run_page(p, query=region) for p in ("views/targets.py", "views/meeting.py",
                                                           "views/coverage.py")}
    for page, at in pages.items():
        assert not at.exception, (page, at.exception)
        shown = _markdown_values(at)
        assert any(md_escape(HOSTILE_MD) in v for v in shown), (page, shown)
        for v in shown:
            _no_live_markdown(v)
    targets = _markdown_values(pages["views/targets.py"])
    assert sum(md_escape(HOSTILE_MD) in v for v in targets) >= 2  # the region and the indicator
    assert pages["views/meeting.py"].title[-1].value.startswith(md_escape(HOSTILE_MD))


def test_username_in_the_sidebar_shows_as_text(engine, monkeypatch):
    from lib.auth import accounts
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url
    from tests.test_auth import PW

    name = "__vera__@evil.example"  # a valid username: bold and a mailto link if left as Markdown
    accounts.create_user(engine, name, PW, "viewer", "350111000000")
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False, auth=True):
        at = run_page()
        at.text_input(key="login_user").input(name)
        at.text_input(key="login_password").input(PW)
        at.button(key="login_submit").click().run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert any(md_escape(name) in c for c in captions), captions
    assert not any("__vera__" in c or "evil.example" in c for c in captions)
