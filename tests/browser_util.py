"""Start ``streamlit run`` on a free port and drive Debian's Chromium through Playwright."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def require_browser() -> None:
    """Skip with a reason when Chromium is absent, except under CI (HALFSKY_REQUIRE_BROWSER=1)."""
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("HALFSKY_REQUIRE_BROWSER") == "1":
        pytest.fail("HALFSKY_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing "
                    "(apt-get install -y chromium fonts-noto-cjk)")
    pytest.skip("Chromium not installed at /usr/bin/chromium (apt-get install -y chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    """A running ``streamlit run``: its base URL, port and process, so a test can tell that the same
    process kept serving (a restart would change the PID) and read its log when something fails."""
    url: str
    port: int
    proc: subprocess.Popen
    log_file: IO[bytes]

    def log(self) -> str:
        """Everything the server printed so far (its log goes to a file: a pipe nobody reads would
        block the server once full). Read with pread: the server shares the file offset."""
        fd = self.log_file.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")


@contextmanager
def streamlit_process(env: dict[str, str], timeout: float = 90, *, python: str = sys.executable,
                      root: Path = ROOT) -> Iterator[Server]:
    """Start ``streamlit run serve.py`` (the app and its cookie routes) of ``root`` with ``python``
    on a free port with ``env`` added to this environment, wait until it answers its health check,
    and stop it afterwards."""
    port = free_port()
    full_env = {**os.environ, **env}
    with tempfile.TemporaryFile() as log_file:
        proc = subprocess.Popen(
            [python, "-m", "streamlit", "run", str(root / "serve.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true"],
            cwd=root, env=full_env, stdout=log_file, stderr=subprocess.STDOUT)
        server = Server(f"http://127.0.0.1:{port}", port, proc, log_file)
        deadline = time.time() + timeout
        try:
            while time.time() < deadline:
                try:
                    urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(server.log())
                    time.sleep(0.3)
            else:
                raise TimeoutError(f"streamlit did not start:\n{server.log()}")
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def streamlit_server(env: dict[str, str], timeout: float = 90) -> Iterator[str]:
    """``streamlit_process`` for tests that need only the base URL."""
    with streamlit_process(env, timeout) as server:
        yield server.url


@contextmanager
def browser_page(width: int = 1400, height: int = 1000, **context_options):
    """A page of a fresh browser context; ``context_options`` go to Playwright's new_context
    (e.g. a phone's user_agent, has_touch)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # A context of its own (not browser.new_page): a test can open a second tab in it,
            # sharing cookies as a real browser window does.
            context = browser.new_context(viewport={"width": width, "height": height},
                                          **context_options)
            yield context.new_page()
        finally:
            browser.close()


def shots_dir() -> Path:
    """Where the browser journey writes its screenshots: ``HALFSKY_SCREENSHOT_DIR`` (tests/conftest.py
    sets it to ``out/screenshots``, git-ignored), so a CI run leaves pictures of what Chromium showed."""
    folder = Path(os.environ.get("HALFSKY_SCREENSHOT_DIR") or ROOT / "out" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot(page, name: str) -> Path:
    path = shots_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def map_screenshot(page, name: str, settle_s: float = 20) -> bytes:
    """The first deck map of a page once drawn, as PNG bytes, also kept as ``map_<name>.png``.

    Drawn means settled (``settled_screenshot``): deck.gl draws after its first animation frames.
    What is shown after ``settle_s`` is what the test judges."""
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=180_000)
    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.wait_for(timeout=60_000)
    png = settled_screenshot(page, chart, settle_s)
    (shots_dir() / f"map_{name}.png").write_bytes(png)
    return png


def settled_screenshot(page, element, settle_s: float = 20) -> bytes:
    """``element`` (scrolled into view) as PNG once two pictures 0.4 s apart are the same and show
    something besides the page's white, or after ``settle_s``."""
    element.scroll_into_view_if_needed()
    deadline = time.monotonic() + settle_s
    page.wait_for_timeout(400)
    png, previous = element.screenshot(), b""
    while (png != previous or not _drawn(png)) and time.monotonic() < deadline:
        page.wait_for_timeout(400)
        png, previous = element.screenshot(), png
    return png


def _drawn(png: bytes) -> bool:
    """Whether a picture holds anything darker than the page's near-white."""
    import io

    from PIL import Image

    darkest, _ = Image.open(io.BytesIO(png)).convert("L").getextrema()
    return darkest < 235
