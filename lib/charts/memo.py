"""Memoised charts: the same frame and options give the same chart object, and its Vega-Lite spec
is built once.

A page redraws the same charts on every rerun (a filter moved elsewhere, a map click, the meeting
timer). Building an Altair chart and turning it into a spec cost about a third of a warm page run;
with these, a rerun over unchanged data pays a hash of each chart's small frame instead.
"""
from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any

import cachetools
import pandas as pd


class BoundedCache:
    """A cachetools ``LRUCache`` behind a lock: Streamlit runs each script run in a thread of its
    own, and cachetools caches are not thread-safe by themselves. Full, it forgets the entry used
    longest ago (never everything at once). ``lib.ui.data.clear_cache`` clears every instance."""

    def __init__(self, maxsize: int) -> None:
        self._cache: cachetools.LRUCache = cachetools.LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            return self._cache.get(key, default)  # a hit counts as a use

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._cache[key] = value

    def discard(self, stale: Callable[[Hashable], bool]) -> int:
        """Drop the entries whose key ``stale`` accepts (e.g. an older data version's)."""
        with self._lock:
            keys = [k for k in self._cache if stale(k)]
            for k in keys:
                del self._cache[k]
            return len(keys)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    @property
    def maxsize(self) -> int:
        return int(self._cache.maxsize)

    def __len__(self) -> int:
        return len(self._cache)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._cache


# Keyed by content, not by data version: a chart depends only on its frame (hashed into the key)
# and options; a spec only on its chart object.
_CHARTS = BoundedCache(256)
_SPECS = BoundedCache(256)


def clear_cache() -> None:
    """Forget every memoised chart and spec (``lib.ui.data.clear_cache`` clears them with the rest)."""
    _CHARTS.clear()
    _SPECS.clear()


def frame_key(frame: pd.DataFrame) -> tuple:
    """Columns, dtypes and a hash of every value: equal for equal frames."""
    values = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    return tuple(frame.columns), tuple(str(t) for t in frame.dtypes), values


def frozen(value: Any) -> Any:
    """A hashable stand-in for an argument: lists and dicts become (sorted) tuples."""
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, frozen(v)) for k, v in value.items()))
    return value


def memoised(builder: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a chart builder ``builder(frame, **options)``; callers must not mutate the chart (Altair
    methods return new charts, so ``chart.properties(...)`` is safe)."""
    @functools.wraps(builder)
    def build(frame: pd.DataFrame, **options: Any) -> Any:
        try:
            key = (builder.__qualname__, frame_key(frame), frozen(options))
            hash(key)
        except TypeError:  # a value pandas cannot hash: build it every time
            return builder(frame, **options)
        chart = _CHARTS.get(key)
        if chart is None:
            chart = builder(frame, **options)
            _CHARTS.put(key, chart)
        return chart

    return build


def spec_of(chart: Any) -> dict:
    """``chart.to_dict(validate=False)``, once per chart object; the caller gets its own copy.

    Not validated against the Vega-Lite schema on every rerun: the builders are checked in tests.
    """
    found = _SPECS.get(id(chart))
    if found is None or found[0] is not chart:  # an id is reused only after its object is gone
        found = (chart, chart.to_dict(validate=False))
        _SPECS.put(id(chart), found)
    return copy.deepcopy(found[1])
