"""Each page's full server-side run under Streamlit's AppTest, with the query cache cold and warm.

AppTest runs app.py (frame: filters, navigation) and then the page, in this process, exactly as a
server run does minus the websocket. "cold" clears every cache the app keeps before each run
(``lib.bench.cold``: queries, region frames and lookups, chart memo, geometry, ...), so every query
goes to the warehouse and every chart and map is built again; only the engine (a connection, kept
by a running server across loads) stays.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lib import settings
from lib.bench.cold import clear_every_cache
from lib.bench.timing import log, measure, p50, p95
from lib.bench.warehouses import View

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["overview", "coverage", "training", "employment", "screening", "targets", "meeting",
         "completeness"]


@contextmanager
def app_env(url: str, pg_schema: str | None = None) -> Iterator[None]:
    """The app pointed at the benchmark warehouse, as the development admin, without auto-demo."""
    with settings.overridden({settings.DB_URL: url, settings.DB_SCHEMA: pg_schema or "",
                              settings.NO_DEMO: "1", settings.AUTH: "off"}):
        yield


def run_pages(url: str, views: list[View], reps: int, pages: list[str] = PAGES,
              pg_schema: str | None = None) -> tuple[list[dict], list[str]]:
    """[{page, level, cache, p50_ms, p95_ms}] and the errors seen (page exceptions)."""
    from streamlit.testing.v1 import AppTest

    out, errors = [], []
    with app_env(url, pg_schema):
        for view in views:
            for page in pages:
                at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
                at.query_params["region"] = view.code
                at.run()
                at.switch_page(f"views/{page}.py")
                at.run()  # first run of the page in this session: not timed

                def run(at=at, page=page, view=view) -> None:
                    at.run()
                    if at.exception:
                        errors.append(f"{page}@{view.level}: {at.exception[0].message[:200]}")

                cold = measure(run, reps, before=clear_every_cache)
                warm = measure(run, reps)
                for cache, ms in (("cold", cold), ("warm", warm)):
                    out.append({"page": page, "level": view.level, "cache": cache,
                                "p50_ms": p50(ms), "p95_ms": p95(ms)})
                log(f"  page {page:10s} {view.level:9s} cold p50 {p50(cold):8.0f} ms · "
                    f"warm p50 {p50(warm):8.0f} ms")
    return out, errors
