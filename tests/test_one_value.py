"""One value for one figure on every surface of the same view.

A leader quotes the reading, another the slide: when 妇联有效覆盖率 reads 94.5 % on the card and
94.2 % "(2026年)" in the reading, one of them is wrong in the room. This harvests every surface a
view offers without a browser — the cards (overview headlines, the coverage page's effective card),
the written reading (which the 通报 DOCX, ``python -m lib.brief`` and the slides' subtitles and
speaker notes carry), the meeting slides' KPIs and warning table, the DOCX's own text,
``lib.targets``' assessment and the region's tooltip on its parent's map (the deck JSON Chromium
receives) — and fails when one figure, on one date, carries two values.

A figure's date is what its label says: an exact day (截至2026年11月30日) or a year end (2025年末)
is that date; a value with no date (a card, a headline sentence) or only a year (2026年) is read as
"some time in that year", so it must agree with every other value of that figure in that year.
Values are compared at the coarser of their two roundings (64.8万 against 647,950 agrees).
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

import pandas as pd
import pytest

from lib import demo
from lib.meeting.slides import MeetingData, build_slides, speaker_notes
from lib.metrics.asof import dated, figure_date
from lib.metrics.cards import card, headline_cards
from lib.metrics.compute import FEDERATION_TYPES, coverage
from lib.metrics.overview import child_coverage, headlines
from lib.reading.bulletin import build_brief
from lib.reading.document import brief_docx
from lib.reading.source import EngineSource
from lib.filters import default_period, make_view
from lib.warehouse.scope import Scope
from lib.targets.run import assess_region
from lib.warehouse import bootstrap
from lib.warehouse.scope import COUNTRY_CODE
from tests.conftest import BACKENDS, _open

CITY, DISTRICT = "350100000000", "350111000000"
FED = list(FEDERATION_TYPES)

# What a reader sees named → the figure (registry code). Longest names first: 村（社区）妇联组织有效覆盖率
# must not be read as 妇联有效覆盖率.
ALIASES = {
    "村（社区）妇联组织有效覆盖率": "coverage.federation.effective",
    "村（社区）妇联组织有形覆盖率": "coverage.federation",
    "村（社区）妇联覆盖率": "coverage.federation",
    "妇联有效覆盖率": "coverage.federation.effective",
    "两癌筛查任务完成率": "screening.completion",
    "参训人次": "training.participants",
    "筛查人数": "screening.screened",
}
FIGURES = set(ALIASES.values())
_NAMES = "|".join(re.escape(a) for a in sorted(ALIASES, key=len, reverse=True))
_NUMBER = r"[0-9][0-9,]*(?:\.[0-9]+)?(?:万|亿)?%?"
# 名称[最新值]数值[（日期）]: a date in brackets right after the value belongs to it.
_SAID = re.compile(rf"(?<!排名)({_NAMES})(?:最新值)?({_NUMBER})(?:（([^）]*)）)?")
_DAY = re.compile(r"截至\s*(\d{4})年(\d{1,2})月(\d{1,2})日")
_YEAR_END = re.compile(r"(\d{4})年末")
_YEAR = re.compile(r"^(\d{4})(?:年)?$")


@dataclass(frozen=True)
class Seen:
    surface: str
    figure: str
    year: int
    day: dt.date | None   # None: only the year is known
    text: str

    def number(self) -> tuple[float, float]:
        """(value, half of its last shown digit): 94.5% → (94.5, 0.05), 64.8万 → (648000, 500)."""
        s = self.text.replace(",", "")
        scale = 1.0
        for suffix, k in (("%", 1.0), ("万", 1e4), ("亿", 1e8)):
            if s.endswith(suffix):
                s, scale = s[:-1], k
        decimals = len(s.split(".")[1]) if "." in s else 0
        return float(s) * scale, 0.5 * 10 ** -decimals * scale


def _dated(label: str | None, default_year: int) -> tuple[int, dt.date | None]:
    """A label's date: 截至2026年11月30日 → that day; 2025年末 → 31 Dec; 2026年 / none → the year."""
    label = label or ""
    if m := _DAY.search(label):  # a card's label ends with its day: 妇联有效覆盖率（截至…）
        d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        return d.year, d
    if m := _YEAR_END.search(label):
        return int(m[1]), dt.date(int(m[1]), 12, 31)
    if m := _YEAR.match(label.strip()):
        return int(m[1]), None
    return default_year, None


