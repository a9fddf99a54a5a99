"""The meeting's 督办事项落实情况 slide: the counts by child region, its date since the last meeting,
its reading, its chart on screen and in the PPTX, and its speaker notes."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from lib.meeting import followup as FU
from lib.meeting.powerpoint import brief_pptx
from lib.meeting.slides import build_slides, speaker_notes
from lib.reading import followup as reading
from tests.test_meeting import _data, _texts

CITY = "350100000000"
NAMES = {"350102000000": "鼓楼区", "350111000000": "晋安区", "350121000000": "闽侯县"}
TODAY, SINCE = dt.date(2024, 2, 29), dt.date(2024, 1, 30)

# The warehouse's rows: one per region holding items (the city itself, townships, a district).
WAREHOUSE = pd.DataFrame({
    "region_code": [CITY, "350102001000", "350102002000", "350111001000", "350121000000"],
    "region_name": ["福州市", "鼓楼甲街道", "鼓楼乙街道", "晋安甲镇", "闽侯县"],
    "new": [1, 2, 1, 3, 0], "closed": [0, 1, 0, 2, 0], "overdue": [1, 0, 2, 1, 0],
    "open": [2, 1, 3, 1, 1]})


def _expected_by_district() -> dict[str, dict[str, int]]:
    """What the slide must show, summed from WAREHOUSE by the test itself: city rows are the
    city's own (本级), every other row belongs to the district of its first six digits."""
    out: dict[str, dict[str, int]] = {}
    for row in WAREHOUSE.itertuples():
        key = "福州市本级" if row.region_code == CITY else NAMES[row.region_code[:6] + "000000"]
        acc = out.setdefault(key, dict.fromkeys(FU.COUNTS, 0))
        for k in FU.COUNTS:
            acc[k] += getattr(row, k)
    return out


def _summary(frame: pd.DataFrame = WAREHOUSE, lang: str = "zh") -> FU.FollowupSummary:
    return FU.FollowupSummary(SINCE, TODAY, FU.by_child(frame, CITY, "福州市", NAMES, lang))


def _deck(summary: FU.FollowupSummary | None, lang: str = "zh", demo: bool = False):
    return build_slides(dataclasses.replace(_data(), followup=summary, demo=demo), lang)


def test_rows_are_rolled_up_to_the_child_regions():
    rows = _summary().rows
    expected = _expected_by_district()
    assert list(rows["region_name"]) == list(expected)  # 本级 first, then districts by code
    for row in rows.itertuples():
        assert {k: getattr(row, k) for k in FU.COUNTS} == expected[row.region_name]
    assert _summary().totals == {k: int(WAREHOUSE[k].sum()) for k in FU.COUNTS}
    # the chart leaves out a region with only an older item, open and not yet due (闽侯县)
    assert list(FU.chart_rows(rows)["region_name"]) == ["福州市本级", "鼓楼区", "晋安区"]


def test_a_township_meeting_counts_its_villages_and_itself():
    town = "350111001000"
    frame = pd.DataFrame({"region_code": [town, "350111001201", "350111001202"],
                          "region_name": ["晋安甲镇", "一村", "二村"], "new": [1, 1, 0],
                          "closed": [0, 0, 1], "overdue": [0, 1, 0], "open": [1, 1, 0]})
    rows = FU.by_child(frame, town, "晋安甲镇", {"350111001201": "一村"}, "en")
    assert list(rows["region_name"]) == ["晋安甲镇 (own level)", "一村", "350111001202"]
    assert list(rows["new"]) == [1, 1, 0] and list(rows["closed"]) == [0, 0, 1]


@pytest.mark.parametrize("value, expected", [
    (None, TODAY - dt.timedelta(days=30)), ("", TODAY - dt.timedelta(days=30)),
    ("2024-01-15", dt.date(2024, 1, 15)), (" 2024-02-29 ", TODAY),
])
def test_since_from_the_link(value, expected):
    assert FU.parse_since(value, TODAY) == expected


@pytest.mark.parametrize("value", ["2024-03-01", "2021-01-01", "2024-02-30", "2024/01/15",
                                   "20240115", "yesterday", "2024-1-5", "9" * 40])
