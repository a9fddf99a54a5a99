"""In headless Chromium, with auth on, the 督办 loop end to end: a 晋安区 analyst opens 目标监测 on
the demo city, clicks 督办 beside an indicator at 有风险, finds the create form prefilled, assigns
the item to a viewer; the viewer signs in, finds it under 我负责的, adds a note and closes it.
An older item of the viewer's, past its due date, is listed first and marked 逾期. Screenshots:
followup_targets_button.png, followup_prefilled.png, followup_created.png, followup_overdue.png, followup_owner.png,
followup_closed.png."""
import datetime as dt
import re

from playwright.sync_api import expect

from lib import demo as demo_module
from lib.auth import accounts
from lib.followup import service as followup
from lib.warehouse import bootstrap
from lib.warehouse.engine import dispose_engine
from tests.browser_util import browser_page, require_browser, shot, streamlit_server
from tests.test_auth import PW

JINAN = "350111000000"
NO_EXCEPTION = '[data-testid="stException"]'


def _sign_in(page, username: str) -> None:
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PW)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=退出登录", timeout=120_000)


def _settled(page) -> None:
    """Wait until the script run that draws the page has finished."""
    page.wait_for_function("document.querySelector('[data-testid=\"stApp\"]')"
                           "?.getAttribute('data-test-script-state') === 'notRunning'",
                           timeout=120_000)
    page.wait_for_timeout(500)


def _choose(page, box_key: str, option: str) -> None:
    """Pick the first option holding ``option`` in a select box: typed into its filter, so the
    option is among the few the list draws."""
    page.locator(f".st-key-{box_key} [data-testid='stSelectbox']").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click(timeout=60_000)
    _settled(page)


def _shown(box) -> str:
    """What a select box shows as chosen (its text, or the value of its input)."""
    values = box.locator("input").evaluate_all("els => els.map(e => e.value)")
    return " ".join([box.inner_text(), *values])


def test_follow_up_from_a_target_at_risk_to_closed(tmp_path):
    require_browser()
    url = f"duckdb:///{tmp_path / 'followup.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    demo_module.build_demo(engine, seed=7)
    ana = accounts.create_user(engine, "ana", PW, "analyst", JINAN)
    accounts.create_user(engine, "vera", PW, "viewer", JINAN)
    # one item of vera's already past its due date: listed first, marked 逾期
    followup.create(engine, ana, region_code="350111100000", subject="鼓山镇培训台账补报",
                    due=dt.date(2026, 11, 1), owner="vera", today=dt.date(2026, 10, 1))
    dispose_engine(url)  # the server process opens the file
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": ""}
    with streamlit_server(env) as base, browser_page(height=1600) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        # the analyst: 目标监测 → 督办 beside an indicator at 有风险
        page.goto(f"{base}/targets")
        page.wait_for_selector("text=用户名", timeout=120_000)
        _sign_in(page, "ana")
        page.get_by_text("预警（按预计差距排序）").wait_for(timeout=120_000)
        _settled(page)
        menu = page.locator(".st-key-t_fu_pick")
        menu.wait_for(timeout=60_000)
        _choose(page, "t_fu_pick", "有风险")
        picked = _shown(menu)
        assert "有风险" in picked, picked
        menu.scroll_into_view_if_needed()
        shot(page, "followup_targets_button")
        page.locator(".st-key-t_fu_go button").first.click()

        # the 督办事项 page, its create form prefilled from that row
        page.get_by_text("已根据预警预填，请核对后创建。").wait_for(timeout=120_000)
        _settled(page)
        # "H08 孕产妇贫血患病率 · 有风险": the indicator's name
        name = re.search(r"\b[A-Z]\d\d (\S+) · 有风险", picked).group(1)
        # the form's fields fill in as they are drawn: expect() waits for them
        expect(page.locator("[class*='st-key-fup_f_subject_'] input")).to_have_value(
            f"{name} 有风险", timeout=30_000)
        expect(page.locator("[class*='st-key-fup_f_asked_'] textarea")).to_have_value(
            re.compile(r"^最新值 .*目标值 "), timeout=30_000)
        due = page.locator("[class*='st-key-fup_f_due_'] input").input_value()
        assert due == "2026/12/30" or due == "2026-12-30", due  # 30 days after the pinned today
        assert "fu_subject=" in page.url and "region=350111000000" in page.url, page.url
        shot(page, "followup_prefilled")
        # the owner: an account whose scope covers 晋安区 (the box is keyed by prefill and region)
        page.locator("[class*='st-key-fup_f_owner_'] [data-testid='stSelectbox']").click()
        page.get_by_role("option", name="vera", exact=True).click()
        _settled(page)
        page.locator("[class*='st-key-fup_f_submit_'] button").click()
        done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="已创建督办事项")
        done.wait_for(timeout=60_000)
        item_id = int(re.search(r"已创建督办事项 (\d+)", done.inner_text()).group(1))
        _settled(page)
        assert "fu_subject=" not in page.url, page.url  # a reload offers no second copy
        shot(page, "followup_created")
        assert page.locator(NO_EXCEPTION).count() == 0

        # the viewer it was assigned to: 我负责的 → a note → 已办结
        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("密码", exact=True).wait_for(timeout=60_000)
        page.goto(f"{base}/followup")
        page.wait_for_selector("text=用户名", timeout=60_000)
        _sign_in(page, "vera")
        page.get_by_text("共 2 项，其中逾期 1 项").wait_for(timeout=120_000)
        _settled(page)
        assert page.get_by_text("新建督办事项").count() == 0  # a viewer assigns nothing
        assert "鼓山镇培训台账补报" in _shown(page.locator(".st-key-fup_pick"))  # overdue first
        shot(page, "followup_overdue")
        _choose(page, "fup_pick", f"{item_id} · {name}")
        note = page.locator(f".st-key-fup_note_{item_id} textarea")
        note.fill("已召开专题会，制定整改措施。")
        note.press("Tab")  # Streamlit takes a text area's value when it loses focus
        _settled(page)
        shot(page, "followup_owner")
        page.locator(f".st-key-fup_note_status_{item_id}").get_by_text("已办结").click()
        _settled(page)
        page.locator(f".st-key-fup_note_submit_{item_id} button").click()
        page.get_by_text(f"事项 {item_id} 已办结。").wait_for(timeout=60_000)
        _settled(page)
        body = page.locator("body").inner_text()
        assert "已召开专题会，制定整改措施。" in body and "状态：待办 → 已办结" in body, body[-3000:]
        assert page.locator(f".st-key-fup_note_submit_{item_id}").count() == 0  # closed
        shot(page, "followup_closed")
        assert page.locator(NO_EXCEPTION).count() == 0
        assert not errors, errors
