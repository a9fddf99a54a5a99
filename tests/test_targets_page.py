"""AppTest of the 目标监测 page: demo data and empty warehouse, city / district / township, English."""
import pytest

from tests.apptest_util import app_env, run_page
from tests.test_app import _url

PAGE = "pages/targets.py"


@pytest.fixture(autouse=True)
def _no_login(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")  # the login gate is tested elsewhere


@pytest.mark.parametrize("region, child_rows", [
    (None, 13),                # city → 13 districts
    ("350111000000", None),    # district → its townships
    ("350111100000", 0),       # township: villages are not assessed
])
def test_targets_page_with_demo(demo_engine, region, child_rows):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(PAGE, query={"region": region} if region else None)
    assert not at.exception, at.exception
    heads = [s.value for s in at.subheader]
    assert heads[:4] == ["指标进展", "指标趋势与预测", "预警（按预计差距排序）", "下级地区对比"]
    domains = [m.value for m in at.markdown if m.value.startswith("**")]
    assert domains[:2] == ["**健康**", "**教育**"]
    assert at.selectbox(key="t_indicator").value == "C01"
    if child_rows == 0:
        assert any("没有可评估的下级地区" in c.value for c in at.caption)
    else:
        summary = at.dataframe[-2].value
        assert len(summary) == (child_rows or len(summary)) and len(summary) > 1


def test_status_filter_and_indicator(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(PAGE)
        n_all = len(at.dataframe)
        at.multiselect(key="t_status").set_value(["off_track"]).run()
        assert not at.exception
        tables = [d.value for d in at.dataframe]
        # only off-track rows remain in the domain tables (before warnings and children)
        n_domains = len([m for m in at.markdown if m.value.startswith("**") and "：" not in m.value])
        assert n_domains < n_all - 3
        for frame in tables[:n_domains]:
            assert set(frame["_status"]) == {"off_track"}
        at.selectbox(key="t_indicator").set_value("H08").run()
        assert not at.exception
        assert "有风险" in at.caption[1].value or any("有风险" in c.value for c in at.caption)


def test_targets_page_english(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(PAGE, query={"lang": "en"})
    assert not at.exception
    assert [s.value for s in at.subheader][0] == "Indicator progress"
    assert any(m.value == "**Health**" for m in at.markdown)


def test_targets_page_without_data(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(PAGE)
    assert not at.exception, at.exception
    assert any("还没有指标观测值" in i.value for i in at.info)
    assert not any(i.value.startswith("示例数据：") for i in at.info)
