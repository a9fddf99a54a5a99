"""AppTest of the 会议模式 page: slides, controls, a region from the link, no data, English."""
import dataclasses

import pytest

from tests.apptest_util import app_env, run_page
from tests.test_app import _url

PAGE = "views/meeting.py"


@pytest.fixture(autouse=True)
def _no_login(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")


def _titles(at):
    return [t.value for t in at.title]


@pytest.mark.parametrize("region, name", [
    (None, "福州市"), ("350111000000", "晋安区"), ("350111100000", None),
])
def test_meeting_page_with_demo(demo_engine, region, name):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(PAGE, query={"region": region} if region else None)
    assert not at.exception, at.exception
    title = _titles(at)[-1]
    assert title.endswith("妇联工作情况") and (name is None or title.startswith(name))
    assert [m.label for m in at.metric] == ["村（社区）妇联覆盖率", "参训人次", "提供岗位数", "筛查人数"]
    assert any("数据截至" in m.value for m in at.markdown)
    assert any("第 1 / 7 页" in m.value for m in at.markdown)
    css = "".join(h.proto.body for h in at.get("html"))
    assert 'stSidebar' in css and "display: none" in css
    assert any('class="m-demo"' in m.value and "示例数据" in m.value for m in at.markdown)
    assert "__halfskyMeetingKeys" in css  # the presenter-remote keys
    assert at.button(key="m_exit").label == "退出会议模式"


def test_meeting_buttons_advance_wrap_and_pause(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(PAGE)
        at.button(key="m_forward").click().run()
        assert not at.exception
        assert _titles(at)[-1] == "组织覆盖"
        at.button(key="m_back").click().run()
        at.button(key="m_back").click().run()
        assert _titles(at)[-1] == "督办事项落实情况"  # the last slide
        at.button(key="m_back").click().run()
        assert _titles(at)[-1] == "目标预警"
        assert len(at.table) == 1
        at.button(key="m_pause").click().run()
        assert at.session_state["m_deck"].paused
        assert at.button(key="m_pause").label == "继续"
        assert at.button(key="m_pause").proto.icon == ":material/play_arrow:"
        assert at.number_input(key="m_interval").value == 20


def test_meeting_page_english(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(PAGE, query={"lang": "en"})
    assert not at.exception
    assert _titles(at)[-1].endswith("Women's federation work")
    assert any("Data as of" in m.value for m in at.markdown)


def test_meeting_page_without_data(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(PAGE)
        assert not at.exception, at.exception
        assert len(at.metric) == 4
        for _ in range(5):
            at.button(key="m_forward").click().run()
        assert not at.exception
        assert _titles(at)[-1] == "目标预警"
        assert any("没有预警指标" in m.value for m in at.markdown)
        assert not any("m-demo" in m.value for m in at.markdown)  # real (no) data: no demo mark
        at.button(key="m_forward").click().run()
        assert _titles(at)[-1] == "督办事项落实情况"
        assert any("本期无督办事项" in m.value for m in at.markdown) and not at.metric


def test_meeting_exit_button_opens_the_overview(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(PAGE)
        at.button(key="m_exit").click().run()
    assert not at.exception, at.exception
    assert not any("m-count" in m.value for m in at.markdown)  # left meeting mode
    assert not any(b.key == "m_exit" for b in at.button)


def test_each_run_reads_the_reading_of_the_slide_it_shows(demo_engine, monkeypatch):
    """The projected slide carries its written reading (first sentence as subtitle), and a run
    computes that slide's reading only: six per tick cost ~0.5 s cold at national scale."""
    from lib.ui import reading_ui

    asked = []
    real = reading_ui.sentences_of
    monkeypatch.setattr(reading_ui, "sentences_of",
                        lambda f, area: asked.append(area) or real(f, area))
    subs = lambda at: [m.value for m in at.markdown if 'class="m-sub"' in m.value]  # noqa: E731
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(PAGE)
        assert set(asked) == {"overview"}, asked  # (the page may run twice to settle)
        assert any("福州市本期村（社区）妇联覆盖率" in s for s in subs(at)), subs(at)
        asked.clear()
        at.button(key="m_forward").click().run()
        assert not at.exception
        assert _titles(at)[-1] == "组织覆盖"
        assert set(asked) == {"coverage"}, asked
        assert any("福州市村（社区）妇联覆盖率" in s for s in subs(at)), subs(at)


def _followup_slide(at):
    """From the first slide, back once: the last one (督办事项落实情况)."""
    at.button(key="m_back").click().run()
    assert not at.exception, at.exception
    assert _titles(at)[-1] == "督办事项落实情况"
    return at


@pytest.mark.parametrize("since", [None, "2026-11-28"])
def test_followup_slide_counts_the_items_since_the_last_meeting(engine, since):
    """Items created through the service show on the slide as new / closed / overdue, counted from
    the last meeting's date (default 30 days ago, or ?since= of the link), which the date box
    holds and the link keeps."""
    import datetime as dt

    from lib import clock
    from lib.meeting import followup as FU
    from tests.test_meeting_followup import CITY, expected, seed, specs

    today = clock.today()
    items = specs(today)
    seed(engine, items)
    def totals_since(day: dt.date) -> dict[str, int]:
        # expected() counts from 30 days ago: move the items instead of the meeting to reuse it
        delta = FU.default_since(today) - day
        shifted = [dataclasses.replace(x, created=x.created + delta,
                                       closed=x.closed + delta if x.closed else None)
                   for x in items]
        want = expected(shifted, CITY, today)
        return {k: sum(v[k] for v in want.values()) for k in FU.MEASURES}

    day = FU.parse_since(since, today)
    totals = totals_since(day)
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = _followup_slide(run_page(PAGE, query={"since": since} if since else None))
        assert [m.value for m in at.metric] == [str(totals[k]) for k in FU.MEASURES]
        assert [m.label for m in at.metric] == ["新增督办事项", "办结事项", "逾期事项"]
        subs = [m.value for m in at.markdown if 'class="m-sub"' in m.value]
        assert any(f"本期（{day.year}年{day.month}月{day.day}日以来）福州市新增督办事项"
                   f"{totals['new']}项" in x for x in subs), subs
        box = at.date_input(key="m_since")
        assert box.value == day and box.label == "上次会议日期"
        assert at.query_params["since"] == day.isoformat()
        assert len(at.get("vega_lite_chart")) == 1
        later = today - dt.timedelta(days=1)
        box.set_value(later).run()  # a later meeting: fewer items new or closed since
        assert not at.exception, at.exception
        assert at.query_params["since"] == later.isoformat()
        assert _titles(at)[-1] == "督办事项落实情况"
        assert [m.value for m in at.metric] == [str(v) for v in totals_since(later).values()]


@pytest.mark.parametrize("bad", ["2099-01-01", "31.10.2026", "inf"])
def test_a_bad_since_in_the_link_says_so_and_counts_from_the_default(engine, bad):
    from lib import clock
    from lib.meeting import followup as FU

    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(PAGE, query={"since": bad})
        assert not at.exception, at.exception
        assert any("上次会议日期无效" in w.value for w in at.warning)
        default = FU.default_since(clock.today())
        assert at.date_input(key="m_since").value == default
        assert at.query_params["since"] == default.isoformat()
