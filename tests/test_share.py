"""分享图片: the PNG itself (opened, measured, its watermark and demo banner found in its pixels),
the map drawn in the page's own classes, and the button on every dashboard page and meeting slide
for every role, with the picture's figures those of the page and of the reader's scope only."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from lib.share import fonts
from lib.share import picture as P
from lib.share.parts import card_from, table_lines
from lib.share.picture import ShareCard, SharePicture, compose, share_png, wrap
from tests.conftest import BACKENDS

MADE = dt.datetime(2026, 12, 7, 14, 5)


@pytest.fixture(scope="module", autouse=True)
def _cjk_font():
    """Every picture needs a Chinese font; CI installs fonts-noto-cjk (.ci/run) and requires it."""
    try:
        fonts.find_face()
    except fonts.MissingFont:
        if os.environ.get("HALFSKY_REQUIRE_BROWSER"):
            raise
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")


def _chart(width: int = P.CONTENT, height: int = 600, color=(44, 127, 184)) -> bytes:
    img = Image.new("RGB", (width, height), (255, 255, 255))
    img.paste(color, (40, 40, width - 40, height - 40))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _spec(**kw) -> SharePicture:
    base = dict(
        title="总览", region="晋安区", period="2026年1月 – 2026年11月",
        as_of="截至 2026年11月30日",
        cards=(ShareCard("村（社区）妇联覆盖率", "98.7%", "+1.2 pp 较上年同期", "good", "up"),
               ShareCard("参训人次", "1.2万", "-3.4% 较上年同期", "bad", "down"),
               ShareCard("提供岗位数", "3,456", "— 较上年同期"),
               ShareCard("筛查人数", "2.3万", "+5.0% 较上年同期", "good", "up")),
        reading=("晋安区参训人次一点二万人次较上年同期下降。", "覆盖率高于上年同期。", "筛查人数两万三千。"),
        source="数据来源：示例数据（程序按固定种子生成，非真实数据）",
        account="wang", made_at=MADE)
    base.update(kw)
    return SharePicture(**base)


def _pixels(spec: SharePicture) -> tuple[np.ndarray, P.Layout]:
    png = share_png(spec)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    _, layout = compose(spec)
    return np.asarray(img.convert("RGB")).astype(int), layout


def _crop(px: np.ndarray, box: P.Box) -> np.ndarray:
    return px[box.top:box.bottom, box.left:box.right]


def _ink(region: np.ndarray) -> np.ndarray:
    """Pixels of text or drawing: well darker than the white page and its faint watermark."""
    return region.sum(axis=2) < 450


# --- the picture --------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    {},
    {"chart_png": _chart()},
    {"cards": (), "reading": (), "as_of": "", "source": ""},
    # overfull: five cards, a very tall chart, many lines, long sentences: capped, nothing lost
    {"chart_png": _chart(height=3000), "lines": tuple(f"指标{i}：最新值 {i}.0%" for i in range(12)),
     "cards": tuple(ShareCard(f"卡片{i}", f"{i}万", "+1.0% 较上年同期", "good", "up")
                    for i in range(5)),
     "reading": tuple("很长的一句话" * 20 for _ in range(6))},
], ids=["cards+reading", "chart", "title only", "overfull"])
def test_the_picture_is_a_png_1080_wide_within_bounds(kw):
    spec = _spec(**kw)
    png = share_png(spec)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(png))
    assert img.width == P.WIDTH == 1080
    assert 200 <= img.height <= P.MAX_HEIGHT == 2400
    _, layout = compose(spec)
    assert layout.height == img.height
    for box in layout.boxes.values():  # every block lies inside the picture: none cut off
        assert 0 < box.top < box.bottom <= img.height and box.right <= img.width
    if "source" in layout.boxes:
        assert layout.boxes["source"].bottom <= img.height - 20  # the source line is last, whole


def test_text_is_drawn_at_phone_sizes():
    """Measured in the pixels: the title's glyphs at least 40 px tall (TITLE_PX 56), a reading
    line's at least 22 px (READING_PX 32): legible on a phone that scales 1080 px to 390."""
    assert P.TITLE_PX >= 48 and min(P.BODY_PX, P.READING_PX, P.SUBTITLE_PX) >= 30
    px, layout = _pixels(_spec(title="晋安区培训", reading=("晋安区培训参训人次很多。",)))

    def first_band(region: np.ndarray) -> int:
        dark = (region[:, :, 0] < 90) & (region[:, :, 1] < 90)  # the ink, not the brand red
        rows = np.flatnonzero(dark.any(axis=1))
        band = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)[0]
        return int(band[-1] - band[0] + 1)

    assert first_band(_crop(px, layout.boxes["header"])) >= 40
    assert first_band(_crop(px, layout.boxes["reading"])[60:]) >= 22  # below its heading


