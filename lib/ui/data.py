"""The cached query boundary: every page reads the warehouse through ``query``.

The cache key is (warehouse URL, data version, query name, parameters): a load anywhere bumps the
version, so every page shows new data on its next rerun without clearing anything by hand.
"""
from __future__ import annotations

import os
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
    return bootstrap.open_warehouse(url, pg_schema=pg_schema)


def engine() -> Engine:
    """The process-wide engine (a shared singleton: never mutated)."""
    return _engine(warehouse_url(), os.environ.get("HALFSKY_DB_SCHEMA") or None)


def version() -> int:
    return data_version(engine())


_QUERIES = {
    "facts": queries.facts,
    "screening_targets": queries.screening_targets,
    "org_coverage": queries.org_coverage,
    "org_counts": queries.org_counts,
    "freshness": queries.freshness,
    "has_demo_rows": queries.has_demo_rows,
    "data_period": queries.data_period,
    "villages_without": queries.villages_without,
    "regions": reference.regions_frame,
    "indicators": reference.indicators_frame,
}


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(url: str, data_ver: int, name: str, args: tuple, kwargs: tuple) -> Any:
    return _QUERIES[name](engine(), *args, **dict(kwargs))


def query(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run a named warehouse query through the cache (keyed by the current data version)."""
    result = _cached(warehouse_url(), version(), name, args, tuple(sorted(kwargs.items())))
    return result.copy() if isinstance(result, pd.DataFrame) else result


def register(name: str, fn) -> None:
    """Let another lib module put its query behind the same cache boundary."""
    _QUERIES[name] = fn
