"""AppTest smoke and behaviour tests of every page, with and without data, on both backends."""
import pytest

from tests.apptest_util import app_env, run_page

PAGES = ["views/overview.py", "views/coverage.py", "views/training.py", "views/employment.py",
         "views/screening.py", "views/upload.py", "views/followup.py"]


def _url(engine):
    url = engine.url.render_as_string(hide_password=False)
    schema = _pg_schema(engine) if engine.dialect.name == "postgresql" else None
    return url, schema


def _pg_schema(engine):
    with engine.connect() as conn:
        return conn.exec_driver_sql("select current_schema()").scalar_one()


@pytest.mark.parametrize("page", PAGES)
def test_pages_with_demo_data(demo_engine, page):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(page)
    assert not at.exception, at.exception
    assert any("示例数据" in i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_pages_without_data(engine, page):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page(page)
    assert not at.exception, at.exception
    assert not any("示例数据" in i.value for i in at.info)


def test_overview_kpis_and_url(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(query={"region": "350111000000", "from": "2024-01", "to": "2024-12"})
    assert not at.exception
    labels = [m.label for m in at.metric]
    # a share is read on the period's last day and says so; counts are the period's
    assert labels[:4] == ["村（社区）妇联覆盖率（截至2024年12月31日）", "参训人次", "提供岗位数",
                          "筛查人数"]
    assert all(m.value not in ("—", "") for m in at.metric)
    assert at.query_params["region"] == ["350111000000"] or at.query_params["region"] == "350111000000"
    assert at.selectbox(key="f_district").value == "350111000000"


def test_overview_english(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(query={"lang": "en"})
    assert not at.exception
    assert "Federation coverage (as of 2026-11-30)" in [m.label for m in at.metric]


def test_bad_region_in_url_is_refused_plainly(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(query={"region": "999999000000"})
    assert not at.exception
    assert any("无效" in w.value for w in at.warning)
    assert at.selectbox(key="f_district").value == "all"


def test_first_start_builds_demo(tmp_path):
    with app_env(f"duckdb:///{tmp_path / 'first.duckdb'}"):
        at = run_page()
    assert not at.exception
    assert any("示例数据" in i.value for i in at.info)
    assert len(at.metric) == 4


def test_region_index_matches_the_region_table(demo_engine):
    """The sidebar's and targets page's region index answers what the region table says."""
    from lib.ui import data
    from lib.warehouse.reference import regions_frame

    url, schema = _url(demo_engine)
    regions = regions_frame(demo_engine)
    with app_env(url, schema=schema):
        data.clear_cache()
        assert data.codes_at("district") == sorted(regions[regions["level"] == "district"]["code"])
        district = "350111000000"
        towns = regions[(regions["parent_code"] == district) & (regions["level"] == "township")]
        assert data.children_of(district, "township") == sorted(towns["code"]) != []
        assert data.children_of(district) == sorted(regions[regions["parent_code"] == district]["code"])
        assert data.children_of("350111100201") == []  # a village has no children
        assert data.region_lookup("parent_code")[district] == "350100000000"