def test_every_text_block_has_ink():
    px, layout = _pixels(_spec(lines=("指标甲：最新值 85.0% · 目标值 90.0%",), chart_png=_chart()))
    assert set(layout.boxes) == {"header", "cards", "chart", "lines", "reading", "source"}
    for name in ("header", "cards", "lines", "reading", "source"):
        ink = _ink(_crop(px, layout.boxes[name])).mean()
        assert ink > 0.01, f"{name} is empty"


def test_the_reading_shows_three_sentences_at_most():
    five = _spec(reading=tuple(f"第{i}句话。" for i in range(5)))
    three = _spec(reading=tuple(f"第{i}句话。" for i in range(3)))
    assert compose(five)[1].sentences == 3
    assert share_png(five) == share_png(three)


def test_a_tall_chart_gives_way_before_the_reading_and_the_source_stays():
    spec = _spec(chart_png=_chart(height=4000))
    _, layout = compose(spec)
    assert layout.height <= P.MAX_HEIGHT
    assert layout.sentences == 3  # the chart shrank; the reading kept its three sentences
    assert layout.boxes["chart"].height >= P.MIN_CHART_HEIGHT
    assert "source" in layout.boxes


def test_a_chart_drawn_to_its_room_is_not_scaled():
    text = _spec()
    room = P.chart_room(text)
    assert P.CHART_ROOM <= room < P.MAX_HEIGHT
    from dataclasses import replace
    spec = replace(text, chart_png=_chart(height=room))
    _, layout = compose(spec)
    assert layout.boxes["chart"].height == room and layout.height <= P.MAX_HEIGHT
    assert layout.sentences == 3


