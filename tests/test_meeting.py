"""lib/meeting: the self-advancing deck, the slide model and the PPTX brief."""
import dataclasses
import datetime as dt
import io
import json

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from lib.meeting import deck
from lib.meeting.powerpoint import brief_pptx
from lib.meeting.slides import MeetingData, build_slides
from lib.metrics.overview import Headline
from lib.targets.assess import Target, assess


@pytest.mark.parametrize("index, delta, n, expected", [
    (0, 1, 6, 1), (5, 1, 6, 0), (0, -1, 6, 5), (3, -1, 6, 2), (0, 1, 1, 0), (2, 0, 0, 0),
])
def test_step_wraps(index, delta, n, expected):
    state = deck.step(deck.DeckState(index, 0.0), delta, n, now=5.0)
    assert state.index == expected and state.changed_at == 5.0


@pytest.mark.parametrize("state, now, expected_index", [
    (deck.DeckState(0, 0.0), 20.0, 1),               # a full interval passed
    (deck.DeckState(5, 0.0), 20.0, 0),               # wraps to the first slide
    (deck.DeckState(0, 0.0), 10.0, 0),               # a button rerun mid-interval: stay
    (deck.DeckState(0, 0.0, paused=True), 99.0, 0),  # paused: stay
    (deck.DeckState(9, 0.0), 1.0, 3),                # slides went away: index wraps into range
])
def test_tick(state, now, expected_index):
    assert deck.tick(state, 6, now, interval=20).index == expected_index


def test_tick_restarts_the_interval():
    s = deck.tick(deck.DeckState(0, 0.0), 6, 20.0, 20)
    assert s.changed_at == 20.0
    assert deck.tick(s, 6, 30.0, 20).index == 1
    assert deck.tick(s, 6, 40.0, 20).index == 2


@pytest.mark.parametrize("raw, seconds", [
    ("30", 30), ("7.5", 7), (None, deck.DEFAULT_INTERVAL), ("abc", deck.DEFAULT_INTERVAL),
    ("1", deck.MIN_INTERVAL), ("99999", deck.MAX_INTERVAL), (45, 45),
    # from the URL, so anything: these used to raise (OverflowError / ValueError)
    ("inf", deck.DEFAULT_INTERVAL), ("nan", deck.DEFAULT_INTERVAL), ("1e999", deck.DEFAULT_INTERVAL),
    ("-1", deck.MIN_INTERVAL),
])
def test_parse_interval(raw, seconds):
    assert deck.parse_interval(raw) == seconds


def _data(lang_warn=True) -> MeetingData:
    heads = [Headline("coverage.federation", 0.9, 0.85, "percent"),
             Headline("training.participants", 1200, 1000, "count"),
             Headline("employment.positions", 300, 400, "count"),
             Headline("screening.screened", 5000, 4000, "count")]
    months = pd.to_datetime(["2024-01-01", "2024-02-01"])
    monthly = {"training": pd.DataFrame({"child": "", "month": months, "participants": [600, 600]}),
               "job_fair": pd.DataFrame({"child": "", "month": months, "positions": [100, 200]}),
               "screening": pd.DataFrame({"child": "", "month": months, "screened": [2000, 3000]})}
    cov = pd.DataFrame({"child": ["350102"], "num": [9], "den": [10], "value": [0.9]})
    values = [50, 50.5, 51, 51.5] if lang_warn else [71, 72, 73]
    a = assess(pd.DataFrame({"year": range(2020, 2020 + len(values)), "value": values}),
               Target("E01", "up", 70.0, 2030, name_zh="女性比例", name_en="Share of women"),
               "350100000000")
    return MeetingData("福州市", "2024年1月 – 2024年2月", dt.date(2024, 2, 29), heads, monthly, cov,
                       {"350102000000": "鼓楼区"}, [a])


def test_slides_model():
    slides = build_slides(_data(), "zh")
    assert [s.key for s in slides] == ["kpis", "area:coverage", "area:training",
                                       "area:employment", "area:screening", "warnings",
                                       "followup"]
    assert all(s.as_of == "数据截至 2024年2月29日" for s in slides)
    assert slides[0].title == "福州市 妇联工作情况"
    assert [k.value for k in slides[0].kpis] == ["90.0%", "1,200", "300", "5,000"]
    assert slides[0].kpis[2].delta.startswith("-25.0%")
    assert slides[2].kpis[0].label == "参训人次" and slides[2].chart is not None
    assert list(slides[5].table.iloc[:, 0]) == ["女性比例"]
    assert slides[5].note == ""
    assert slides[6].title == "督办事项落实情况" and slides[6].note == "本期无督办事项。"


def test_slides_english_and_no_warnings():
    slides = build_slides(_data(lang_warn=False), "en")
    assert slides[0].title.endswith("Women's federation work")
    assert slides[5].table.empty and slides[5].note == "No warnings."
    assert slides[6].title == "Follow-up items"
    assert slides[0].as_of == "Data as of 2024-02-29"


