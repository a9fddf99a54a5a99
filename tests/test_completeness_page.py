"""The 报送情况 page under AppTest, on DuckDB and PostgreSQL: grid, ranking, reminder download, the
admin's rule, and who may open it."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl

from lib.ui.nav import pages_for
from tests.apptest_util import app_env, run_page
from tests.test_app import _url
from tests.test_completeness import _load
from tests.test_exports import _recording


def test_page_is_for_analysts_and_admins_only():
    for role, shown in (("viewer", False), ("analyst", True), ("admin", True)):
        assert ("views/completeness.py" in [p.path for p in pages_for(role)]) is shown


def test_page_shows_grid_ranking_and_reminders(engine):
    _load(engine, "茶园,2026-10,宫颈癌筛查,300", at=dt.datetime(2026, 11, 8, 10, 0))
    _load(engine, "王庄,2026-10,宫颈癌筛查,200", at=dt.datetime(2026, 11, 12, 10, 0))
    url, schema = _url(engine)
    book: dict = {}
    with app_env(url, schema=schema, demo=False), _recording(book):
        at = run_page("views/completeness.py", query={"region": "350111000000", "from": "2026-10",
                                                      "to": "2026-10"})
    assert not at.exception, at.exception
    # the reminder list names its region, months, dataset and source above the table
    (blob, name), = [v for v in book.values() if str(v[1]).endswith(".xlsx")]
    assert name.startswith("晋安区_报送情况") and "催报名单" in name and "2026-10" in name
    sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
    head = " ".join(str(c.value) for row in sheet.iter_rows(max_row=2) for c in row if c.value)
    assert "晋安区" in head and "2026年10月" in head and "来源" in head
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["按时"].startswith("1 / ") and metrics["迟报"].startswith("1 / ")
    grid = at.dataframe[0].value
    assert grid.loc["茶园街道"].iloc[0] == "按时" and grid.loc["王庄街道"].iloc[0] == "迟报"
    ranked = at.dataframe[1].value
    assert list(ranked["region_name"][:2]) == ["茶园街道", "王庄街道"]
    todo = at.dataframe[2].value
    assert "茶园街道" not in set(todo["region_name"]) and len(todo) > 3
    assert any(b.label.startswith("下载催报名单") for b in at.get("download_button"))
    assert not any("示例数据是一次性载入的" in w.value for w in at.warning)  # uploads only


def test_country_view_counts_townships_per_province(engine):
    """At the country (two provinces) the grid has a row per province counting its townships, the
    cards count townships, and the reminder list waits for a drill-down instead of listing them."""
    from lib.warehouse import bootstrap
    from tests.test_provinces import nanchang_regions

    bootstrap.import_regions(engine, nanchang_regions())
    _load(engine, "茶园,2026-10,宫颈癌筛查,300", at=dt.datetime(2026, 11, 8, 10, 0))
    _load(engine, "王庄,2026-10,宫颈癌筛查,200", at=dt.datetime(2026, 11, 12, 10, 0))
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/completeness.py", query={"from": "2026-10", "to": "2026-10"})
    assert not at.exception, at.exception
    assert at.session_state["_filters"].level == "country"
    grid = at.dataframe[0].value
    assert list(grid.index) == ["福建省", "江西省"] and grid.shape == (2, 1)
    assert grid.iloc[0, 0].startswith("按时 1 · 迟报 1 · 未报 ") and grid.iloc[1, 0] == "未报 4"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["按时"].startswith("1 / ") and any("按乡镇（街道）个数计" in c.value
                                                     for c in at.caption)
    ranked = at.dataframe[1].value
    assert list(ranked["region_name"]) == ["福建省", "江西省"]
    assert len(at.dataframe) == 2 and not at.get("download_button")
    assert any("下钻" in c.value for c in at.caption)


def test_demo_data_say_their_lateness_is_an_artefact(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page("views/completeness.py", query={"region": "350111000000"})
    assert not at.exception, at.exception
    assert any("示例数据是一次性载入的" in w.value for w in at.warning)


def test_admin_sets_the_deadline_on_the_page(engine):
    _load(engine, "王庄,2026-10,宫颈癌筛查,200", at=dt.datetime(2026, 11, 12, 10, 0))
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/completeness.py", query={"region": "350111000000", "from": "2026-10",
                                                      "to": "2026-10"})
        at.number_input(key="cp_rule_day_*").set_value(15)
        at.button(key="cp_rule_save").click().run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value.loc["王庄街道"].iloc[0] == "按时"
    assert any("15" in m.value for m in at.success)


def test_page_in_chromium(tmp_path):
    """Headless Chromium: the grid, ranking and reminder list draw, with no page error."""
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine
    from tests.browser_util import browser_page, require_browser, streamlit_server

    require_browser()
    url = f"duckdb:///{tmp_path / 'cp.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    _load(engine, "茶园,2026-10,宫颈癌筛查,300", at=dt.datetime(2026, 11, 8, 10, 0))
    _load(engine, "王庄,2026-10,宫颈癌筛查,200", at=dt.datetime(2026, 11, 12, 10, 0))
    dispose_engine(url)
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_AUTH": "off",
           "HALFSKY_NO_DEMO": "1"}
    with streamlit_server(env) as base, browser_page(height=2000) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/completeness?region=350111000000&from=2026-09&to=2026-10")
        page.wait_for_selector("text=催报名单", timeout=120_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp_path / "completeness.png"), full_page=True)
        text = page.locator("body").inner_text()
        assert "报送情况一览" in text and "按时报送排名" in text and "2026年10月报送" in text
        assert page.get_by_text("下载催报名单（XLSX）").count() == 1
        assert page.locator('[data-testid="stDataFrame"]').count() == 3
        assert page.locator('[data-testid="stException"]').count() == 0 and not errors


def test_a_grid_row_drills_down_in_chromium(tmp_path):
    """At the country a click on 江西省's row opens 江西省 (its one city, 南昌市, as the row) and
    the page draws without error; the row picked at the country is not re-applied below."""
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine
    from tests.browser_util import browser_page, require_browser, streamlit_server
    from tests.test_provinces import nanchang_regions

    require_browser()
    url = f"duckdb:///{tmp_path / 'cp2.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    bootstrap.import_regions(engine, nanchang_regions())
    _load(engine, "茶园,2026-10,宫颈癌筛查,300", at=dt.datetime(2026, 11, 8, 10, 0))
    dispose_engine(url)
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_AUTH": "off",
           "HALFSKY_NO_DEMO": "1"}
    with streamlit_server(env) as base, browser_page(height=1400) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/completeness?from=2026-10&to=2026-10")
        page.wait_for_selector("text=报送情况一览", timeout=120_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 14, box["y"] + 35 + 35 + 17)  # the row marker of 江西省
        page.wait_for_selector("text=江西省 · ", timeout=120_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp_path / "drilled.png"))
        text = page.locator("body").inner_text()
        assert "报送情况一览" in text and "按时报送排名" in text
        assert page.locator('[data-testid="stException"]').count() == 0 and not errors
        assert "页面出错了" not in text


def test_a_district_admin_sees_the_rule_but_cannot_change_it(engine):
    from lib.auth import accounts
    from tests.test_admin_scope import _Session
    from tests.test_auth import PW

    accounts.create_user(engine, "city", PW, "admin", "350100000000")
    accounts.create_user(engine, "jinan", PW, "admin", "350111000000", by="city")
    session = _Session(engine, "jinan")
    at = session.open("views/completeness.py")
    assert at.button(key="cp_rule_save").disabled
    assert any("全市" in c.value or "整个" in c.value for c in at.info)