def test_the_watermark_is_faint_tiled_and_names_the_account():
    with_mark, layout = _pixels(_spec())
    without, _ = _pixels(_spec(account=""))
    diff = np.abs(with_mark - without).max(axis=2)
    marked = diff > 3
    assert marked.mean() > 0.01  # present
    assert diff.max() <= 45  # faint: at most ~18 % of the way to black anywhere
    page = without.sum(axis=2) == 765  # white page: there the mark is its own faint grey
    assert 12 <= diff[page & marked].max() <= 35
    h, w = marked.shape  # tiled: every ninth of the picture carries some of it
    for i in range(3):
        for j in range(3):
            assert marked[i * h // 3:(i + 1) * h // 3, j * w // 3:(j + 1) * w // 3].any(), (i, j)
    other, _ = _pixels(_spec(account="li"))
    assert (np.abs(other - with_mark).max(axis=2) > 3).any()  # another account, another mark


@pytest.mark.parametrize("lang, expected", [
    ("zh", "账号 wang · 2026-12-07 14:05"), ("en", "Account wang · 2026-12-07 14:05")])
def test_watermark_text(lang, expected):
    assert P.watermark_text(_spec(lang=lang)) == expected


def _yellow(region: np.ndarray) -> np.ndarray:
    return (np.abs(region - np.array(P.DEMO_BG)) <= 30).all(axis=2)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_demo_banner_is_drawn_with_demo_data_only(lang):
    px, layout = _pixels(_spec(demo=True, lang=lang))
    banner = layout.boxes["demo"]
    assert banner.top < layout.boxes["cards"].top  # above the figures
    region = _crop(px, banner)
    assert _yellow(region).mean() > 0.6  # the banner's yellow under its words
    assert _ink(region).mean() > 0.02  # and the words
    plain, plain_layout = _pixels(_spec(demo=False, lang=lang))
    assert "demo" not in plain_layout.boxes
    assert not _yellow(plain).any()  # no banner anywhere
    assert plain.shape[0] < px.shape[0]


@pytest.mark.parametrize("text, width, expect", [
    ("参训人次排名靠前的是岳峰镇（6,691）、鼓山镇（5,796）、新店镇（4,901）。", 600,
     ["参训人次排名靠前的是岳峰镇（6,691）、", "鼓山镇（5,796）、新店镇（4,901）。"]),
    ("Exec training coverage (visit-based) and more words here", 400,
     ["Exec training coverage", "(visit-based) and more", "words here"]),
])
def test_wrap_keeps_numbers_brackets_and_punctuation_together(text, width, expect):
    size = 32 if re.search("[\u4e00-\u9fff]", text) else 30
    assert wrap(text, size, width) == expect


@pytest.mark.parametrize("delta, color, arrow, tone, way", [
    ("+1.2 pp 较上年同期", "normal", "auto", "good", "up"),
    ("-3.4% 较上年同期", "normal", "auto", "bad", "down"),
    ("-0.4 pp 较上年同期", "inverse", "auto", "good", "down"),  # a falling abnormal rate
    ("+0.4 pp 较上年同期", "inverse", "auto", "bad", "up"),
    ("— 较上年同期", "off", "off", "off", ""),
    ("0.0% 较上年同期", "off", "off", "off", ""),
    ("无上年同期数据", "off", "off", "off", ""),
    (None, "normal", "auto", "off", ""),
])
def test_cards_are_coloured_as_st_metric_colours_them(delta, color, arrow, tone, way):
    from lib.metrics.cards import Card

    got = card_from(Card("参训人次", "1.2万", delta, color, arrow))
    assert (got.label, got.value, got.delta, got.tone, got.arrow) == (
        "参训人次", "1.2万", delta or "", tone, way)


def test_a_table_is_one_line_a_row():
    table = pd.DataFrame({"指标": ["甲", "乙"], "最新值": ["85.0%", "—"], "状态": ["滞后", "有风险"]})
    assert table_lines(table) == ("甲：最新值 85.0% · 状态 滞后", "乙：最新值 — · 状态 有风险")
    assert table_lines(None) == () and table_lines(table.iloc[:0]) == ()


def test_without_a_chinese_font_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "_fontconfig", lambda pattern: [])
    monkeypatch.setattr(fonts, "KNOWN_FILES", ("/nonexistent/font-{style}.ttc",))
    fonts.find_face.cache_clear()
    fonts.font.cache_clear()
    try:
        with pytest.raises(fonts.MissingFont, match="fonts-noto-cjk"):
            fonts.find_face()
    finally:
        monkeypatch.undo()
        fonts.find_face.cache_clear()
        fonts.font.cache_clear()
    assert fonts.find_face().name  # found again


def test_the_font_is_the_pages_noto_sans_cjk_sc():
    from lib.charts.common import FONT

    assert FONT.startswith(fonts.FAMILY)
    regular, bold = fonts.find_face(), fonts.find_face(bold=True)
    assert regular.name == "Noto Sans CJK SC Regular" and bold.name == "Noto Sans CJK SC Bold"


# --- the chart and the map, drawn for the picture ----------------------------------------------------

FUZHOU = {"350102000000": "鼓楼区", "350103000000": "台江区", "350104000000": "仓山区",
          "350105000000": "马尾区", "350111000000": "晋安区", "350112000000": "长乐区",
          "350121000000": "闽侯县", "350122000000": "连江县", "350123000000": "罗源县",
          "350124000000": "闽清县", "350125000000": "永泰县", "350128000000": "平潭县",
          "350181000000": "福清市"}


def _districts(missing: int = 1) -> pd.DataFrame:
    values = np.linspace(0.81, 0.99, len(FUZHOU))
    values[:missing] = np.nan  # 鼓楼区 without a value: 无数据
    return pd.DataFrame({"region_code": list(FUZHOU), "name": list(FUZHOU.values()),
                         "value": values})


def _hex(rgba) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgba[:3])


def _deck_fills(view) -> dict[str, str]:
    deck = json.loads(view.deck.to_json())
    layer = next(x for x in deck["layers"] if x["id"] == "regions")
    return {f["properties"]["region_code"]: _hex(f["properties"]["fill"])
            for f in layer["data"]["features"]}


