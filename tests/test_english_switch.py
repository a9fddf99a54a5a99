"""The English switch is complete: after choosing English in the sidebar, no Chinese is
left in the sidebar's widgets and captions nor in any dashboard page's headings, cards, widgets and
captions, except region names (data values) and the language picker itself, which names each
language in its own script so a reader of either can find it."""
import re

import pytest
from sqlalchemy import text

from lib.i18n import TEXT, t
from lib.ui import nav
from tests.apptest_util import app_env, run_page
from tests.test_app import _url

PAGES = [p.path for p in nav.PAGES]  # every page of the (development) admin's navigation
VIEWS = ["350111000000", "350111100000"]  # a district and a township of it
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")
KINDS = ("title", "header", "subheader", "caption", "button", "download_button", "selectbox",
         "radio", "multiselect", "toggle", "checkbox", "number_input", "text_input", "info",
         "warning", "error", "success")


@pytest.fixture(autouse=True)
def _no_login(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")


def region_names(engine) -> list[str]:
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("select name from region"))]
    return sorted({n for n in names if n}, key=len, reverse=True)  # longest first


def texts(root) -> list[tuple[str, str]]:
    """(where, text) of every label, option shown, heading, card and caption under ``root``."""
    out = []
    for kind in KINDS:
        for e in getattr(root, kind):
            if getattr(e, "key", None) == "f_lang":
                continue  # 语言 Language / 简体中文 English: each language in its own script
            for attr in ("label", "value", "body", "placeholder"):
                v = getattr(e, attr, None)
                if isinstance(v, str) and (attr != "value" or kind not in ("text_input",)):
                    out.append((f"{kind}.{attr}", v))
            try:
                out += [(f"{kind}.option", str(o)) for o in e.options]
            except AttributeError:
                pass
    for m in root.metric:
        out += [("metric", m.proto.label), ("metric", m.proto.body), ("metric", m.proto.delta)]
    return out


def leftover(items, names) -> list[tuple[str, str]]:
    bad = []
    for where, value in items:
        stripped = value
        for n in names:
            stripped = stripped.replace(n, "")
        if t("sources", "en") in stripped:
            # the map's credit line names its sources as they publish themselves (lib/geo)
            continue
        if HAN.search(stripped):
            bad.append((where, value))
    return bad


def test_leftover_finds_chinese_but_not_region_names():
    assert leftover([("caption", "Aided：65"), ("caption", "筛查")], []) == [
        ("caption", "Aided：65"), ("caption", "筛查")]
    assert leftover([("caption", "晋安区 · Jan 2026")], ["晋安区"]) == []


def test_navigation_titles_have_english():
    for p in nav.PAGES:
        assert not HAN.search(t(p.title_key, "en")), p.title_key


def test_switching_to_english_leaves_no_chinese(demo_engine):
    url, schema = _url(demo_engine)
    names = region_names(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(query={"region": VIEWS[0]})
        assert not at.exception, at.exception
        assert at.title[0].value == t("app_title", "zh")  # Chinese by default
        at.selectbox(key="f_lang").set_value("en").run()
        assert not at.exception, at.exception
        assert at.title[0].value == t("app_title", "en")
        problems = []
        for region in VIEWS:
            assert at.session_state["_filters"].region_code == region
            for page in PAGES:
                at.switch_page(page).run()
                assert not at.exception, (page, at.exception)
                assert at.session_state["f_lang"] == "en"
                main = texts(at.main)
                assert any(w.startswith("title") for w, _ in main), page  # the page did draw
                problems += [(region, page, "sidebar", *x)
                             for x in leftover(texts(at.sidebar), names)]
                problems += [(region, page, "main", *x) for x in leftover(main, names)]
            at.selectbox(key="f_township").set_value(VIEWS[1]).run()  # the township next
        assert not problems, "\n".join(map(str, problems))


def test_every_text_key_has_english():
    """A key without English would fall back to Chinese inside the English UI."""
    missing = [k for k, v in TEXT.items() if isinstance(v, dict) and not v.get("en")]
    assert not missing, missing


def test_long_chart_titles_wrap_instead_of_being_cut():
    from lib.charts.common import TITLE_LINE, bars, title_lines
    import pandas as pd

    long = t("by_type", "en")
    lines = title_lines(long, "en")
    assert " ".join(lines) == long and all(len(x) <= TITLE_LINE["en"] for x in lines)
    assert title_lines("趋势", "zh") == "趋势"
    spec = bars(pd.DataFrame({"c": ["a"], "v": [1.0], "k": ["x"]}), category="c", value="v",
                title=long, value_title="", color="k", lang="en").to_dict()
    assert spec["title"] == lines
    assert spec["encoding"]["color"]["legend"]["orient"] == "bottom"  # not squeezing the plot
