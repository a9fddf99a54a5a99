"""lib/meeting: the self-advancing deck, the slide model and the PPTX brief."""
import datetime as dt
import io

import pandas as pd
import pytest
from pptx import Presentation

from lib.meeting import deck
from lib.meeting.brief import brief_pptx
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
                                       "area:employment", "area:screening", "warnings"]
    assert all(s.as_of == "数据截至 2024年2月29日" for s in slides)
    assert slides[0].title == "福州市 妇联工作情况"
    assert [k.value for k in slides[0].kpis] == ["90.0%", "1,200", "300", "5,000"]
    assert slides[0].kpis[2].delta.startswith("-25.0%")
    assert slides[2].kpis[0].label == "参训人次" and slides[2].chart is not None
    assert list(slides[-1].table.iloc[:, 0]) == ["女性比例"]
    assert slides[-1].note == ""


def test_slides_english_and_no_warnings():
    slides = build_slides(_data(lang_warn=False), "en")
    assert slides[0].title.endswith("Women's federation work")
    assert slides[-1].table.empty and slides[-1].note == "No warnings."
    assert slides[0].as_of == "Data as of 2024-02-29"


def test_brief_has_one_slide_per_meeting_slide():
    slides = build_slides(_data(), "zh")
    prs = Presentation(io.BytesIO(brief_pptx(slides, "福州市 妇联工作情况", "zh",
                                             made_on=dt.date(2024, 3, 1))))
    assert len(prs.slides) == len(slides) == 6

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
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 4  # one chart per area slide
    assert pictures[0].image.content_type == "image/png"