def test_the_pictures_map_has_the_pages_classes_and_colours():
    from lib.geo.deck import build_map
    from lib.geo.shapes import polygon_shapes
    from lib.geo.static import map_spec

    frame = _districts()
    shapes = polygon_shapes(list(FUZHOU), "district")
    view = build_map(frame, "district", "zh", "覆盖率", "percent", shapes=shapes)
    spec = map_spec(frame, "zh", "覆盖率", "percent", shapes=shapes, title="各区（县）覆盖率")
    layers = {x["data"]["name"]: x for x in spec["layer"] if "name" in x.get("data", {})}
    scale = layers["regions"]["encoding"]["color"]["scale"]
    assert list(zip(scale["range"], scale["domain"])) == [tuple(x) for x in view.legend]
    assert scale["domain"][-1] == "无数据"
    colour_of = dict(zip(scale["domain"], scale["range"]))
    drawn = {code: colour_of[f["properties"]["cls"]]
             for code, f in zip(shapes.polygons["region_code"], spec["datasets"]["regions"])}
    assert drawn == _deck_fills(view)  # every region: the page's colour
    assert len(set(drawn.values())) >= 4


def test_township_seats_are_circles_over_district_outlines():
    from lib.geo.deck import build_map
    from lib.geo.shapes import township_shapes
    from lib.geo.static import map_spec
    from lib.share.render import chart_png

    codes = [f"350111{i:03d}000" for i in range(1, 6)]
    regions = pd.DataFrame({"code": codes, "parent_code": "350111000000",
                            "seat_lon": np.linspace(119.25, 119.40, 5),
                            "seat_lat": np.linspace(26.08, 26.35, 5)})
    boundaries = pd.DataFrame({"region_code": [], "geometry": [], "source": []})
    shapes = township_shapes(regions, boundaries, codes)
    frame = pd.DataFrame({"region_code": codes, "name": [f"镇{i}" for i in range(5)],
                          "value": [120, 300, 450, 800, 1500], "denominator": [10, 20, 30, 40, 50]})
    view = build_map(frame, "township", "zh", "参训人次", "count", shapes=shapes)
    spec = map_spec(frame, "zh", "参训人次", "count", shapes=shapes)
    circles = next(x for x in spec["layer"] if x["mark"]["type"] == "circle")
    scale = circles["encoding"]["color"]["scale"]
    assert list(zip(scale["range"], scale["domain"])) == [tuple(x) for x in view.legend]
    assert "outlines" in spec["datasets"] and spec["projection"]["type"] == "mercator"
    png = Image.open(io.BytesIO(chart_png(spec, "map")))
    assert png.width == P.CONTENT


def test_a_chart_is_drawn_as_wide_as_the_picture_and_within_its_room():
    from lib.charts import common as charts
    from lib.share.render import chart_png, sized_spec

    frame = pd.DataFrame({"name": ["甲镇", "乙镇", "丙镇"], "value": [0.8, 0.9, 0.95]})
    chart = charts.bars(frame, category="name", value="value", title="覆盖率", value_title="",
                        percent=True)
    spec = sized_spec(chart)
    assert spec["config"]["axis"]["labelFontSize"] * 2 >= P.BODY_PX
    img = Image.open(io.BytesIO(chart_png(chart, "chart", max_px=400)))
    assert img.width == P.CONTENT and img.height <= 400


# --- the button on every page, the picture of the page's own figures ----------------------------------

PAGES = ["overview", "coverage", "training", "employment", "screening", "targets"]


@contextlib.contextmanager
def _recording(book: dict, pictures: list, specs: list):
    """Every deferred download the run offered (file id → callable, name), and, once called,
    every SharePicture composed and every Vega-Lite spec drawn for it."""
    import vl_convert
    from streamlit.runtime.media_file_manager import MediaFileManager

    from lib.ui import share_ui

    add_deferred = MediaFileManager.add_deferred
    real_png, real_vl = share_ui.share_png, vl_convert.vegalite_to_png

    def rec_deferred(mgr, fn, mimetype, coordinates, file_name=None, *a, **kw):
        fid = add_deferred(mgr, fn, mimetype, coordinates, file_name, *a, **kw)
        book[fid] = (fn, mimetype, file_name)
        return fid

    def rec_png(spec):
        pictures.append(spec)
        return real_png(spec)

    def rec_vl(spec, *a, **kw):
        specs.append(spec)
        return real_vl(spec, *a, **kw)

    with mock.patch.object(MediaFileManager, "add_deferred", rec_deferred), \
            mock.patch.object(share_ui, "share_png", rec_png), \
            mock.patch.object(vl_convert, "vegalite_to_png", rec_vl):
        yield


