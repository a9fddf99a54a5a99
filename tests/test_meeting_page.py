"""AppTest of the 会议模式 page: slides, controls, a region from the link, no data, English."""
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
    assert any("第 1 / 6 页" in m.value for m in at.markdown)
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
