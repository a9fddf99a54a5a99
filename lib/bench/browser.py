"""What a user waits for, and what each page view costs the server: one headless Chromium, one tab,
clicking the sidebar's page links one page at a time against a ``streamlit run`` server.

Each sample runs from the click (``performance.now()`` in the page, just before ``link.click()``)
until the page is *fully drawn*: the script run that the click started has finished (``stApp``'s
``data-test-script-state`` went through ``running`` and is ``notRunning`` again), no running
indicator, no stale (greyed) element of the previous run, every Vega-Lite chart has its canvas or
SVG laid out with a width and every deck.gl map its sized canvas. The poll is once per animation
frame, inside the page, so the figure carries no Playwright round trip.

Capacity: the server process's CPU time (user + system, psutil on the ``streamlit run`` PID, which
runs every session's script in its own threads) over the timed clicks, divided by the number of
page views. ``views_per_core_s`` = 1000 / ``cpu_ms_per_view``: how many such views one core could
serve per second if it did nothing else.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from lib.bench.concurrency import CHROMIUM, CHROMIUM_ARGS, server
from lib.bench.timing import cpu_seconds, log
from lib.warehouse.engine import dispose_engine

PAGES = ["overview", "coverage", "training", "employment", "screening", "targets", "meeting"]
DEFAULT_PAGE = "overview"  # lib/ui/nav.py: served at "/"

_CLICK = """([name, isDefault]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const h1 = main.querySelector('h1');
  const rec = {t0: 0, ran: false, changed: false, h1: h1 ? h1.innerText : '',
               path: isDefault ? '' : '/' + name};
  // Seeing data-test-script-state go to 'running' proves the click's run happened, but React may
  // batch a fast run's start and finish into one render; then the page's own content replacing
  // the previous page's (another title in stMain) proves it instead. Watch the whole document:
  // React may also replace the stApp node on a page switch.
  const obs = new MutationObserver(muts => {
    for (const m of muts) {
      if (m.type === 'attributes' && (m.oldValue === 'running'
          || m.target.getAttribute('data-test-script-state') === 'running')) rec.ran = true;
      if (m.type === 'childList') rec.changed = true;
    }
  });
  obs.observe(document.body, {attributes: true, attributeOldValue: true, subtree: true,
                              childList: true, attributeFilter: ['data-test-script-state']});
  rec.obs = obs;
  window.__bench = rec;
  const links = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')];
  const link = links.find(a => {
    const p = new URL(a.href).pathname.replace(/\\/+$/, '');
    return p === '/' + name || (isDefault && p === '');
  });
  if (!link) return false;
  rec.t0 = performance.now();
  link.click();
  return true;
}"""

_DRAWN = """() => {
  const rec = window.__bench;
  const app = document.querySelector('[data-testid="stApp"]');
  if (rec && !rec.ran) {
    const h1 = document.querySelector('[data-testid="stMain"] h1');
    const switched = rec.changed && location.pathname.replace(/\\/+$/, '') === rec.path
      && (h1 ? h1.innerText : '') !== rec.h1;
    if (!switched) return false;
  }
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  for (const c of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    const g = c.querySelector('canvas, svg');
    if (!g || g.getBoundingClientRect().width === 0) return false;
  }
  for (const c of document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')) {
    const g = c.querySelector('canvas');
    if (!g || g.width === 0 || g.height === 0) return false;
  }
  if (!rec) return true;
  rec.obs.disconnect();
  return {ms: performance.now() - rec.t0,
          charts: document.querySelectorAll('[data-testid="stVegaLiteChart"]').length,
          maps: document.querySelectorAll('[data-testid="stDeckGlJsonChart"]').length,
          // an exception box, or the app's own "page failed" message (lib/ui/page_errors)
          error: document.querySelectorAll('[data-testid="stException"], '
                                           + '[data-testid="stAlertContentError"]').length};
}"""


_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const rec = window.__bench;
  return {ran: !!(rec && rec.ran), state: app && app.getAttribute('data-test-script-state'),
          path: location.pathname, stale: document.querySelectorAll('[data-stale="true"]').length,
          skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
          charts: [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(
            c => !!c.querySelector('canvas, svg')),
          maps: [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"] canvas')].map(
            c => c.width + 'x' + c.height)};
}"""