def test_a_bad_since_is_refused(value):
    with pytest.raises(ValueError):
        FU.parse_since(value, TODAY)


def test_reading_says_the_counts_and_the_most_overdue():
    rows = _summary().rows
    zh = reading.sentences(rows, region_name="福州市", since=SINCE, lang="zh")
    t = {k: int(WAREHOUSE[k].sum()) for k in FU.COUNTS}
    assert zh[0] == (f"本期（2024年1月30日以来）福州市新增督办事项{t['new']}项，办结{t['closed']}项，"
                     f"逾期{t['overdue']}项。")
    # most overdue first, ties in code order, at most three
    late = sorted(_expected_by_district().items(), key=lambda kv: -kv[1]["overdue"])
    named = "、".join(f"{name}（{c['overdue']}项）" for name, c in late if c["overdue"])
    assert zh[1] == f"逾期最多的是{named}。"
    assert zh[2] == f"目前尚未办结{t['open']}项，其中逾期{t['overdue']}项。"
    en = reading.sentences(_summary(lang="en").rows, region_name="Fuzhou", since=SINCE, lang="en")
    assert en[0] == (f"Since 30 Jan 2024, Fuzhou has {t['new']} new follow-up items, "
                     f"{t['closed']} closed and {t['overdue']} overdue.")
    assert en[1].startswith("Most overdue: 鼓楼区 (2)")


def test_reading_without_overdue_or_items():
    rows = pd.DataFrame({"region_code": ["350102000000"], "region_name": ["鼓楼区"], "new": [2],
                         "closed": [2], "overdue": [0], "open": [0]})
    said = reading.sentences(rows, region_name="福州市", since=SINCE, lang="zh")
    assert len(said) == 2 and "逾期0项" in said[0] and said[1] == "目前督办事项均已办结。"
    assert reading.sentences(FU.empty_rows(), region_name="福州市", since=SINCE) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_slide_counts_chart_and_reading(lang):
    summary = _summary(lang=lang)
    slide = _deck(summary, lang)[-1]
    assert slide.key == "followup" and slide.title == ("督办事项落实情况" if lang == "zh"
                                                       else "Follow-up items")
    totals = summary.totals
    assert [k.value for k in slide.kpis] == [str(totals[k]) for k in FU.MEASURES]
    drawn = FU.chart_rows(summary.rows)
    points = slide.chart_data
    assert points.kind == "grouped" and points.categories == tuple(drawn["region_name"])
    assert [label for label, _ in points.series] == [FU.LABELS[k][lang] for k in FU.MEASURES]
    for (_, values), k in zip(points.series, FU.MEASURES):
        assert values == tuple(float(v) for v in drawn[k])
    # the screen draws exactly these points
    spec = slide.chart.to_dict()
    (rows,) = spec["datasets"].values()
    screen = {(r["region"], r["measure"]): r["value"] for r in rows}
    assert screen == {(cat, label): values[i] for label, values in points.series
                      for i, cat in enumerate(points.categories)}
    assert slide.reading and slide.subtitle == slide.reading[0]
    assert "2024" in slide.reading[0]


def test_speaker_notes_hold_every_figure():
    slide = _deck(_summary())[-1]
    notes = speaker_notes(slide, "zh")
    for sentence in slide.reading:
        assert sentence in notes
    for k in slide.kpis:
        assert f"{k.label}：{k.value}" in notes
    for name, c in _expected_by_district().items():
        if c["new"] or c["closed"] or c["overdue"]:
            assert f"{name}：新增 {c['new']}；办结 {c['closed']}；逾期 {c['overdue']}" in notes
    # every number on the slide (KPIs, bars) is in the notes
    shown = {k.value for k in slide.kpis} | {f"{v:.0f}" for _, vs in slide.chart_data.series
                                              for v in vs}
    assert shown <= set(re.findall(r"\d+", notes))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pptx_has_the_slide_with_an_editable_grouped_chart_and_notes(lang):
    slides = _deck(_summary(lang=lang), lang)
    prs = Presentation(io.BytesIO(brief_pptx(slides, "t", lang, made_on=TODAY)))
    assert len(prs.slides) == len(slides) == 7
    page, slide = prs.slides[6], slides[6]
    assert slide.title in _texts(page)
    (chart,) = [sh.chart for sh in page.shapes if sh.has_chart]
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED and chart.has_legend
    plot = chart.plots[0]
    assert list(plot.categories) == list(slide.chart_data.categories)
    assert [(s.name, tuple(s.values)) for s in plot.series] == list(slide.chart_data.series)
    assert plot.has_data_labels
    notes = page.notes_slide.notes_text_frame.text
    assert notes == speaker_notes(slide, lang)
    assert all(k.value in _texts(page) for k in slide.kpis)
    # the three stacked figures stay on the page
    bottoms = [sh.top + sh.height for sh in page.shapes]
    assert max(bottoms) <= prs.slide_height


