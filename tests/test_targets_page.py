"""AppTest of the 目标监测 page: demo data and empty warehouse, city / district / township, English."""
import pytest

from tests.apptest_util import app_env, run_page
from tests.test_app import _url

PAGE = "views/targets.py"


@pytest.fixture(autouse=True)
def _no_login(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")  # the login gate is tested elsewhere
    from lib.ui import data

    data.clear_cache()  # each test starts cold, as a fresh server would


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


# --- admins edit targets and add indicators ------------------------------------------------------

def _catalog_row(engine, code):
    from lib.warehouse.reference import indicators_frame

    frame = indicators_frame(engine).set_index("code")
    return frame.loc[code] if code in frame.index else None


def _audit(engine, action):
    from lib.warehouse import audit

    ev = audit.events(engine)
    return ev[ev["action"] == action]


def test_admin_edits_a_target(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(PAGE)
        assert not at.exception, at.exception
        at.selectbox(key="t_adm_code").set_value("H02").run()
        assert at.number_input(key="t_adm_value_H02").value == 70  # the catalog's target
        at.number_input(key="t_adm_value_H02").set_value(66.5)
        at.number_input(key="t_adm_year_H02").set_value(2032)
        at.button(key="t_adm_save").click().run()
    assert not at.exception, at.exception
    row = _catalog_row(engine, "H02")
    assert (row["target_value"], row["target_year"]) == (66.5, 2032)
    ev = _audit(engine, "indicator_target")
    assert len(ev) == 1 and ev.iloc[0]["username"] == "dev"
    assert any("已保存指标 H02" in s.value for s in at.success)
    # the page was drawn again after the change: the editor shows the new target
    assert at.number_input(key="t_adm_value_H02").value == 66.5


def test_admin_bad_target_refused_with_message(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(PAGE)
        at.selectbox(key="t_adm_code").set_value("H02").run()
        at.number_input(key="t_adm_value_H02").set_value(120)
        at.button(key="t_adm_save").click().run()
    assert not at.exception, at.exception
    assert any("0 到 100" in e.value for e in at.error)
    assert _catalog_row(engine, "H02")["target_value"] == 70
    assert _audit(engine, "indicator_target").empty


def test_admin_adds_an_indicator(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(PAGE)
        at.text_input(key="t_add_code").input("Z01")
        at.text_input(key="t_add_name_zh").input("测试指标")
        at.text_input(key="t_add_name_en").input("Test indicator")
        at.selectbox(key="t_add_domain").set_value("family")
        at.number_input(key="t_add_value").set_value(60)
        at.button(key="t_add_submit").click().run()
    assert not at.exception, at.exception
    row = _catalog_row(engine, "Z01")
    assert row is not None and (row["domain"], row["target_value"], row["target_year"]) \
        == ("family", 60.0, 2030)
    assert len(_audit(engine, "indicator_add")) == 1
    assert any("已添加指标 Z01" in s.value for s in at.success)
    assert any(o.startswith("Z01 ") for o in at.selectbox(key="t_indicator").options)  # redrawn


def test_admin_add_duplicate_code_refused(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(PAGE)
        at.text_input(key="t_add_code").input("H01")
        at.text_input(key="t_add_name_zh").input("重复")
        at.text_input(key="t_add_name_en").input("Duplicate")
        at.number_input(key="t_add_value").set_value(60)
        at.button(key="t_add_submit").click().run()
    assert not at.exception, at.exception
    assert any("H01 已存在" in e.value for e in at.error)
    assert _catalog_row(engine, "H01")["name_zh"] != "重复"
    assert _audit(engine, "indicator_add").empty


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_admins_see_the_editor(engine, role, monkeypatch):
    from lib.auth import accounts
    from tests.test_auth import PW

    monkeypatch.delenv("HALFSKY_AUTH")
    accounts.create_user(engine, "boss", PW, "admin", "350100000000")
    accounts.create_user(engine, "someone", PW, role, "350100000000", by="boss")
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False, auth=True):
        at = run_page()
        at.text_input(key="login_user").input("someone")
        at.text_input(key="login_password").input(PW)
        at.button(key="login_submit").click().run()
        at.switch_page(PAGE)
        at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader][0] == "指标进展"  # signed in, on the targets page
    assert "管理指标（管理员）" not in [s.value for s in at.subheader]
    assert not [b for b in at.button if b.key in ("t_adm_save", "t_add_submit")]


def test_children_assessment_skips_computed_unless_asked(engine):
    from lib.targets import assess_children
    from lib.warehouse.reference import indicators_frame

    catalog = indicators_frame(engine)
    n_uploaded = int((catalog["computed_from"].fillna("").str.strip() == "").sum())
    kids = ("350111000000", "350102000000")
    cheap = assess_children(engine, kids, computed=False)
    full = assess_children(engine, kids, computed=True)
    assert set(cheap) == set(full) == set(kids)
    assert all(len(cheap[k]) == n_uploaded for k in kids)
    assert all(len(full[k]) == len(catalog) > n_uploaded for k in kids)
    assert all(a.region_code == k for k in kids for a in full[k])


def test_children_batched_values_match_one_region_at_a_time(demo_engine):
    """assess_children reads every child's uploaded values in one query: same result as one
    query per child."""
    from lib.targets import assess_children
    from lib.targets.assess import assess_indicators
    from lib.warehouse.indicator_queries import indicator_yearly_values
    from lib.warehouse.reference import indicators_frame, regions_frame

    regions = regions_frame(demo_engine)
    kids = tuple(regions[regions["level"] == "district"]["code"])
    catalog = indicators_frame(demo_engine)
    uploaded = catalog[catalog["computed_from"].fillna("").str.strip() == ""]
    batched = assess_children(demo_engine, kids, computed=False)
    assert any(a.latest_year for items in batched.values() for a in items)  # not all empty
    for code in kids:
        one = assess_indicators(uploaded, indicator_yearly_values(demo_engine, code, uploaded), code)
        assert batched[code] == one