def test_brief_has_one_slide_per_meeting_slide():
    slides = build_slides(_data(), "zh")
    prs = Presentation(io.BytesIO(brief_pptx(slides, "福州市 妇联工作情况", "zh",
                                             made_on=dt.date(2024, 3, 1))))
    assert len(prs.slides) == len(slides) == 7

    def texts(slide):
        out = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        for sh in slide.shapes:
            if sh.has_table:
                out += [c.text for row in sh.table.rows for c in row.cells]
        return " ".join(out)

    first = texts(prs.slides[0])
    assert "福州市 妇联工作情况" in first and "制作日期 2024-03-01" in first and "1,200" in first
    assert all("数据截至 2024年2月29日" in texts(s) for s in prs.slides)
    assert "女性比例" in texts(prs.slides[5])
    assert not [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]  # no pictures


def _texts(slide) -> str:
    out = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    for sh in slide.shapes:
        if sh.has_table:
            out += [c.text for row in sh.table.rows for c in row.cells]
    return " ".join(out)


def _chart_rows(chart) -> list[dict]:
    """The rows of an Altair chart's dataset: the points the screen draws."""
    spec = chart.to_dict()
    (rows,) = spec["datasets"].values()
    return rows


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_brief_charts_are_native_and_match_the_slides(lang):
    """Each area slide gets an editable chart whose series is exactly what the screen draws."""
    slides = build_slides(_data(), lang)
    prs = Presentation(io.BytesIO(brief_pptx(slides, "t", lang, made_on=dt.date(2024, 3, 1))))
    for s, page in zip(slides, prs.slides):
        charts = [sh.chart for sh in page.shapes if sh.has_chart]
        if s.chart is None:
            assert not charts
            continue
        (chart,) = charts
        screen = [r["value"] for r in _chart_rows(s.chart)]
        (series,) = chart.plots[0].series
        assert list(series.values) == pytest.approx(screen) == list(s.chart_data.values)
        assert list(chart.plots[0].categories) == list(s.chart_data.categories)
        if s.chart_data.kind == "line":  # the screen labels its months as the brief does
            axis = s.chart.to_dict()["encoding"]["x"]["axis"]
            shown = json.dumps(list(s.chart_data.categories), ensure_ascii=False)
            assert axis["labelExpr"].startswith(shown + "[indexof(")
    coverage, training = prs.slides[1].shapes, prs.slides[2].shapes
    bar = next(sh.chart for sh in coverage if sh.has_chart)
    line = next(sh.chart for sh in training if sh.has_chart)
    assert bar.chart_type == XL_CHART_TYPE.BAR_CLUSTERED and bar.plots[0].has_data_labels
    assert line.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert list(bar.plots[0].categories) == ["鼓楼区"]
    assert list(line.plots[0].categories) == (["2024年1月", "2月"] if lang == "zh"
                                              else ["Jan 2024", "Feb"])


def test_brief_speaker_notes_hold_the_figures():
    slides = build_slides(_data(), "zh")
    prs = Presentation(io.BytesIO(brief_pptx(slides, "t", "zh", made_on=dt.date(2024, 3, 1))))
    notes = [p.notes_slide.notes_text_frame.text for p in prs.slides]
    assert all(n.startswith(s.title) and "数据截至 2024年2月29日" in n for s, n in zip(slides, notes))
    for k in slides[0].kpis:
        assert f"{k.label}：{k.value} ({k.delta})" in notes[0]
    assert "鼓楼区：90.0%" in notes[1]
    assert "2024年1月：600" in notes[2] and "2月：600" in notes[2]
    assert "2024年1月：2,000" in notes[4] and "2月：3,000" in notes[4]
    assert "指标名称：女性比例" in notes[5] and "状态：" in notes[5]
    assert not any("示例数据" in n for n in notes)  # real data: no demo mark


@pytest.mark.parametrize("lang, mark", [("zh", "示例数据"), ("en", "Demo data")])
def test_demo_data_is_marked_on_every_slide_and_in_the_brief(lang, mark):
    real = build_slides(_data(), lang)
    demo = build_slides(dataclasses.replace(_data(), demo=True), lang)
    assert not any(s.demo for s in real) and all(s.demo for s in demo)
    prs = Presentation(io.BytesIO(brief_pptx(demo, "t", lang, made_on=dt.date(2024, 3, 1))))
    assert len(prs.slides) == 7
    for page in prs.slides:
        assert mark in _texts(page)
        assert mark in page.notes_slide.notes_text_frame.text
    plain = Presentation(io.BytesIO(brief_pptx(real, "t", lang, made_on=dt.date(2024, 3, 1))))
    assert not any(mark in _texts(page) for page in plain.slides)


def test_brief_without_points_says_so_instead_of_an_empty_chart():
    d = _data()
    empty = dataclasses.replace(d, monthly={}, child_coverage=d.child_coverage.iloc[0:0])
    slides = build_slides(empty, "zh")
    prs = Presentation(io.BytesIO(brief_pptx(slides, "t", "zh", made_on=dt.date(2024, 3, 1))))
    assert not [sh for p in prs.slides for sh in p.shapes if sh.has_chart]
    assert "参训人次：暂无数据" in _texts(prs.slides[2])


def test_child_bars_write_each_value_on_its_bar():
    slides = build_slides(_data(), "zh")
    spec = slides[1].chart.to_dict()
    text = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert len(text) == 1 and text[0]["encoding"]["text"]["format"] == ".1%"
    # the axis leaves room right of a full bar for its label
    assert spec["encoding"]["x"]["scale"]["domain"][1] > 1
