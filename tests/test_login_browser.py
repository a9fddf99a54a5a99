"""In headless Chromium, with auth on: wrong password, login, logout; a viewer cannot open /admin."""
import pytest

from lib.auth import accounts
from lib.warehouse import bootstrap
from lib.warehouse.engine import dispose_engine
from tests.browser_util import browser_page, require_browser, streamlit_server
from tests.test_auth import PW


def _fill_login(page, username, password):
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


# A fresh server's first request for /PAGE must still go through app.py's login gate (there is no
# auto-discovered pages/ folder that Streamlit could run directly).
@pytest.mark.parametrize("first_url", ["", "/admin", "/upload"])
def test_login_wrong_password_logout(tmp_path, first_url):
    require_browser()
    url = f"duckdb:///{tmp_path / 'auth.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    dispose_engine(url)  # the server process opens the file
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": ""}
    with streamlit_server(env) as base, browser_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # the first request of a fresh server may name a page: it must still meet the login gate
        page.goto(base + first_url)
        page.wait_for_selector("text=用户名", timeout=60_000)
        assert page.get_by_text("审计日志").count() == 0
        assert page.get_by_text("上传台账").count() == 0
        _fill_login(page, "vera", "wrong password")
        page.wait_for_selector("text=用户名或密码错误", timeout=30_000)
        _fill_login(page, "vera", PW)
        page.wait_for_selector("text=退出登录", timeout=60_000)
        assert page.get_by_text("vera").count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("管理", exact=True).count() == 0  # not in a viewer's navigation
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name="退出登录").wait_for(state="detached", timeout=30_000)
        page.get_by_label("密码", exact=True).wait_for(timeout=30_000)
        assert page.locator('[data-testid="stMetricValue"]').count() == 0
        assert not errors, errors


def test_back_off_message_and_display_link(tmp_path):
    """After repeated wrong passwords the account waits (the right one is not heard) and the page
    says no more than for a wrong password; a display link opens meeting mode with no login, and
    stops working once revoked."""
    require_browser()
    import datetime as dt

    from lib.auth import links, throttle

    url = f"duckdb:///{tmp_path / 'auth.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    root = accounts.create_user(engine, "root", PW, "admin", "350100000000")
    token = links.create_link(engine, root, "350111000000", dt.timedelta(days=1), "projector")
    dispose_engine(url)
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": ""}
    with streamlit_server(env) as base, browser_page() as page:
        page.goto(base)
        page.wait_for_selector("text=用户名", timeout=60_000)
        for _ in range(throttle.USER_POLICY.free_failures):
            _fill_login(page, "vera", "wrong password")
            page.wait_for_timeout(800)
        page.wait_for_selector("text=用户名或密码错误", timeout=30_000)
        _fill_login(page, "vera", PW)
        page.wait_for_timeout(1500)
        page.wait_for_selector("text=用户名或密码错误", timeout=30_000)
        assert page.get_by_text("退出登录").count() == 0
        assert page.get_by_text("锁定").count() == 0

        display = page.context.browser.new_page()  # the projector PC: no session, only the link
        display.goto(f"{base}/?display={token}")
        display.wait_for_selector("[data-testid='stMain'] .m-count", timeout=90_000)
        assert display.get_by_label("密码", exact=True).count() == 0
        assert display.get_by_text("退出登录").count() == 0
    # DuckDB is single-process: revoke once the server has stopped, then open the link again
    engine = bootstrap.open_warehouse(url)
    assert links.revoke(engine, links.token_hash(token), by=root)
    dispose_engine(url)
    with streamlit_server(env) as base, browser_page() as page:
        page.goto(f"{base}/?display={token}")
        page.wait_for_selector("text=撤销", timeout=90_000)
        assert page.locator("[data-testid='stMain'] .m-count").count() == 0
        assert page.locator('[data-testid="stMetricValue"]').count() == 0


def test_nul_username_shows_no_traceback(tmp_path):
    """A NUL byte typed into the name (PostgreSQL once answered with SQL and server paths) gets
    the ordinary message; nothing of an exception reaches the page."""
    require_browser()
    url = f"duckdb:///{tmp_path / 'auth.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    dispose_engine(url)
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": ""}
    with streamlit_server(env) as base, browser_page() as page:
        page.goto(base)
        page.wait_for_selector("text=用户名", timeout=60_000)
        _fill_login(page, "vera\x00", PW)
        page.wait_for_selector("text=用户名或密码错误", timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("Traceback").count() == 0
