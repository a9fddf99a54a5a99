"""The sign-in journey in Chromium: a leader's link opens the login form (no "Page not found"),
signing in lands on the page asked for with its region, a reload and a new tab keep the sign-in,
sign-out and an admin's "end session" sign the browser out. Screenshots go to out/screenshots."""
import pytest

from lib.auth import accounts, web_sessions
from lib.warehouse import bootstrap
from lib.warehouse.engine import dispose_engine
from tests.browser_util import browser_page, require_browser, shot, streamlit_server
from tests.test_auth import PW

JINAN = "350111000000"


def _fill_login(page, username, password=PW):
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def _signed_in(page, timeout=60_000) -> None:
    page.get_by_role("button", name="退出登录").wait_for(timeout=timeout)


def _at_login(page, timeout=60_000) -> None:
    page.get_by_label("密码", exact=True).wait_for(timeout=timeout)
    # The signed-in page's elements stay on screen (stale) until the rerun that drew the form ends;
    # wait for them to go rather than count them at once (a race CI lost once).
    page.get_by_role("button", name="退出登录").wait_for(state="detached", timeout=15_000)


@pytest.fixture
def warehouse(tmp_path):
    url = f"duckdb:///{tmp_path / 'journey.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    accounts.create_user(engine, "vera", PW, "viewer", JINAN)
    dispose_engine(url)  # the server process opens the file
    return url


def test_link_sign_in_reload_new_tab_sign_out(warehouse):
    require_browser()
    env = {"HALFSKY_DB_URL": warehouse, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": ""}
    with streamlit_server(env) as base, browser_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # a link as it arrives over WeChat: a page, a region and a period
        page.goto(f"{base}/screening?region={JINAN}&from=2026-03&to=2026-09")
        _at_login(page)
        page.wait_for_timeout(1000)  # a "Page not found" dialog would open by now
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text("views/").count() == 0  # never a raw list of page files
        shot(page, "journey_01_link_opens_login")
        _fill_login(page, "vera")
        _signed_in(page)
        page.get_by_role("heading", name="两癌筛查").first.wait_for(timeout=60_000)
        assert "/screening" in page.url and f"region={JINAN}" in page.url
        assert "from=2026-03" in page.url and "to=2026-09" in page.url
        shot(page, "journey_02_lands_on_the_linked_page")

        page.wait_for_timeout(1500)  # the hand-off image has fetched the cookie
        cookie = {c["name"]: c for c in page.context.cookies()}[web_sessions.COOKIE_NAME]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

        page.reload()
        _signed_in(page)
        page.get_by_role("heading", name="两癌筛查").first.wait_for(timeout=60_000)
        assert f"region={JINAN}" in page.url
        shot(page, "journey_03_reload_keeps_the_sign_in")

        tab = page.context.new_page()
        tab.goto(f"{base}/training")
        _signed_in(tab)
        # a link to a page the viewer's role lacks: a refusal in Chinese, no "Page not found",
        # and the menu still does not list the page
        tab.goto(f"{base}/upload")
        tab.get_by_text("您的角色无权使用此页面").wait_for(timeout=60_000)
        tab.wait_for_timeout(1000)
        assert tab.get_by_text("Page not found").count() == 0
        assert tab.get_by_role("link", name="数据上传").count() == 0
        assert tab.get_by_role("button", name="浏览文件").count() == 0  # no uploader drawn
        shot(tab, "journey_03b_role_lacking_link_refused")
        # the overview by its name (a bookmark, a typed address): served at the root, same view
        tab.goto(f"{base}/overview?region={JINAN}&from=2026-03&to=2026-09")
        tab.get_by_role("heading", name="巾帼数据驾驶舱").first.wait_for(timeout=60_000)
        tab.wait_for_url(lambda u: "/overview" not in u and f"region={JINAN}" in u,
                         timeout=30_000)
        assert "from=2026-03" in tab.url and "to=2026-09" in tab.url
        tab.wait_for_timeout(1000)
        assert tab.get_by_text("Page not found").count() == 0
        shot(tab, "journey_03c_overview_by_name")
        tab.close()

        page.get_by_role("button", name="退出登录").click()
        _at_login(page)
        page.reload()
        _at_login(page)
        shot(page, "journey_04_sign_out_holds_after_reload")
        assert not errors, errors


def test_admin_ends_a_session(warehouse):
    """An admin of 晋安区 ends vera's session on the admin page; vera's next reload signs her out."""
    require_browser()
    engine = bootstrap.open_warehouse(warehouse, load_default_regions=False)
    accounts.create_user(engine, "jin_admin", PW, "admin", JINAN)
    dispose_engine(warehouse)
    env = {"HALFSKY_DB_URL": warehouse, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": ""}
    with streamlit_server(env) as base, browser_page() as page:
        page.goto(base)
        _at_login(page)
        _fill_login(page, "vera")
        _signed_in(page)
        page.wait_for_timeout(1500)

        admin = page.context.browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        admin.goto(f"{base}/admin")
        _at_login(admin)
        _fill_login(admin, "jin_admin")
        _signed_in(admin)
        admin.get_by_role("tab", name="在线会话").click()
        admin.get_by_role("button", name="结束会话").click()
        admin.get_by_text("会话已结束").wait_for(timeout=30_000)
        shot(admin, "journey_05_admin_ends_a_session")

        page.reload()  # the cookie is still in vera's browser; its row has ended
        _at_login(page)
        shot(page, "journey_06_ended_session_signs_out")


def test_changing_ones_password_signs_out_the_other_browser(warehouse):
    """vera is signed in on two browsers (two contexts: two cookie jars); she changes her password
    in one, which stays signed in, while the other is signed out on its next reload."""
    require_browser()
    env = {"HALFSKY_DB_URL": warehouse, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": ""}
    new_pw = "a brand new horse 77"
    with streamlit_server(env) as base, browser_page() as page:
        page.goto(base)
        _at_login(page)
        _fill_login(page, "vera")
        _signed_in(page)
        page.wait_for_timeout(1500)  # the hand-off image has fetched the cookie

        other = page.context.browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        other.goto(base)
        _at_login(other)
        _fill_login(other, "vera")
        _signed_in(other)
        other.wait_for_timeout(1500)

        page.goto(f"{base}/account")
        page.get_by_label("当前密码", exact=True).fill(PW)
        page.get_by_label("新密码", exact=True).fill(new_pw)
        page.get_by_label("再次输入密码", exact=True).fill(new_pw)
        page.get_by_role("button", name="修改密码").click()
        page.get_by_text("密码已修改").wait_for(timeout=30_000)
        shot(page, "journey_07_password_changed")

        other.reload()
        _at_login(other)
        shot(other, "journey_08_other_browser_signed_out")
        page.reload()
        _signed_in(page)  # the browser it was changed in keeps its sign-in
        other.context.close()
