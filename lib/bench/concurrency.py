"""Ten browser sessions at once while an upload runs: one headless Chromium, ten contexts each
opening a dashboard page of the top city, and an eleventh uploading a training ledger through the
upload page (preview, dry run, confirm), all against one ``streamlit run`` server.

Each session's time runs from navigation until the page's KPI values are drawn; an error is a
Streamlit exception box, a browser page error or a timeout. The server process's own CPU time over
the ten sessions (psutil on its PID) is reported beside it: with ten Chromium renderers on the same
two cores, the wall times mostly measure the browsers, the CPU seconds what the server spent. The
upload goes through the server itself because a DuckDB file belongs to one process (the app refuses
to share one); the server runs on a copy of the benchmark warehouse so that the upload never
changes it.
"""
from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib import settings
from lib.bench.load import write_csv
from lib.bench.timing import cpu_seconds, log
from lib.bench.warehouses import View
from lib.warehouse.engine import dispose_engine, get_engine

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ["overview", "coverage", "training", "employment", "screening"]


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:PORT
    pid: int  # the streamlit process, whose CPU time the benchmark reads


@contextmanager
def server(url: str, timeout: float = 180) -> Iterator[Served]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = settings.child_env({settings.DB_URL: url, settings.DB_SCHEMA: "", settings.NO_DEMO: "1",
                              settings.AUTH: "off"})
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"),
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
        yield Served(base, proc.pid)
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


async def _upload(browser, base: str, csv: Path, timeout_s: float) -> tuple[float, str | None]:
    """The analyst's path through the upload page; seconds from opening it to the batch written."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 2400})
    page = await ctx.new_page()
    t0 = time.perf_counter()
    error = None
    try:
        await page.goto(f"{base}/upload")
        await page.locator(".st-key-up_file input[type=file]").wait_for(
            state="attached", timeout=timeout_s * 1000)
        await page.locator(".st-key-up_file input[type=file]").set_input_files(str(csv))
        await page.wait_for_selector("text=试运行：新增", timeout=timeout_s * 1000)
        await page.locator(".st-key-up_confirm button").click()
        await page.locator('[data-testid="stAlertContentSuccess"]').first.wait_for(
            timeout=timeout_s * 1000)
        if await page.locator('[data-testid="stException"]').count():
            error = "stException"
    except Exception as exc:  # noqa: BLE001 — a timeout or a crashed page: the upload's error
        error = type(exc).__name__
    finally:
        await ctx.close()
    return time.perf_counter() - t0, error


async def _all(base: str, region: str, sessions: int, timeout_s: float, csv: Path | None,
               pid: int | None = None):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                          headless=True)
        try:
            # One warm-up visit: the server's first request builds its engine and caches.
            await _session(browser, base, "overview", region, timeout_s)
            alone = [await _session(browser, base, page, region, timeout_s) for page in PAGES]
            uploading = [_upload(browser, base, csv, timeout_s * 3)] if csv else []
            cpu0, t0 = (cpu_seconds(pid) if pid else 0.0), time.perf_counter()
            *together, upload = await asyncio.gather(*[
                _session(browser, base, PAGES[i % len(PAGES)], region, timeout_s)
                for i in range(sessions)], *uploading)
            cpu = (cpu_seconds(pid) - cpu0) if pid else None
            wall = time.perf_counter() - t0
            if not csv:
                together, upload = [*together, upload], None
            return alone, together, upload, cpu, wall
        finally:
            await browser.close()


def run_concurrency(url: str, views: list[View], sessions: int = 10, timeout_s: float = 120,
                    upload_rows: int = 20_000) -> dict | None:
    """{sessions, errors, p95_s, p50_s, alone_p50_s, upload_rows, upload_s, upload_error}; None
    when Chromium is missing. The upload runs while the sessions open their pages (none when
    ``upload_rows`` is 0 or the warehouse is not a DuckDB file)."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        log("  concurrency: skipped (no /usr/bin/chromium)")
        return None
    with tempfile.TemporaryDirectory(prefix="halfsky_conc_") as tmp:
        csv = None
        if upload_rows and url.startswith("duckdb:///"):
            csv = Path(tmp) / "training_upload.csv"
            write_csv(get_engine(url), csv, upload_rows, seed=1)
            dispose_engine(url)  # release the file so the copy is consistent
            copy = Path(tmp) / "served.duckdb"
            shutil.copyfile(url.split("///", 1)[1], copy)
            served = f"duckdb:///{copy}"
        else:
            dispose_engine(url)  # the server process must be able to open the DuckDB file
            served = url
        with server(served) as srv:
            alone, results, upload, cpu, wall = asyncio.run(
                _all(srv.base, views[0].code, sessions, timeout_s, csv, srv.pid))
    times = [s for s, _ in results]
    errs = [e for _, e in results if e]
    for e in errs[:5]:
        log(f"  concurrency error: {e}")
    out = {"sessions": sessions, "errors": len(errs),
           "p95_s": round(float(np.percentile(times, 95)), 2),
           "p50_s": round(float(np.percentile(times, 50)), 2),
           # the same pages one at a time: what the ten sessions cost each other on this machine
           "alone_p50_s": round(float(np.percentile([s for s, _ in alone], 50)), 2),
           "upload_rows": upload_rows if upload else 0,
           "upload_s": round(upload[0], 2) if upload else None,
           "upload_error": upload[1] if upload else None,
           # what the server itself spent while the sessions (and the upload) ran
           "server_cpu_s": None if cpu is None else round(cpu, 1),
           "wall_s": round(wall, 1),
           "server_cores_busy": None if cpu is None or not wall else round(cpu / wall, 2)}
    log(f"  concurrency: {out}")
    return out
