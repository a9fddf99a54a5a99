"""The cached query boundary: every page reads the warehouse through ``query``.

The cache key is (warehouse URL, data version, query name, parameters): a load anywhere bumps the
version, so every page shows new data on its next rerun without clearing anything by hand.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from lib.warehouse import bootstrap, data_version, queries, reference


def warehouse_url() -> str:
    from lib.warehouse.engine import resolve_url

    return resolve_url(None)


@st.cache_resource(show_spinner=False)
def _engine(url: str, pg_schema: str | None) -> Engine:
    from sqlalchemy import event

    eng = bootstrap.open_warehouse(url, pg_schema=pg_schema)
    if eng.dialect.name == "duckdb":
        _keep_open(eng)
    event.listen(eng, "commit", lambda _conn: _forget_version())  # a write in this run: reread
    return eng


def _keep_open(eng: Engine) -> None:
    """Hold one idle DuckDB connection for the process: DuckDB keeps a database instance only while
    a connection is open, so without it every query reopens the file (≈40 ms; ≈1.5 ms with it —
    the benchmark, docs/performance.md). Closed when the engine is disposed (dispose_engine)."""
    from sqlalchemy import event

    keeper = eng.raw_connection()
    event.listen(eng, "engine_disposed", lambda _e: keeper.close())


def engine() -> Engine:
    """The process-wide engine (a shared singleton: never mutated)."""
    return _engine(warehouse_url(), os.environ.get("HALFSKY_DB_SCHEMA") or None)


_RUN = threading.local()


def _forget_version() -> None:
    _RUN.memo = None


def version() -> int:
    """The data version, read once per script run (a page asks ~25 times, ~2 ms each): the run is
    known by the cursor map Streamlit gives every run (fragment runs included); a commit in this
    thread forgets it, and it is never older than a second."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    run = getattr(ctx, "cursors", None)
    where = (warehouse_url(), os.environ.get("HALFSKY_DB_SCHEMA") or None)
    memo = getattr(_RUN, "memo", None)
    now = time.monotonic()
    if run is not None and memo and memo[0] is run and memo[1] == where and now - memo[2] < 1.0:
        return memo[3]
    ver = data_version(engine())
    _RUN.memo = (run, where, now, ver) if run is not None else None
    return ver


_QUERIES = {
    "facts": queries.facts,
    "screening_targets": queries.screening_targets,
    "org_coverage": queries.org_coverage,
    "org_coverage_series": queries.org_coverage_series,
    "org_counts": queries.org_counts,
    "freshness": queries.freshness,
    "has_demo_rows": queries.has_demo_rows,
    "data_period": queries.data_period,
    "villages_without": queries.villages_without,
    "regions": queries.regions_table,  # same frame as reference.regions_frame, read ~10× faster
    "indicators": reference.indicators_frame,
}


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(url: str, data_ver: int, name: str, args: tuple, kwargs: tuple) -> Any:
    return _QUERIES[name](engine(), *args, **dict(kwargs))


def query(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run a named warehouse query through the cache (keyed by the current data version)."""
    # The schema is part of the warehouse's identity: two PostgreSQL schemas share one URL.
    where = f"{warehouse_url()}#schema={os.environ.get('HALFSKY_DB_SCHEMA') or ''}"
    ver = version()
    if name in _SHARED and not args and not kwargs:
        # st.cache_data pickles on a miss (~1.6 s for the national region table) and unpickles on
        # every hit (~26 ms, several times per run). Reference frames skip it: kept unpickled,
        # one per data version, in this process.
        result = _FRAMES.get((where, ver, name))
        if result is None:
            result = _QUERIES[name](engine())
            if len(_FRAMES) >= 8:
                _FRAMES.clear()
            _FRAMES[(where, ver, name)] = result
    else:
        result = _cached(where, ver, name, args, tuple(sorted(kwargs.items())))
    # A shallow copy is enough: pandas copy-on-write keeps callers' edits off the cached frame.
    return result.copy(deep=False) if isinstance(result, pd.DataFrame) else result


_SHARED = {"regions"}
_FRAMES: dict[tuple, pd.DataFrame] = {}
_LOOKUPS: dict[tuple, dict] = {}


def region_lookup(column: str) -> dict[str, Any]:
    """{code: column value} over every region (e.g. names), built once per data version and shared
    read-only: at national scale (240,000 regions) ``dict(zip(...))`` over the frame costs ~0.5 s."""
    key = (warehouse_url(), os.environ.get("HALFSKY_DB_SCHEMA") or None, version(), column)
    found = _LOOKUPS.get(key)
    if found is None:
        regions = query("regions")
        found = dict(zip(regions["code"].tolist(), regions[column].tolist()))
        if len(_LOOKUPS) >= 16:
            _LOOKUPS.clear()
        _LOOKUPS[key] = found
    return found


def register(name: str, fn) -> None:
    """Let another lib module put its query behind the same cache boundary."""
    _QUERIES[name] = fn
