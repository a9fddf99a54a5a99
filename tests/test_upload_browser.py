"""In headless Chromium, the upload page as an analyst uses it: a GBK ledger with title lines and a
合计 row goes preview → dry run → confirm and shows in the history; a file with personal data is
refused naming the column. Runs as the development admin (HALFSKY_AUTH=off) on a fresh warehouse."""
import os
from pathlib import Path

from tests.browser_util import browser_page, require_browser, streamlit_server

FIX = Path(__file__).parent / "fixtures_ingest"
NO_EXCEPTION = '[data-testid="stException"]'


def _shot(page, tmp_path, name: str) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=True)
    if os.environ.get("HALFSKY_SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["HALFSKY_SCREENSHOT_DIR"], name),
                        full_page=True)


def _upload(page, path: Path) -> None:
    page.locator(".st-key-up_file input[type=file]").set_input_files(str(path))


def _visible_text(page) -> str:
    """The page's text plus the values of its inputs (a selectbox shows its value in one)."""
    inputs = page.evaluate("() => Array.from(document.querySelectorAll('input'), i => i.value)")
    return page.locator("body").inner_text() + "\n" + "\n".join(inputs)


def test_upload_page_in_chromium(tmp_path):
    require_browser()
    env = {"HALFSKY_DB_URL": f"duckdb:///{tmp_path / 'upload.duckdb'}", "HALFSKY_DB_SCHEMA": "",
           "HALFSKY_AUTH": "off", "HALFSKY_NO_DEMO": ""}
    with streamlit_server(env) as url, browser_page(height=2600) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/upload")
        page.wait_for_selector("text=导入批次", timeout=120_000)  # the demo is built on first start
        page.locator(".st-key-up_file input[type=file]").wait_for(state="attached", timeout=60_000)

        # a GBK ledger: header mapping, dry run, confirm, success, the batch in the history
        _upload(page, FIX / "training_gbk_title_total.csv")
        page.wait_for_selector("text=表头对应", timeout=60_000)
        page.wait_for_selector("text=试运行：新增 3 行", timeout=60_000)
        assert page.get_by_text("识别为“培训”").count() == 1
        _shot(page, tmp_path, "upload_preview.png")
        page.locator(".st-key-up_confirm button").click()
        success = page.locator('[data-testid="stAlertContentSuccess"]')
        success.first.wait_for(timeout=60_000)
        assert "已写入批次" in success.first.inner_text()
        batch = success.first.inner_text().split("已写入批次")[1].split("：")[0].strip()
        history = page.locator('[data-testid="stDataFrame"]').last
        page.wait_for_timeout(1000)
        _shot(page, tmp_path, "upload_loaded.png")
        # the grid draws on a canvas: its text is checked through the rollback picker instead
        assert f"{batch} · training_gbk_title_total.csv" in _visible_text(page)
        assert history.is_visible()
        assert page.locator(NO_EXCEPTION).count() == 0

        # personal data: refused, the message names the column, nothing written
        _upload(page, FIX / "personal_data.csv")
        refusal = page.locator('[data-testid="stAlertContentError"]').first
        refusal.wait_for(timeout=60_000)
        assert "文件未导入" in refusal.inner_text()
        assert "联系电话" in refusal.inner_text() and "手机号码" in refusal.inner_text()
        page.wait_for_timeout(1000)
        _shot(page, tmp_path, "upload_refused.png")
        assert page.locator(NO_EXCEPTION).count() == 0
        assert page.get_by_text("下载问题说明（XLSX）").count() == 1
        assert not errors, errors


def test_uploader_speaks_chinese(tmp_path):
    """Streamlit's uploader says "Upload" and "50MB per file • CSV, XLSX" whatever the language;
    the page hides those and says it in the UI's language."""
    require_browser()
    env = {"HALFSKY_DB_URL": f"duckdb:///{tmp_path / 'words.duckdb'}", "HALFSKY_DB_SCHEMA": "",
           "HALFSKY_AUTH": "off", "HALFSKY_NO_DEMO": "1"}
    with streamlit_server(env) as url, browser_page() as page:
        page.goto(f"{url}/upload")
        page.locator(".st-key-up_file input[type=file]").wait_for(state="attached", timeout=90_000)
        page.wait_for_timeout(1000)
        box = page.locator(".st-key-up_file_box")
        seen = box.inner_text()
        assert "Upload" not in seen and "per file" not in seen, seen
        assert "单个文件不超过 50 MB · CSV、XLSX" in seen, seen
        box.get_by_role("button", name="选择文件").wait_for(timeout=10_000)
        assert box.get_by_role("button", name="选择文件").is_visible()
        page.goto(f"{url}/upload?lang=en")
        box = page.locator(".st-key-up_file_box")
        box.get_by_text("Up to 50 MB per file · CSV, XLSX").wait_for(timeout=90_000)
        box.get_by_role("button", name="Choose a file").wait_for(timeout=10_000)
