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
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd

_MAX = 256
_CHARTS: OrderedDict[tuple, Any] = OrderedDict()
_SPECS: OrderedDict[int, tuple[Any, dict]] = OrderedDict()
_LOCK = threading.Lock()


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
        with _LOCK:
            chart = _CHARTS.get(key)
            if chart is not None:
                _CHARTS.move_to_end(key)
                return chart
        chart = builder(frame, **options)
        with _LOCK:
            _CHARTS[key] = chart
            while len(_CHARTS) > _MAX:
                _CHARTS.popitem(last=False)
        return chart

    return build


def spec_of(chart: Any) -> dict:
    """``chart.to_dict(validate=False)``, once per chart object; the caller gets its own copy.

    Not validated against the Vega-Lite schema on every rerun: the builders are checked in tests.
    """
    with _LOCK:
        found = _SPECS.get(id(chart))
    if found is None or found[0] is not chart:  # an id is reused only after its object is gone
        found = (chart, chart.to_dict(validate=False))
        with _LOCK:
            _SPECS[id(chart)] = found
            while len(_SPECS) > _MAX:
                _SPECS.popitem(last=False)
    return copy.deepcopy(found[1])