@pytest.mark.parametrize("summary", [None, FU.FollowupSummary(SINCE, TODAY, FU.empty_rows())])
def test_no_items_is_one_calm_line(summary):
    slides = _deck(summary)
    slide = slides[-1]
    assert slide.note == "本期无督办事项。" and slide.chart is None and not slide.kpis
    assert not slide.reading
    prs = Presentation(io.BytesIO(brief_pptx(slides, "t", "zh", made_on=TODAY)))
    assert "本期无督办事项。" in _texts(prs.slides[6])
    assert not [sh for sh in prs.slides[6].shapes if sh.has_chart]
    assert "本期无督办事项。" in prs.slides[6].notes_slide.notes_text_frame.text


def test_only_old_open_items_show_counts_without_a_chart():
    frame = pd.DataFrame({"region_code": ["350121000000"], "region_name": ["闽侯县"], "new": [0],
                          "closed": [0], "overdue": [0], "open": [2]})
    slide = _deck(FU.FollowupSummary(SINCE, TODAY, FU.by_child(frame, CITY, "福州市", NAMES)))[-1]
    assert slide.chart is None and slide.chart_data is None
    assert [k.value for k in slide.kpis] == ["0", "0", "0"]
    assert slide.note == "本期无新增、办结或逾期的督办事项。"
    assert slide.reading[-1] == "目前尚未办结2项，均未逾期。"


@pytest.mark.parametrize("lang, mark", [("zh", "示例数据"), ("en", "Demo data")])
def test_demo_data_is_marked_on_the_slide(lang, mark):
    slides = _deck(_summary(lang=lang), lang, demo=True)
    assert slides[-1].demo
    prs = Presentation(io.BytesIO(brief_pptx(slides, "t", lang, made_on=TODAY)))
    assert mark in _texts(prs.slides[6])
    assert mark in prs.slides[6].notes_slide.notes_text_frame.text
    assert not _deck(_summary(lang=lang), lang)[-1].demo


# --- from the warehouse: items created by the service, counted by the slide (DuckDB, PostgreSQL) --

DISTRICT, GULOU = "350111000000", "350102000000"  # 晋安区, 鼓楼区


@dataclasses.dataclass(frozen=True)
class Spec:
    """One item as the test creates it: where, when it was created and closed, when it is due."""
    region: str
    subject: str
    created: dt.datetime
    due: dt.date
    closed: dt.datetime | None = None


def specs(today: dt.date) -> list[Spec]:
    """Items on both sides of the last meeting (30 days ago) in 晋安区, 鼓楼区 and the city."""
    since = FU.since_start(FU.default_since(today))
    day = dt.timedelta(days=1)
    return [
        Spec("350111001000", "茶园街道路灯整改", since + 5 * day, today + 10 * day),
        Spec("350111103000", "宦溪镇筛查进度滞后", since - 20 * day, today - 5 * day),
        Spec(DISTRICT, "晋安区培训台账补报", since + day, today - day),
        Spec("350111002000", "王庄街道妇女之家挂牌", since - 40 * day, today - 30 * day,
             closed=since + 3 * day),
        Spec("350111002000", "王庄街道上次已办结", since - 60 * day, today - 50 * day,
             closed=since - 10 * day),
        Spec("350111003000", "象园街道招聘会补录", since + 2 * day, today + 3 * day,
             closed=since + 4 * day),
        Spec("350111003000", "象园街道会议当天交办", since, today + 20 * day),  # at the boundary
        Spec("350111003000", "象园街道前一晚交办", since - dt.timedelta(minutes=1), today),
        Spec("350102001000", "鼓楼区街道逾期事项", since - 5 * day, today - 3 * day),
        Spec(GULOU, "鼓楼区新增事项", since + 10 * day, today + 5 * day),
        Spec(CITY, "全市执委培训计划", since + 3 * day, today + 20 * day),
    ]


