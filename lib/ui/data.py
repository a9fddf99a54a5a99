"""The cached query boundary: every page reads the warehouse through ``query``.

The cache key is (warehouse URL, data version, query name, parameters): a load anywhere bumps the
version, so every page shows new data on its next rerun without clearing anything by hand. The
caches are bounded cachetools LRUs behind a lock (``lib.charts.memo.BoundedCache``): full, they
forget the entry used longest ago; ``clear_cache`` empties every cache the app keeps.
"""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import cachetools
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from lib.charts import memo
from lib.charts.memo import BoundedCache, frozen
from lib.warehouse import bootstrap, data_version, queries, reference
from lib.warehouse.engine import resolve_schema, resolve_url
from lib.warehouse.scope import Scope, ScopeError, level_of, prefix_of


def warehouse_url() -> str:
    return resolve_url(None)


@st.cache_resource(show_spinner=False)
def _engine(url: str, pg_schema: str | None) -> Engine:
    from sqlalchemy import event

    eng = bootstrap.open_warehouse(url, pg_schema=pg_schema)  # a DuckDB file stays open (engine.py)
    event.listen(eng, "commit", lambda _conn: _forget_version())  # a write in this run: reread
    return eng


def engine() -> Engine:
    """The process-wide engine (a shared singleton: never mutated)."""
    return _engine(warehouse_url(), resolve_schema())


_RUN = threading.local()


def _forget_version() -> None:
    _RUN.memo = None


def version() -> int:
    """The data version, read at most once a second per thread (a page asks ~25 times, ~2 ms
    each). Streamlit runs each script run in a thread of its own, so the memo does not outlive a
    run by more than that second; a commit in this thread forgets it at once."""
    where = (warehouse_url(), resolve_schema())
    memo = getattr(_RUN, "memo", None)
    now = time.monotonic()
    if memo and memo[0] == where and now - memo[1] < 1.0:
        return memo[2]
    ver = data_version(engine())
    _RUN.memo = (where, now, ver)
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
    "regions_above_villages": lambda eng: queries.regions_table(eng, levels=ABOVE_VILLAGES),
    "villages_of": lambda eng, township: queries.regions_table(
        eng, levels=("village",), within=prefix_of(township)),
    "indicators": reference.indicators_frame,
}


# The pages' region frame: every level but the villages (~43,000 of 243,000 regions at national
# scale; reading all of them cost ~0.2 s of every cold run on DuckDB, ~0.5 s on PostgreSQL). A
# township's villages are read when a page shows them (``villages_of``).
ABOVE_VILLAGES = ("country", "province", "city", "district", "township")

_CACHE = BoundedCache(512)  # query results by (warehouse, data version, name, arguments)


def _shared_copy(result: Any) -> Any:
    """What a caller gets of a cached result: its own container, the same (immutable) contents.
    A shallow DataFrame copy is enough: pandas copy-on-write keeps edits off the cached frame."""
    if isinstance(result, pd.DataFrame):
        return result.copy(deep=False)
    if isinstance(result, list):
        return list(result)
    if isinstance(result, dict):
        return dict(result)
    return result


def clear_cache() -> list[str]:
    """Forget every cache the app keeps, so the next page run is cold (tests, the benchmark).

    Empties, in this process: the query results, shared reference frames, region lookups and
    region indexes of this module; this thread's memo of the data version; Streamlit's
    ``st.cache_data``; and every cache found at module level in a loaded ``lib`` module — each
    ``BoundedCache`` or cachetools cache (chart and spec memos, projection specs…) and each
    ``functools`` cache (geometries of lib/geo…). Modules not yet imported hold nothing. Kept:
    the engine (``st.cache_resource``) with DuckDB's open connection, and imported modules.
    Returns the "module.name" of each module-level cache cleared.
    """
    _forget_version()
    st.cache_data.clear()
    memo.clear_cache()
    cleared = []
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "lib" or name.startswith("lib.")):
            continue
        for attr, obj in list(vars(module).items()):
            if isinstance(obj, (BoundedCache, cachetools.Cache)):
                obj.clear()
            elif callable(getattr(obj, "cache_clear", None)) \
                    and getattr(obj, "__module__", None) == name:
                obj.cache_clear()  # functools.lru_cache / cache, or cachetools' @cached
            else:
                continue
            cleared.append(f"{name}.{attr}")
    return cleared


