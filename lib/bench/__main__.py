"""``python -m lib.bench``: the figures of docs/performance.md, printed (never asserted).

    python -m lib.bench [--scale city|national] [--db URL] [--pg-url URL] [--reps N] [--json]
                        [--skip-load] [--skip-browser] [--skip-naive] [--pages a,b,...]

Builds the warehouse of that scale on first use (data/bench_<scale>.duckdb, facts in random row
order; national: minutes) and reuses it after. Then: each page under AppTest, cold (every cache
the app keeps cleared) and warm, at every level from the top view down to a township, on DuckDB
and (with --pg-url) PostgreSQL; each aggregate query on DuckDB, PostgreSQL and a naive pandas
baseline; each map's payload; a 1,000,000-row CSV through the CLI, first load and re-upload (10 %
changed, shuffled, merge path), on DuckDB and (with --pg-url) PostgreSQL; click-to-drawn per page
in one Chromium with the server's CPU per page view; ten browser sessions at once.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

from lib import cli
from lib.bench import cases as cases_mod
from lib.bench import naive, warehouses
from lib.bench.browser import run_browser_bench
from lib.bench.cold import clear_every_cache
from lib.bench.concurrency import run_concurrency
from lib.bench.load import run_load, run_pg_load
from lib.bench.maps import run_china_districts, run_maps
from lib.bench.pages import PAGES, run_pages
from lib.bench.report import text
from lib.bench.timing import log, measure, p50, p95


def _parser() -> argparse.ArgumentParser:
    p = cli.parser("lib.bench", __doc__ or "", formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", choices=["city", "national"], default="city",
                   help="city: the demo city's warehouse (default); national: 2,850 districts")
    p.add_argument("--db", help="warehouse URL (default data/bench_<scale>.duckdb; built if empty)")
    p.add_argument("--pg-url", help="also run the pages and queries on this PostgreSQL (schema "
                                    "bench_<scale>, built there if empty)")
    p.add_argument("--pg-schema", help="PostgreSQL schema (default bench_<scale>)")
    p.add_argument("--reps", type=int, default=20,
                   help="timed repetitions per figure (default 20: a p95 from 20 samples)")
    p.add_argument("--json", action="store_true", help="print one JSON object, nothing else")
    p.add_argument("--skip-load", action="store_true", help="skip the 1,000,000-row CSV load")
    p.add_argument("--skip-browser", action="store_true",
                   help="skip the browser figures (click-to-drawn, capacity, concurrency)")
    p.add_argument("--skip-concurrency", action="store_true",
                   help="skip the ten concurrent sessions (keep click-to-drawn and capacity)")
    p.add_argument("--skip-pages", action="store_true",
                   help="skip the server-side page runs (AppTest); the browser still visits --pages")
    p.add_argument("--skip-naive", action="store_true", help="skip the pandas baseline")
    p.add_argument("--pages", default=",".join(_pages()), help="pages to run (comma-separated)")
    p.add_argument("--load-rows", type=int, default=1_000_000, help=argparse.SUPPRESS)
    p.add_argument("--national-scale", type=float, default=1.0, help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    # The build alone, in the process the benchmark starts for it (warehouses.build_in_child).
    p.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    return p


def _pages() -> list[str]:
    return PAGES


def _machine() -> str:
    import psutil
    return (f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, Python {platform.python_version()}")


def _load_avg() -> str:
    """The 1/5/15-minute load averages: on a shared machine, how busy it was when the run began."""
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _build_meta(prefix: str, built: dict | None) -> dict:
    """The build's wall seconds, its process's peak RSS and CPU seconds (None: reused)."""
    return {f"{prefix}build_{k}": None if built is None else built[k]
            for k in ("seconds", "peak_rss_mb", "cpu_seconds")}


def run_queries(engine, pg_engine, store, views, period, reps) -> list[dict]:
    out = []
    for view in views:
        for case in cases_mod.cases(view, period):
            case.run(engine)  # first call: connection and plan warm-up, not timed
            ms = measure(lambda c=case: c.run(engine), reps)
            naive_ms = pg_ms = None
            if store is not None and case.naive is not None:
                naive_ms = p50(measure(lambda c=case: c.naive(store), reps))
            if pg_engine is not None:
                case.run(pg_engine)
                pg_ms = p50(measure(lambda c=case: c.run(pg_engine), reps))
            out.append({"name": f"{case.name} @{view.level}", "p50_ms": p50(ms), "p95_ms": p95(ms),
                        "naive_p50_ms": naive_ms, "pg_p50_ms": pg_ms})
            log(f"  query {out[-1]['name']:44s} {p50(ms):8.1f} ms  naive {naive_ms}  pg {pg_ms}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = args.db or warehouses.default_url(args.scale)
    main_schema = None  # --db on PostgreSQL: its schema is --pg-schema (default bench_<scale>)
    if url.startswith("postgresql"):
        main_schema = args.pg_schema or f"bench_{args.scale}"
    if args.build_only:
        warehouses.build(url, args.scale, pg_schema=main_schema, seed=args.seed,
                         national_scale=args.national_scale)
        return 0
    load_avg_before_build = _load_avg()
    engine, built = warehouses.ensure(url, args.scale, pg_schema=main_schema, seed=args.seed,
                                      national_scale=args.national_scale)
    meta: dict = {"machine": _machine(), "reps": args.reps, **_build_meta("", built),
                  "load_avg_before_build": load_avg_before_build if built else None,
                  "data_order": warehouses.DATA_ORDER,
                  "load_avg_at_start": _load_avg()}
    result: dict = {"scale": args.scale, "db": engine.dialect.name, "reps": args.reps,
                    "pages": [], "queries": [], "maps": [], "load_1m": None,
                    "load_1m_reload": None, "pg_load_1m": None, "browser": [], "capacity": None,
                    "concurrency": None}

    if not args.skip_load:
        log(f"{args.load_rows:,}-row CSV load, then the same rows again (10 % changed, shuffled)")
        result["load_1m"], result["load_1m_reload"] = run_load(url, engine, args.load_rows)

    # As the app does (lib/ui/data.py): one idle connection keeps DuckDB's instance open, so each
    # query's connect is ~1 ms instead of reopening the file.
    keeper = engine.raw_connection() if engine.dialect.name == "duckdb" else None
    views = warehouses.views(engine)
    meta["views"] = ", ".join(f"{v.level} {v.code}" for v in views)
    period = cases_mod.Period.default(engine)
    meta["period"] = f"{period.date_from} – {period.date_to}"

    pg_engine = None
    if args.pg_url:
        pg_engine, pg_built = warehouses.ensure(args.pg_url, args.scale,
                                                pg_schema=args.pg_schema or f"bench_{args.scale}",
                                                seed=args.seed, national_scale=args.national_scale)
        meta.update(_build_meta("pg_", pg_built))
        if not args.skip_load:
            log(f"{args.load_rows:,}-row CSV load on PostgreSQL")
            result["pg_load_1m"] = run_pg_load(args.pg_url, args.pg_schema or f"bench_{args.scale}",
                                               args.load_rows)
    store = None
    if not args.skip_naive:
        t0 = time.perf_counter()
        store = naive.load(engine)
        meta["naive_load_seconds"] = round(time.perf_counter() - t0, 1)
    log("queries")
    q_views = views + ([warehouses.View("all", "", "")] if args.scale == "national" else [])
    result["queries"] = run_queries(engine, pg_engine, store, q_views, period, args.reps)
    del store

    log("maps")
    result["maps"] = run_maps(engine, views, args.reps)
    if args.scale == "national":
        result["maps"].append(run_china_districts())

    pages = [p for p in args.pages.split(",") if p]
    meta["cold_clears"] = ", ".join(clear_every_cache())
    if pages and not args.skip_pages:
        log("pages")
        result["pages"], errors = run_pages(url, views, args.reps, pages, pg_schema=main_schema)
        for row in result["pages"]:
            row["db"] = engine.dialect.name
        if pg_engine is not None:
            log("pages on PostgreSQL")
            pg_pages, pg_errors = run_pages(args.pg_url, views, args.reps, pages,
                                            pg_schema=args.pg_schema or f"bench_{args.scale}")
            result["pages"] += [{**row, "db": "postgresql"} for row in pg_pages]
            errors += pg_errors
        meta["page_errors"] = len(errors)
        for e in errors[:10]:
            log(f"  page error: {e}")

    if keeper is not None:
        keeper.close()
    if not args.skip_browser and pages:
        log("browser: click to fully drawn, one page at a time; server CPU per view")
        got = run_browser_bench(url, pages, args.reps)  # the app's default view
        if got is not None:
            result["browser"], result["capacity"] = got
    if not args.skip_browser and not args.skip_concurrency:
        log("concurrency")
        result["concurrency"] = run_concurrency(url, views)

    meta["load_avg_at_end"] = _load_avg()
    result["meta"] = meta
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print(text(result))
    return 0


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