def _from_text(surface: str, text: str, region_name: str, year: int,
               day_of_surface: dt.date | None = None) -> list[Seen]:
    """Figures said of the view's own region: sentences that open with its name, and the plan
    sentences (规划目标方面, about the view's region). Children's figures are not the view's."""
    out = []
    for sentence in re.split(r"(?<=。)", text):
        sentence = sentence.strip()
        if not (sentence.startswith(region_name) or sentence.startswith("规划目标方面")):
            continue
        for name, value, label in _SAID.findall(sentence):
            y, d = _dated(label, year)
            if d is None and day_of_surface is not None and not label:
                y, d = day_of_surface.year, day_of_surface
            out.append(Seen(surface, ALIASES[name], y, d, value))
    return out


def _meeting_data(src: EngineSource, view, readings: dict) -> MeetingData:
    """lib/ui/meeting_ui.gather's frames, through the engine instead of the page cache."""
    ly_from, ly_to = view.last_year()
    period = dict(urban_rural=view.area)
    cov_now = src.query("org_coverage", view.prefix, view.date_to, FED)
    cov_prev = src.query("org_coverage", view.prefix, ly_to, FED)
    frames = {ds: (src.query("facts", ds, view.prefix, view.date_from, view.date_to, **period),
                   src.query("facts", ds, view.prefix, ly_from, ly_to, **period))
              for ds in ("training", "job_fair", "screening")}
    heads = headlines(cov_now, cov_prev, frames["training"], frames["job_fair"],
                      frames["screening"], area=view.area, level=view.level)
    monthly = {ds: src.query("facts", ds, view.prefix, view.date_from, view.date_to,
                             by_month=True, **period) for ds in frames}
    by_child = pd.DataFrame(columns=["child", "num", "den", "value"])
    if view.child_len:
        by_child = child_coverage(src.query("org_coverage", view.prefix, view.date_to, FED,
                                            child_len=view.child_len), area=view.area)
    _, last = src.query("data_period", Scope.everything())
    return MeetingData(view.region_name, "", min(view.date_to, last) if last else None, heads,
                       monthly, by_child, src.names(),
                       src.query("targets_assess", view.region_code), readings=readings)


def _trend(engine, view) -> list[Seen]:
    """The trend's points as views/coverage.py draws them (its days and its x labels): a year end
    labelled 2025 is that 31 December; 2026年11月30日 is that day."""
    from lib.metrics.asof import point_label, trend_days
    from lib.warehouse.queries import org_coverage_series

    frame = org_coverage_series(engine, view.prefix, trend_days(view.date_to), FED)
    out = []
    for d, part in frame.groupby("as_of", sort=True):
        d = pd.Timestamp(d).date()
        label = point_label(d)
        m = re.match(r"(\d{4})(?:年(\d+)月(\d+)日)?$", label)
        day = dt.date(int(m[1]), int(m[2]), int(m[3])) if m[2] else dt.date(int(m[1]), 12, 31)
        out.append(Seen("trend", "coverage.federation", day.year, day,
                        card("", coverage(part), None, "percent", compare=False).value))
    return out


def _parent_map(engine, src: EngineSource, view) -> list[Seen]:
    """The view's region on its parent's overview map, as lib/ui/mapview draws it: the tooltip
    (村（社区）妇联覆盖率：98.5% (基数 …)) of its feature in the deck's JSON."""
    import json

    from lib.geo.deck import build_map
    from lib.geo.shapes import map_shapes
    from lib.warehouse.scope import CHILD_LEVEL, LEVEL_LENGTH, prefix_of

    parent = src.parents().get(view.region_code)
    level = CHILD_LEVEL.get(src.regions().set_index("code").loc[parent, "level"]) if parent \
        else None
    if not parent or level not in ("province", "city", "district", "township"):
        return []
    names = src.names()
    per = child_coverage(src.query("org_coverage", prefix_of(parent), view.date_to, FED,
                                   child_len=LEVEL_LENGTH[level]))
    per["region_code"] = per["child"].astype(str).str.ljust(12, "0")
    per["name"] = [names.get(c, c) for c in per["region_code"]]
    per = per[per["region_code"] != parent].rename(columns={"den": "denominator"})
    shapes = map_shapes(engine, level, sorted(per["region_code"]), Scope.everything())
    deck = json.loads(build_map(per[["region_code", "name", "value", "denominator"]], level, "zh",
                                "村（社区）妇联覆盖率", "percent", shapes=shapes).deck.to_json())
    tips: list[str] = []

    def walk(x) -> None:
        if isinstance(x, dict):
            if x.get("region_code") == view.region_code and x.get("tip"):
                tips.append(x["tip"])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(deck)
    assert tips, f"{view.region_code} not on its parent's map"
    out = []
    for tip in set(tips):
        m = re.match(rf"村（社区）妇联覆盖率：({_NUMBER})", tip)
        if m:
            out.append(Seen("map:parent", "coverage.federation", view.date_to.year, view.date_to,
                            m[1]))
    return out


