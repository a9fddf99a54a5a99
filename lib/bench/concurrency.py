"""Ten browser sessions at once: one headless Chromium, ten contexts, each opening a dashboard page
of the top city against a ``streamlit run`` server on the benchmark warehouse.

Each session's time runs from navigation until the page's KPI values are drawn; an error is a
Streamlit exception box, a browser page error or a timeout. On DuckDB no load runs meanwhile: the
file belongs to the server process (DESIGN §8), so a second process cannot write it.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from lib.bench.timing import log
from lib.bench.warehouses import View

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ["overview", "coverage", "training", "employment", "screening"]


@contextmanager
def server(url: str, timeout: float = 180) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": "off"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("streamlit did not start")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _session(browser, base: str, page_name: str, region: str, timeout_s: float
                   ) -> tuple[float, str | None]:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t0 = time.perf_counter()
    try:
        await page.goto(f"{base}/{page_name}?region={region}")
        await page.wait_for_selector('[data-testid="stMetricValue"]', timeout=timeout_s * 1000)
        seconds = time.perf_counter() - t0
        if await page.locator('[data-testid="stException"]').count():
            errors.append("stException")
    except Exception as exc:  # noqa: BLE001 — a timeout or a crashed page: that session's error
        seconds = time.perf_counter() - t0
        errors.append(type(exc).__name__)
    finally:
        await ctx.close()
    return seconds, (errors[0] if errors else None)


async def _all(base: str, region: str, sessions: int, timeout_s: float):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                          headless=True)
        try:
            # One warm-up visit: the server's first request builds its engine and caches.
            await _session(browser, base, "overview", region, timeout_s)
            alone = [await _session(browser, base, page, region, timeout_s) for page in PAGES]
            together = await asyncio.gather(*[
                _session(browser, base, PAGES[i % len(PAGES)], region, timeout_s)
                for i in range(sessions)])
            return alone, together
        finally:
            await browser.close()


def run_concurrency(url: str, views: list[View], sessions: int = 10,
                    timeout_s: float = 120) -> dict | None:
    """{sessions, errors, p95_s, p50_s, alone_p50_s}; None when Chromium is missing."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        log("  concurrency: skipped (no /usr/bin/chromium)")
        return None
    from lib.warehouse.engine import dispose_engine
    dispose_engine(url)  # the server process must be able to open the DuckDB file
    with server(url) as base:
        alone, results = asyncio.run(_all(base, views[0].code, sessions, timeout_s))
    times = [s for s, _ in results]
    errs = [e for _, e in results if e]
    for e in errs[:5]:
        log(f"  concurrency error: {e}")
    out = {"sessions": sessions, "errors": len(errs),
           "p95_s": round(float(np.percentile(times, 95)), 2),
           "p50_s": round(float(np.percentile(times, 50)), 2),
           # the same pages one at a time: what the ten sessions cost each other on this machine
           "alone_p50_s": round(float(np.percentile([s for s, _ in alone], 50)), 2)}
    log(f"  concurrency: {out}")
    return out