# Which positional argument of a query names the regions it reads: a prefix, one 12-digit code or a
# tuple of codes. Every such query is checked against the signed-in user's scope before it runs.
_REGION_ARG = {"facts": 1, "screening_targets": 0, "org_coverage": 0, "org_coverage_series": 0,
               "org_counts": 0, "villages_without": 0, "freshness": 0, "targets_assess": 0,
               "targets_children": 0, "completeness": 0, "completeness_counts": 0,
               "data_period": 0, "map_shapes": 2}
K_SCOPE = "_query_scope"


def bind_scope(scope: Scope) -> None:
    """The frame binds the signed-in user's scope to the session right after sign-in; from then on
    no query of this session can read a region outside it (defence in depth: the pages already pass
    narrowed prefixes, and a page that forgets gets a ScopeError, not city figures)."""
    if not isinstance(scope, Scope):
        raise TypeError(f"bind_scope takes a Scope, not {scope!r}")
    st.session_state[K_SCOPE] = scope


_BOUND: ContextVar[Scope | None] = ContextVar("halfsky_query_scope", default=None)


@contextmanager
def scope_bound(scope: Scope) -> Iterator[None]:
    """Bind ``scope`` for work that runs outside a script run (a download built when clicked runs
    in a server thread with no session state): its queries are checked against it."""
    if not isinstance(scope, Scope):
        raise TypeError(f"scope_bound takes a Scope, not {scope!r}")
    token = _BOUND.set(scope)
    try:
        yield
    finally:
        _BOUND.reset(token)


def _bound_scope() -> Scope | None:
    explicit = _BOUND.get()
    return explicit if explicit is not None else st.session_state.get(K_SCOPE)


def bound_scope() -> Scope:
    """The scope bound to this session (or this thread): what a query over the caller's own data
    (the month list, the footer) is narrowed to. Fails closed before sign-in bound one."""
    scope = _bound_scope()
    if scope is None:
        raise ScopeError("no scope is bound yet")
    return scope


def _inside(scope: Scope, regions: Any) -> bool:
    if isinstance(regions, Scope):
        return scope.covers(regions)
    items = regions if isinstance(regions, (tuple, list)) else (regions,)
    return all(scope.contains(str(item)) for item in items)


def check_scope(name: str, args: tuple) -> None:
    """Refuse (ScopeError) a query whose regions lie outside the bound scope (``scope_bound``, else
    the session's). The CLIs do not come here: they read through lib/reading/source.EngineSource."""
    where = _REGION_ARG.get(name)
    if where is None or len(args) <= where:
        return
    scope = _bound_scope()
    if scope is None:  # fail closed: a region query before the frame knew who is asking
        raise ScopeError(f"query {name} ran before a scope was bound")
    if not _inside(scope, args[where]):
        raise ScopeError(f"query {name} asked for {args[where]!r} outside scope "
                         f"{scope.prefix or 'all'}")