def harvest(engine, code: str, period: tuple[dt.date, dt.date] | None = None) -> list[Seen]:
    src = EngineSource(engine)
    names = src.names()
    d_from, d_to = period or default_period(src.query("data_period", Scope.everything()))
    view = make_view(code, names[code], d_from, d_to)
    year = d_to.year
    name = view.region_name
    seen: list[Seen] = []

    # the cards: the overview's headlines and the coverage page's effective card
    ly_to = view.last_year()[1]
    cov = src.query("org_coverage", view.prefix, view.date_to, FED)
    frames = {ds: (src.query("facts", ds, view.prefix, view.date_from, view.date_to),
                   src.query("facts", ds, view.prefix, *view.last_year()))
              for ds in ("training", "job_fair", "screening")}
    heads = headlines(cov, src.query("org_coverage", view.prefix, ly_to, FED),
                      frames["training"], frames["job_fair"], frames["screening"],
                      level=view.level)
    for h, c in zip(heads, headline_cards(heads, view.date_to)):
        if h.code in FIGURES and c.value[0].isdigit():
            seen.append(Seen("card", h.code, *_dated(c.label, year), c.value))
    # the coverage page's effective card, labelled as views/coverage.py labels it
    on = figure_date("coverage.org_type", view.date_to)
    eff = card(dated("村（社区）妇联 · 妇联有效覆盖率", on), coverage(cov, effective=True), None,
               "percent", compare=False)
    seen.append(Seen("card:coverage", "coverage.federation.effective", *_dated(eff.label, year),
                     eff.value))

    # the reading: each area's sentences (page, lib.brief, slides' subtitles and notes)
    brief = build_brief(src, view)
    for s in brief.sections:
        for sentence in s.sentences:
            seen += _from_text(f"reading:{s.area}", sentence, name, year)

    # the 通报 as Word: every paragraph and table cell of the document
    from docx import Document
    doc = Document(io.BytesIO(brief_docx(brief, assessments=src.query("targets_assess", code),
                                         charts=False)))
    text = "\n".join(p.text for p in doc.paragraphs)
    seen += _from_text("docx", text, name, year)

    # lib.targets: the plan indicators computed from the same ledgers
    catalog = src.query("indicators")
    computed = dict(zip(catalog["code"], catalog["computed_from"].fillna("")))
    for a in assess_region(engine, code):
        fig = computed.get(a.code, "")
        if fig in FIGURES and a.latest_value is not None:
            label = a.latest_label() if hasattr(a, "latest_label") else f"{a.latest_year}年"
            y, d = _dated(label, year)
            value = f"{a.latest_value:.1f}%" if a.unit == "percent" else f"{a.latest_value:.0f}"
            seen.append(Seen("lib.targets", fig, y, d, value))

    # the coverage page's yearly trend, this region's line: its last point is the period's year
    seen += _trend(engine, view)

    # the parent's map: the tooltip Chromium receives (deck JSON) over this region
    seen += _parent_map(engine, src, view)

    # the meeting: KPIs under the slide's 数据截至 date, the notes, the warning table
    readings = {"kpis": tuple(brief.section("overview").sentences),
                "area:coverage": tuple(brief.section("coverage").sentences),
                "area:training": tuple(brief.section("training").sentences),
                "area:screening": tuple(brief.section("screening").sentences),
                "warnings": tuple(brief.section("targets").sentences)}
    data = _meeting_data(src, view, readings)
    by_name = {n: computed.get(c, "") for n, c in zip(catalog["name_zh"], catalog["code"])}
    by_name.update(ALIASES)
    for slide in build_slides(data):
        for k in slide.kpis:
            fig = ALIASES.get(k.label)
            if fig and k.value[0].isdigit():
                seen.append(Seen(f"slide:{slide.key}", fig, data.as_of.year, data.as_of, k.value))
        notes = speaker_notes(slide)
        seen += _from_text(f"notes:{slide.key}", notes.replace("\n", "。"), name, year)
        if slide.table is not None and not slide.table.empty:
            cols = list(slide.table.columns)
            for row in slide.table.itertuples(index=False):
                fig = by_name.get(row[0], "")
                if fig in FIGURES:
                    m = re.match(rf"({_NUMBER})(?:（([^）]*)）)?", str(row[cols.index(cols[1])]))
                    if m:
                        y, d = _dated(m[2], year)
                        seen.append(Seen(f"slide:{slide.key}:table", fig, y, d, m[1]))
    return seen


