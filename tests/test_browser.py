"""In headless Chromium: the app starts from scratch, builds the demo, asks for the setup code from
the server's log and the first admin (no default password exists) and then draws the overview."""
import os
import re
import time

from tests.browser_util import browser_page, require_browser, streamlit_process


def test_overview_in_chromium(tmp_path):
    require_browser()
    env = {"HALFSKY_DB_URL": f"duckdb:///{tmp_path / 'browser.duckdb'}", "HALFSKY_DB_SCHEMA": "",
           "HALFSKY_SETUP_CODE": ""}  # the server makes a code and prints it in its log
    with streamlit_process(env) as server, browser_page() as page:
        url = server.url
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("text=初始设置", timeout=90_000)
        code = re.search(r"halfsky first-admin setup code: (\S+)", server.log()).group(1)
        page.get_by_role("textbox", name="设置码").fill(code)
        page.get_by_label("用户名").fill("admin1")
        page.get_by_label("密码", exact=True).fill("a-long-pass-phrase")
        page.get_by_label("再次输入密码").fill("a-long-pass-phrase")
        page.get_by_role("button", name="创建管理员").click()
        page.wait_for_selector("text=村（社区）妇联覆盖率", timeout=90_000)
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=30_000)
        page.wait_for_selector("canvas", timeout=60_000)
        print(f"overview drawn {time.perf_counter() - t0:.1f}s after first request")
        values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert len(values) >= 4 and all(v.strip() not in ("", "—") for v in values[:4])
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("示例数据").count() >= 1
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
        if os.environ.get("HALFSKY_SCREENSHOT_DIR"):
            page.screenshot(path=os.path.join(os.environ["HALFSKY_SCREENSHOT_DIR"], "overview.png"), full_page=True)
        assert not errors, errors