def _share(at, book: dict) -> tuple:
    """The share button of the run, and its (callable, mime, file name)."""
    buttons = [b for b in at.get("download_button") if b.proto.label in ("分享图片", "Share picture")]
    assert len(buttons) == 1, [b.proto.label for b in at.get("download_button")]
    return buttons[0], book[buttons[0].proto.deferred_file_id]


def _png(payload) -> Image.Image:
    img = Image.open(io.BytesIO(payload))
    assert img.format == "PNG" and img.width == 1080 and img.height <= 2400
    return img


@pytest.mark.parametrize("page", PAGES + ["meeting"])
def test_every_page_and_slide_shares_a_picture_of_its_own_figures(demo_engine, page):
    from lib.ui import data
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    url, schema = _url(demo_engine)
    book, pictures, specs = {}, [], []
    data.clear_cache()
    with app_env(url, schema=schema), _recording(book, pictures, specs):
        at = run_page(f"views/{page}.py", query={"region": "350111000000"})
        assert not at.exception, at.exception
        button, (build, mime, name) = _share(at, book)
        assert mime == "image/png" and button.proto.help
        assert re.fullmatch(rf"halfsky-{page}(-1)?-晋安区-\d{{4}}-\d{{2}}-\d{{2}}\.png", name), name
        _png(build())
        if page == "meeting":  # the first slide holds the headline cards; the second a chart
            shown = [(m.label, m.value, m.proto.delta) for m in at.metric]
            at.button(key="m_forward").click().run()
            _, (build, _, name) = _share(at, book)
            assert name.startswith("halfsky-meeting-2-晋安区-")
            _png(build())
            first, spec = pictures
            assert [(c.label, c.value, c.delta) for c in first.cards] == shown
            assert first.chart_png is None and spec.title == "组织覆盖"
    spec = pictures[-1]
    assert spec.region == "晋安区" and spec.demo and "示例数据" in spec.source
    assert spec.account == "dev" and spec.made_at is not None  # the development admin
    assert spec.as_of.startswith("截至") or spec.as_of.startswith("数据截至")
    shown = [(m.label, m.value, m.proto.delta) for m in at.metric]
    drawn = [(c.label, c.value, c.delta) for c in spec.cards]
    if page == "targets":  # no cards on the page: the status counts of its table
        assert [c.label for c in spec.cards] and all(c.value.isdigit() for c in spec.cards)
        assert spec.lines  # its warning list
    else:
        assert drawn == shown  # the very cards the page shows (a slide's: the slide's)
    assert 1 <= len(spec.reading) <= 3
    assert spec.chart_png is not None and specs, "the page's map or main chart"
    if page in ("overview", "coverage", "training", "screening"):  # a district: its townships
        assert any('"mercator"' in s for s in specs) and "OpenStreetMap" in spec.source


def test_english_picture_and_a_township_without_map(demo_engine):
    from lib.ui import data
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    url, schema = _url(demo_engine)
    book, pictures, specs = {}, [], []
    data.clear_cache()
    with app_env(url, schema=schema), _recording(book, pictures, specs):
        at = run_page("views/training.py", query={"region": "350111001000", "lang": "en"})
        assert not at.exception, at.exception
        _, (build, _, name) = _share(at, book)
        _png(build())
    [spec] = pictures
    assert spec.lang == "en" and spec.title == "Training" and spec.source.startswith("Sources")
    assert not any('"mercator"' in s for s in specs)  # villages have no map: the trend instead
    assert P.watermark_text(spec).startswith("Account dev · ")


# --- roles and scope: a 晋安区 account's picture holds nothing of 鼓楼区 -------------------------------