def conflicts(seen: list[Seen]) -> list[tuple[Seen, Seen]]:
    """Pairs that name one figure on one date (or in one year, where one of them gives no day)
    with values that differ beyond their rounding."""
    out = []
    for i, a in enumerate(seen):
        for b in seen[i + 1:]:
            if a.figure != b.figure or a.year != b.year:
                continue
            if a.day is not None and b.day is not None and a.day != b.day:
                continue  # two dates, each said: two figures
            (x, ex), (y, ey) = a.number(), b.number()
            if abs(x - y) > max(ex, ey) + 1e-9:
                out.append((a, b))
    return out


def _check(engine, code: str, period: tuple[dt.date, dt.date] | None = None) -> None:
    seen = harvest(engine, code, period)
    got = {s.figure for s in seen}
    # every figure of the brief is found on more than one surface at this level
    for fig in ("coverage.federation", "coverage.federation.effective", "training.participants",
                "screening.screened"):
        assert sum(s.figure == fig for s in seen) >= 2, (fig, seen)
    assert got, seen
    bad = conflicts(seen)
    assert not bad, "\n".join(f"{a.figure} {a.year}: {a.surface} {a.text} ({a.day}) ≠ "
                              f"{b.surface} {b.text} ({b.day})" for a, b in bad[:12])


@pytest.fixture(scope="module", params=BACKENDS)
def city(request, tmp_path_factory):
    eng, _u, drop = _open(request.param, tmp_path_factory.mktemp("one_value"))
    demo.build_demo(eng, seed=7)
    yield eng
    drop()


def test_city(city):
    _check(city, CITY)
    assert any(s.figure == "screening.completion" for s in harvest(city, CITY))


def test_city_for_a_period_ending_before_today(city):
    """Cards and sentences read the shares on 30 June and say so; the plan values, read on today,
    say theirs: each date has one value."""
    _check(city, CITY, (dt.date(2026, 1, 1), dt.date(2026, 6, 30)))
    june = [s for s in harvest(city, CITY, (dt.date(2026, 1, 1), dt.date(2026, 6, 30)))
            if s.day == dt.date(2026, 6, 30)]
    assert {s.surface for s in june} >= {"card", "card:coverage", "reading:coverage",
                                         "slide:kpis"}, june


def test_district(city):
    _check(city, DISTRICT)
    assert any(s.surface == "map:parent" for s in harvest(city, DISTRICT))


def test_township(city):
    township = EngineSource(city).children_of(DISTRICT, "township")[0]
    _check(city, township)
    assert any(s.surface == "map:parent" for s in harvest(city, township))


@pytest.fixture(scope="module", params=BACKENDS)
def two_provinces(request, tmp_path_factory):
    """福州 (from data/) and 南昌 added by the regions import, the demo over both."""
    from tests.test_provinces import nanchang_regions

    eng, _u, drop = _open(request.param, tmp_path_factory.mktemp("one_value_prov"))
    bootstrap.import_regions(eng, nanchang_regions())
    demo.build_demo(eng, seed=7)
    yield eng
    drop()


def test_country(two_provinces):
    _check(two_provinces, COUNTRY_CODE)


def test_a_label_with_two_values_is_caught():
    """The harvest's own check: the reading's 2026年 value against an undated card of 2026."""
    seen = [Seen("card", "coverage.federation.effective", 2026, None, "94.5%"),
            Seen("reading", "coverage.federation.effective", 2026, None, "94.2%"),
            Seen("docx", "coverage.federation.effective", 2025, dt.date(2025, 12, 31), "93.0%"),
            Seen("slide", "training.participants", 2026, dt.date(2026, 11, 30), "64.8万"),
            Seen("notes", "training.participants", 2026, None, "647,950")]
    assert [(a.surface, b.surface) for a, b in conflicts(seen)] == [("card", "reading")]
    said = _from_text("r", "规划目标方面，村（社区）妇联组织有效覆盖率最新值94.0%（2025年末），目标"
                      "100.0%（2025年），滞后。", "福州市", 2026)
    assert said == [Seen("r", "coverage.federation.effective", 2025, dt.date(2025, 12, 31),
                         "94.0%")]