def query(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run a named warehouse query through the cache (keyed by the current data version).

    An in-process LRU of plain results rather than st.cache_data: that hashes every argument
    with its own hasher and pickles results in and out (~3 ms per hit, ~25 hits per page run,
    and ~1.6 s to pickle the national region table); here a hit is a dict lookup.
    """
    check_scope(name, args)
    # The schema is part of the warehouse's identity: two PostgreSQL schemas share one URL.
    where = f"{warehouse_url()}#schema={resolve_schema() or ''}"
    ver = version()
    if name in _SHARED and not args and not kwargs:
        # Reference frames are read by many helpers per run: one per data version, unshared.
        result = _FRAMES.get((where, ver, name))
        if result is None:
            result = _query_fn(name)(engine())
            _FRAMES.discard(lambda k: k[0] == where and k[1] != ver)  # an older version's
            _FRAMES.put((where, ver, name), result)
        return _shared_copy(result)
    key = (where, ver, name, frozen(args), frozen(kwargs))
    found = _CACHE.get(key, _MISS)
    if found is not _MISS:
        return _shared_copy(found)
    result = _query_fn(name)(engine(), *args, **kwargs)
    # results of an older data version are never asked for again: forget them now, not when the
    # LRU reaches them (a national fact frame is tens of MB)
    _CACHE.discard(lambda k: k[0] == where and k[1] != ver)
    _CACHE.put(key, result)
    return _shared_copy(result)


def derived(what: tuple, build: Callable[[], Any]) -> Any:
    """What a page computes from query results alone (the reading's sentences: ~130 ms of every
    warm run at national scale), once per warehouse, data version and bound scope. ``what`` must
    hold every other input (the view, the area, the language); a failing ``build`` remembers
    nothing. The result is shared: treat it as read-only."""
    key = (warehouse_url(), resolve_schema(), version(), _bound_scope(), *what)
    found = _DERIVED.get(key, _MISS)
    if found is _MISS:
        found = build()
        _DERIVED.discard(lambda k: k[:2] == key[:2] and k[2] != key[2])  # an older version's
        _DERIVED.put(key, found)
    return found


_MISS = object()
_DERIVED = BoundedCache(256)
_SHARED = {"regions", "regions_above_villages"}
# (warehouse, data version, …) keyed, like _CACHE
_FRAMES = BoundedCache(4)  # the region table: ~1.6 s to rebuild at national scale, kept whole
_LOOKUPS = BoundedCache(16)  # RegionLookup per (…, column)
_INDEX = BoundedCache(4096)  # small tuples of codes per (…, level / parent)


class RegionLookup(Mapping):
    """{code: value} of one region column, read-only and lazy: a page looks up a few hundred of
    240,000 regions, and building the whole dict cost ~130 ms per column on every cold run. Each
    code is found once through the frame's index, then remembered.

    ``villages``, if given, reads the villages of a township (a 12-digit code) as (codes, values):
    the frame then holds the levels above and a village is looked up with its township's
    villages, read once. Iteration and ``len`` cover the frame only."""

    _MISSING = object()

    def __init__(self, codes: pd.Series, values: pd.Series,
                 villages: Callable[[str], tuple[pd.Series, pd.Series]] | None = None) -> None:
        self._series = pd.Series(values.array, index=codes.array)
        self._seen: dict[str, Any] = {}
        self._villages = villages
        self._townships: set[str] = set()
        self._lock = threading.Lock()  # lookups are shared by the sessions of a process

    def __getitem__(self, code: str) -> Any:
        found = self._seen.get(code, self._MISSING)
        if found is self._MISSING:
            found = self._series.get(code, self._MISSING)  # codes are the region table's key
            if found is self._MISSING:
                self._load_township_of(code)  # (or another session just did)
                found = self._seen.get(code, self._MISSING)
            if found is not self._MISSING and not isinstance(found, str) and pd.isna(found):
                found = None
            self._seen[code] = found
        if found is self._MISSING:
            raise KeyError(code)
        return found

    def _load_township_of(self, code: str) -> bool:
        """Remember the villages of ``code``'s township, if ``code`` is a village's, the township
        is known and its villages are not read yet; whether they were read now."""
        if self._villages is None or not isinstance(code, str) or _level(code) != "village":
            return False
        township = code[:9] + "000"
        with self._lock:  # a second session asking meanwhile waits, then finds them remembered
            if township in self._townships or township not in self._series.index:
                return False
            codes, values = self._villages(township)
            for c, v in zip(codes.tolist(), values.tolist()):
                self._seen[c] = None if not isinstance(v, str) and pd.isna(v) else v
            self._townships.add(township)
        return True

    def prefetch(self, codes: list[str]) -> None:
        """Look ``codes`` up in one pass (a sidebar box lists ~3,000 districts at national scale:
        one by one that was ~40 µs each, ~120 ms per run)."""
        todo = [c for c in dict.fromkeys(codes) if c not in self._seen]
        if not todo:
            return
        pos = self._series.index.get_indexer(todo)
        values = self._series.array
        for code, i in zip(todo, pos):
            if i < 0:
                self._load_township_of(code)
                self._seen.setdefault(code, self._MISSING)
                continue
            found = values[i]
            self._seen[code] = None if not isinstance(found, str) and pd.isna(found) else found

    def __iter__(self):
        return iter(self._series.index)

    def __len__(self) -> int:
        return len(self._series)


def _level(code: str) -> str | None:
    """``scope.level_of``, None for anything that is not a 12-digit code."""
    try:
        return level_of(code)
    except ValueError:
        return None


def _regions() -> pd.DataFrame:
    """The pages' region frame (every level above the villages), one per data version."""
    return query("regions_above_villages")


def region_lookup(column: str) -> Mapping[str, Any]:
    """{code: column value} over every region (e.g. names), one per data version, shared."""
    key = (warehouse_url(), resolve_schema(), version(), column)
    found = _LOOKUPS.get(key)
    if found is None:
        regions = _regions()

        def villages(township: str) -> tuple[pd.Series, pd.Series]:
            frame = query("villages_of", township)
            return frame["code"], frame[column]

        found = RegionLookup(regions["code"], regions[column], villages)
        _LOOKUPS.discard(lambda k: k[:2] == key[:2] and k[2] != key[2])  # an older version's
        _LOOKUPS.put(key, found)
    return found


def codes_at(level: str) -> list[str]:
    """Codes of every region of ``level`` (above the villages: ask ``children_of`` a township for
    its villages), in code order, remembered per data version."""
    if level not in ABOVE_VILLAGES:
        raise ValueError(f"codes_at lists the levels above the villages, not {level!r}")
    return list(_memo(("level", level), lambda regions: tuple(
        regions.loc[regions["level"] == level, "code"].tolist())))


def children_of(code: str, level: str | None = None) -> list[str]:
    """Codes of the regions whose parent is ``code`` (of ``level`` only, if given), in code order,
    remembered per data version: the sidebar and the targets page ask on every run, and a mask
    over every region costs ~10 ms at national scale."""
    if level == "village" or _level(code) == "township":
        # a township's children are villages: read with the township, not kept in the frame
        if level not in (None, "village"):
            return []
        frame = query("villages_of", code)
        return sorted(frame.loc[frame["parent_code"] == code, "code"].tolist())

    def find(regions: pd.DataFrame) -> tuple[str, ...]:
        mask = regions["parent_code"] == code
        if level is not None:
            mask &= regions["level"] == level
        return tuple(regions.loc[mask, "code"].tolist())

    return list(_memo(("children", code, level), find))


def _memo(what: tuple, build) -> Any:
    """``build(regions)`` once per data version and ``what``; small results, many kept."""
    key = (warehouse_url(), resolve_schema(), version(), *what)
    found = _INDEX.get(key)
    if found is None:
        found = build(_regions())
        _INDEX.put(key, found)
    return found


# Queries of lib modules that import this one's neighbours (or are heavy to import): resolved on
# first use, so every caller (page, reading, meeting brief) finds them behind the same boundary.
_LAZY = {"targets_assess": ("lib.targets", "assess_region"),
         "targets_children": ("lib.targets", "assess_children"),
         "completeness": ("lib.completeness", "completeness"),
         "completeness_counts": ("lib.completeness", "completeness_counts"),
         "completeness_rules": ("lib.completeness", "deadline_days"),
         "map_shapes": ("lib.geo.shapes", "map_shapes")}


def _query_fn(name: str):
    fn = _QUERIES.get(name)
    if fn is None and name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        fn = _QUERIES[name] = getattr(importlib.import_module(module), attr)
    if fn is None:
        raise KeyError(f"unknown query {name!r}")
    return fn