TODAY = dt.date(2026, 11, 30)
USERS = {"vera": ("viewer", "350111000000"), "ana": ("analyst", "350111000000"),
         "adam": ("admin", "350111000000")}


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """A few 晋安区 rows, the 鼓楼区 probe (tests/leak_util), the three 晋安区 accounts and a city
    admin ``root``; one per backend for the module."""
    from tests import leak_util as L
    from tests.conftest import _open
    from tests.test_app import _url
    from tests.test_auth import PW

    engine, _u, drop = _open(request.param, tmp_path_factory.mktemp(f"share_{request.param}"))
    L.plant(engine, USERS, PW, today=TODAY, gulou_village="350102001001", demo=False)
    yield engine, *_url(engine)
    drop()


class _Session:
    """One browser session through the login form, recording what its share buttons would build."""

    def __init__(self, world, username: str, query: dict | None = None):
        from tests.apptest_util import run_page
        from tests.test_auth import PW

        self.world = world
        self.book, self.pictures, self.specs = {}, [], []
        with self._env():
            self.at = run_page(query=query)
        self.at.text_input(key="login_user").input(username)
        self.at.text_input(key="login_password").input(PW)
        self.at.button(key="login_submit").click()
        self.run()
        assert not self.at.exception, self.at.exception

    @contextlib.contextmanager
    def _env(self):
        from tests.apptest_util import app_env

        _engine, url, schema = self.world
        with app_env(url, schema=schema, demo=False, auth=True), \
                mock.patch.dict(os.environ, {"HALFSKY_TODAY": TODAY.isoformat()}), \
                _recording(self.book, self.pictures, self.specs):
            yield

    def run(self):
        with self._env():
            self.at.run()
        return self.at

    def open(self, page: str):
        self.at.switch_page(page)
        return self.run()

    def build(self, at) -> Image.Image:
        _, (build, _, _) = _share(at, self.book)
        with self._env():
            return _png(build())


def _received(s: _Session):
    """Everything the session's pictures say: each text field and the specs of their charts."""
    from tests import leak_util as L

    out = L.Harvest()
    for i, p in enumerate(s.pictures):
        texts = [p.title, p.region, p.period, p.as_of, p.source, P.watermark_text(p),
                 *p.reading, *p.lines, *(x for c in p.cards for x in (c.label, c.value, c.delta))]
        for j, text in enumerate(texts):
            L.walk_text(text, f"picture[{i}].text[{j}]", out)
    for i, spec in enumerate(s.specs):
        L.walk_text(spec, f"chart[{i}]", out)
    return out


@pytest.mark.parametrize("user", list(USERS))
def test_every_role_has_the_button_and_its_picture_stays_in_scope(world, user):
    from lib.warehouse.queries import regions_table
    from tests import leak_util as L

    s = _Session(world, user)
    for page in PAGES + ["meeting"]:
        at = s.open(f"views/{page}.py")
        assert not at.exception, (page, at.exception)
        s.build(at)
    assert len(s.pictures) == len(PAGES) + 1
    assert {p.account for p in s.pictures} == {user}
    got = _received(s)
    assert len(got.items) > 100, "almost nothing was read: the harvest is broken"
    rules = L.rules_for(regions_table(world[0]), "350111")
    leaks = L.find_leaks(got.items, rules)
    assert not leaks, L.report(leaks)


def test_the_city_admins_picture_of_gulou_shows_the_probe(world):
    """The positive control: the same harvest finds the planted figure where it belongs."""
    from lib.warehouse.queries import regions_table
    from tests import leak_util as L

    s = _Session(world, "root", {"region": L.GULOU_DISTRICT})
    s.build(s.open("views/training.py"))
    leaks = L.find_leaks(_received(s).items, L.rules_for(regions_table(world[0]), "350111"))
    assert any("planted figure" in x.why or "≥" in x.why for x in leaks), L.report(leaks)


def test_no_picture_once_the_account_is_disabled(world):
    """The click runs outside the sign-in gate: it re-checks the session before reading anything."""
    from lib.auth import accounts
    from tests.test_auth import PW

    engine = world[0]
    accounts.create_user(engine, "wendy", PW, "viewer", "350111000000", by="root")
    s = _Session(world, "wendy")
    at = s.open("views/training.py")
    _, (build, _, _) = _share(at, s.book)
    accounts.disable_user(engine, "wendy", by="root")
    with s._env(), pytest.raises(PermissionError):
        build()
    assert not s.pictures  # refused before anything was read or drawn