@pytest.mark.parametrize("year, source, lang, expected", [
    (2026, "coverage.federation.effective", "zh", "截至2026年11月30日"),
    (2025, "coverage.federation.effective", "zh", "2025年末"),
    (2025, "screening.rural.coverage", "zh", "2025年"),
    (2026, "training.exec_coverage", "zh", "截至2026年11月30日"),
    (2026, "", "zh", "2026年"),              # uploaded: the year it was reported for
    (2026, "coverage.federation", "en", "as of 2026-11-30"),
    (2024, "coverage.federation", "en", "end of 2024"),
    (None, "coverage.federation", "zh", ""),
])
def test_year_label(year, source, lang, expected):
    from lib.metrics.asof import year_label

    assert year_label(year, source, lang, today=dt.date(2026, 11, 30)) == expected


def test_a_year_still_running_is_read_on_today_not_on_its_31_december():
    from lib.metrics.asof import year_as_of

    assert year_as_of(2026, dt.date(2026, 11, 30)) == dt.date(2026, 11, 30)
    assert year_as_of(2025, dt.date(2026, 11, 30)) == dt.date(2025, 12, 31)


@pytest.mark.parametrize("code, lang, expected", [
    ("coverage.federation.effective", "zh", "妇联有效覆盖率（截至2026年6月30日）"),
    ("coverage.org_type", "en", "Organisation coverage (as of 2026-06-30)"),
    ("training.participants", "zh", "参训人次"),         # a flow: the page states its period
    ("screening.completion", "zh", "两癌筛查任务完成率"),
])
def test_a_stock_card_says_its_day(code, lang, expected):
    """A share on the cards is read on the period's last day and says so, as the plan value beside
    it in the reading says its own day: two values, two dates, no contradiction."""
    from lib.metrics import metric
    from lib.metrics.asof import dated, figure_date

    day = dt.date(2026, 6, 30)
    assert dated(metric(code).label(lang), figure_date(code, day, lang), lang) == expected


def test_a_period_ending_before_today_says_its_day_in_the_reading(city):
    """A period to June: the reading's shares are June's and say so, the plan values beside them
    are today's and say so; no figure has two values on one day or in one undated year."""
    src = EngineSource(city)
    view = make_view(CITY, src.names()[CITY], dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    brief = build_brief(src, view)
    said = [x for s in brief.sections for sentence in s.sentences
            for x in _from_text(s.area, sentence, view.region_name, 2026)]
    june = [x for x in said if x.day == dt.date(2026, 6, 30)]
    assert {x.figure for x in june} == {"coverage.federation", "coverage.federation.effective"}
    assert all(x.day is not None for x in said if x.figure.startswith("coverage."))
    assert not conflicts(said), conflicts(said)


def test_the_monitoring_report_says_each_latest_value_s_date():
    """The XLSX beside the reading: the same date words (2025年末, 截至…) in a column of their own."""
    import openpyxl

    from lib.targets import monitoring_report_xlsx
    from lib.targets.assess import Target, assess

    frame = pd.DataFrame({"year": [2022, 2023, 2024, 2025], "value": [90.0, 91.0, 92.0, 93.0]})
    a = assess(frame, Target("O02", "up", 100.0, 2025, domain="organisation", name_zh="有效覆盖率",
                             computed_from="coverage.federation.effective"), CITY)
    rows = [[c.value for c in r] for r in
            openpyxl.load_workbook(io.BytesIO(monitoring_report_xlsx([a])))["组织建设"].iter_rows()]
    col = rows[0].index("最新值日期")
    assert rows[1][col] == "2025年末" and rows[1][rows[0].index("最新值")] == 93.0


@pytest.mark.parametrize("day, lang, expected", [
    (dt.date(2025, 12, 31), "zh", "2025"), (dt.date(2026, 6, 30), "zh", "2026年6月30日"),
    (dt.date(2026, 6, 30), "en", "2026-06-30"),
])
def test_a_trend_point_read_before_its_year_ended_says_its_day(day, lang, expected):
    from lib.metrics.asof import point_label, trend_days

    assert point_label(day, lang) == expected
    assert trend_days(dt.date(2026, 6, 30))[-2:] == (dt.date(2025, 12, 31), dt.date(2026, 6, 30))