def seed(engine, items: list[Spec]) -> list[int]:
    """Create ``items`` through the service (as the console, each owned by its region's unit),
    close those closed, then set their creation and closing times to the spec's."""
    from sqlalchemy import update

    from lib.followup import service
    from lib.warehouse import schema as s

    ids = []
    for x in items:
        item = service.create(engine, service.CONSOLE, region_code=x.region, subject=x.subject,
                              due=x.due, owner_region=x.region, today=x.due)
        if x.closed is not None:
            service.close(engine, service.CONSOLE, item.id, note="已办结")
        ids.append(item.id)
    fi = s.followup_item
    with engine.begin() as conn:
        for i, x in zip(ids, items):
            conn.execute(update(fi).where(fi.c.id == i).values(created_at=x.created,
                                                               closed_at=x.closed))
    return ids


def expected(items: list[Spec], region_code: str, today: dt.date) -> dict[str, dict[str, int]]:
    """The counts the slide must show, computed from the specs: per child region of
    ``region_code`` (its own items under its own code), rows with nothing counted left out."""
    since = FU.since_start(FU.default_since(today))
    width = {"city": 6, "district": 9}[{4: "city", 6: "district"}[len(region_code.rstrip("0"))]]
    out: dict[str, dict[str, int]] = {}
    for x in items:
        if not x.region.startswith(region_code.rstrip("0")):
            continue
        key = region_code if x.region == region_code else x.region[:width].ljust(12, "0")
        acc = out.setdefault(key, dict.fromkeys(FU.COUNTS, 0))
        acc["new"] += x.created >= since
        acc["closed"] += x.closed is not None and x.closed >= since
        acc["overdue"] += x.closed is None and x.due < today
        acc["open"] += x.closed is None
    return {k: v for k, v in out.items() if any(v.values())}


@pytest.mark.parametrize("region", [CITY, DISTRICT])
def test_slide_from_the_warehouse_counts_what_was_created(engine, region):
    from lib import clock
    from lib.followup import service
    from lib.reading.source import EngineSource
    from lib.warehouse.scope import Scope

    today = clock.today()
    items = specs(today)
    seed(engine, items)
    since = FU.default_since(today)
    frame = service.summary(engine, Scope.of_region(region), since=FU.since_start(since),
                            today=today)
    names = EngineSource(engine).names()
    rows = FU.by_child(frame, region, names[region], names)
    want = expected(items, region, today)
    got = {r.region_code: {k: getattr(r, k) for k in FU.COUNTS} for r in rows.itertuples()}
    assert got == want
    if region == DISTRICT:  # the district's meeting holds nothing of 鼓楼区 or the city
        assert not [c for c in frame["region_code"] if not c.startswith("350111")]
    summary = FU.FollowupSummary(since, today, rows)
    slide = build_slides(dataclasses.replace(_data(), region_name=names[region],
                                             followup=summary), "zh")[-1]
    totals = {k: sum(v[k] for v in want.values()) for k in FU.COUNTS}
    assert [k.value for k in slide.kpis] == [str(totals[k]) for k in FU.MEASURES]
    # 本级 first, then the child regions by code
    drawn = sorted((c for c, v in want.items() if v["new"] or v["closed"] or v["overdue"]),
                   key=lambda c: (c != region, c))
    assert slide.chart_data.categories == tuple(rows.set_index("region_code")
                                                .loc[drawn, "region_name"])
    assert slide.reading[0] == (f"本期（{since.year}年{since.month}月{since.day}日以来）"
                                f"{names[region]}新增督办事项{totals['new']}项，"
                                f"办结{totals['closed']}项，逾期{totals['overdue']}项。")
    notes = speaker_notes(slide, "zh")
    for code in drawn:
        name = rows.set_index("region_code").loc[code, "region_name"]
        v = want[code]
        assert f"{name}：新增 {v['new']}；办结 {v['closed']}；逾期 {v['overdue']}" in notes