def _click(page, name: str, timeout_s: float) -> dict:
    """One click and its time to fully drawn; a page that never gets there counts as an error
    with the timeout as its time (and what was missing is logged)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if not page.evaluate(_CLICK, [name, name == DEFAULT_PAGE]):
        raise RuntimeError(f"no sidebar link to {name}")
    try:
        return page.wait_for_function(_DRAWN, timeout=timeout_s * 1000, polling="raf").json_value()
    except PlaywrightTimeout:
        log(f"  browser {name}: not drawn after {timeout_s:.0f} s: {page.evaluate(_STATE)}")
        return {"ms": timeout_s * 1000, "charts": 0, "maps": 0, "error": 1, "timeout": True}


def run_browser(base: str, pid: int, pages: list[str], reps: int, timeout_s: float = 60,
                region: str = "") -> tuple[list[dict], dict]:
    """([{page, p50_ms, p95_ms, first_ms, samples, charts, maps}], capacity) for a running server.

    The first click on each page (``first_ms``) meets the server's caches cold for that page and is
    not among the samples; then ``reps`` rounds over ``pages`` in order, each click leaving the
    page the previous one drew."""
    from playwright.sync_api import sync_playwright

    samples: dict[str, list[float]] = {p: [] for p in pages}
    first: dict[str, dict] = {}
    last: dict[str, dict] = {}
    errors: dict[str, int] = {p: 0 for p in pages}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/" + (f"?region={region}" if region else ""))
            page.wait_for_selector('[data-testid="stSidebarNav"]', state="attached",
                                   timeout=timeout_s * 1000)
            page.wait_for_function(_DRAWN, timeout=timeout_s * 1000, polling="raf")
            order = pages[1:] + pages[:1] if pages[0] == DEFAULT_PAGE else pages
            cpu0 = cpu_seconds(pid)
            for name in order:  # warm-up round: each page's first view
                first[name] = _click(page, name, timeout_s)
            cpu_first = cpu_seconds(pid) - cpu0
            cpu0, t0 = cpu_seconds(pid), time.perf_counter()
            for _ in range(max(1, reps)):
                for name in order:
                    got = _click(page, name, timeout_s)
                    samples[name].append(got["ms"])
                    last[name] = got
                    errors[name] += bool(got["error"])
            cpu = cpu_seconds(pid) - cpu0
            wall = time.perf_counter() - t0
        finally:
            browser.close()
    out = []
    for name in pages:
        ms = samples[name]
        out.append({"page": name, "p50_ms": round(float(np.percentile(ms, 50)), 0),
                    "p95_ms": round(float(np.percentile(ms, 95)), 0),
                    "first_ms": round(first[name]["ms"], 0), "samples": len(ms),
                    "charts": last[name]["charts"], "maps": last[name]["maps"],
                    "errors": errors[name] + bool(first[name]["error"])})
        log(f"  browser {name:10s} p50 {out[-1]['p50_ms']:6.0f} ms  p95 {out[-1]['p95_ms']:6.0f} ms"
            f"  first {out[-1]['first_ms']:6.0f} ms  ({out[-1]['charts']} charts, "
            f"{out[-1]['maps']} maps)")
    views = sum(len(v) for v in samples.values())
    per_view = cpu * 1000 / views
    capacity = {"cpu_ms_per_view": round(per_view, 1),
                "views_per_core_s": round(1000 / per_view, 2) if per_view else None,
                "views": views, "server_cpu_s": round(cpu, 1), "wall_s": round(wall, 1),
                "server_cores_busy": round(cpu / wall, 2) if wall else None,
                "first_view_cpu_ms": round(cpu_first * 1000 / len(order), 1),
                "page_errors": sum(errors.values())}
    log(f"  capacity: {capacity}")
    return out, capacity


def run_browser_bench(url: str, pages: list[str], reps: int, region: str = ""
                      ) -> tuple[list, dict] | None:
    """Start a server on ``url`` and run :func:`run_browser`; None when Chromium is missing."""
    import shutil

    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        log("  browser: skipped (no /usr/bin/chromium)")
        return None
    dispose_engine(url)  # a DuckDB file belongs to one process: the server's
    with server(url) as srv:
        return run_browser(srv.base, srv.pid, pages, reps, region=region)
