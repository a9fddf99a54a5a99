"""Bounded caches: cachetools LRUs behind a lock, keyed by data version where the cached
value depends on data, and one ``lib.ui.data.clear_cache()`` that empties every cache the app keeps.
"""
from __future__ import annotations

import ast
import datetime as dt
import functools
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from lib.charts.memo import BoundedCache
from lib.warehouse.scope import Scope

ROOT = Path(__file__).resolve().parents[1]


def test_a_full_cache_forgets_the_entry_used_longest_ago_not_everything():
    cache = BoundedCache(3)
    for k in "abc":
        cache.put(k, k.upper())
    assert cache.get("a") == "A"  # a is now the most recently used
    cache.put("d", "D")
    assert [k for k in "abcd" if k in cache] == ["a", "c", "d"]
    assert len(cache) == 3 == cache.maxsize
    assert cache.get("b", "gone") == "gone"
    assert cache.discard(lambda k: k in ("a", "c")) == 2 and len(cache) == 1


def test_a_cache_shared_by_threads_stays_consistent_and_bounded():
    cache = BoundedCache(50)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for i in range(2000):
                key = (seed * 7 + i) % 120
                if cache.get(key) not in (None, key * 2):
                    raise AssertionError(key)
                cache.put(key, key * 2)
                if i % 500 == 0:
                    cache.discard(lambda k: k % 11 == 0)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == [] and len(cache) <= 50


def _hand_rolled(path: Path, root: Path = ROOT) -> list[str]:
    """``if len(X) >= n: X.clear()`` (forget everything at a size) and OrderedDict LRUs."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(
                node.test.left, ast.Call) and getattr(node.test.left.func, "id", "") == "len":
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and getattr(sub.func, "attr", "") == "clear":
                    found.append(f"{path.relative_to(root)}:{node.lineno} clears at a size")
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "popitem" and any(
                k.arg == "last" for k in node.keywords):
            found.append(f"{path.relative_to(root)}:{node.lineno} OrderedDict LRU")
    return found


def test_the_hand_rolled_caches_are_gone():
    found = [hit for path in sorted((ROOT / "lib").rglob("*.py")) for hit in _hand_rolled(path)]
    assert found == []


def test_the_finder_finds_a_cache_that_clears_at_a_size(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("C = {}\ndef f(k):\n    if len(C) >= 8:\n        C.clear()\n    C[k] = 1\n")
    assert _hand_rolled(bad, tmp_path) == ["bad.py:3 clears at a size"]
    lru = tmp_path / "lru.py"
    lru.write_text("def f(d):\n    d.popitem(last=False)\n")
    assert _hand_rolled(lru, tmp_path) == ["lru.py:2 OrderedDict LRU"]


def _module_caches() -> dict[str, object]:
    """Every module-level cache of a loaded lib module, as clear_cache looks for them."""
    import cachetools

    out = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "lib" or name.startswith("lib.")):
            continue
        for attr, obj in vars(module).items():
            if isinstance(obj, (BoundedCache, cachetools.Cache)) or (
                    callable(getattr(obj, "cache_clear", None))
                    and getattr(obj, "__module__", None) == name):
                out[f"{name}.{attr}"] = obj
    return out


def _size(obj) -> int:
    return obj.cache_info().currsize if hasattr(obj, "cache_info") else len(obj)


def test_clear_cache_empties_every_cache_the_app_keeps(engine, monkeypatch):
    """Queries, reference frames, region lookups and indexes, charts, specs, projection specs,
    geometries, st.cache_data: each filled, then all empty after one call."""
    import streamlit as st

    from lib.charts import common as charts
    from lib.charts import memo
    from lib.charts import targets as target_charts
    from lib.geo import districts
    from lib.ui import data
    from tests.test_cli_settings import cli_target

    cli_target(engine, monkeypatch)
    calls = []

    @st.cache_data
    def cached_by_streamlit(x: int) -> int:
        calls.append(x)
        return x

    with data.scope_bound(Scope.everything()):
        data.query("has_demo_rows")
        data.query("regions")
        data.region_lookup("name")["350100000000"]
        data.codes_at("district")
        data.derived(("probe",), lambda: 1)
    frame = pd.DataFrame({"x": ["2024", "2025"], "v": [3, 4], "s": ["甲", "乙"]})
    memo.spec_of(charts.trend(frame, x="x", y="v", series="s", title="t", y_title="y"))
    target_charts._SPECS.put(("a",), {})
    districts.district_shapes(["350102000000"])
    cached_by_streamlit(1)
    filled = {k: _size(v) for k, v in _module_caches().items()}
    for name in ("lib.ui.data._CACHE", "lib.ui.data._FRAMES", "lib.ui.data._LOOKUPS",
                 "lib.ui.data._INDEX", "lib.ui.data._DERIVED", "lib.charts.memo._CHARTS", "lib.charts.memo._SPECS",
                 "lib.charts.targets._SPECS"):
        assert filled[name] > 0, name
    assert any(n.startswith("lib.geo.districts.") and size for n, size in filled.items()), filled

    cleared = data.clear_cache()

    assert {n: _size(c) for n, c in _module_caches().items() if _size(c)} == {}
    assert set(filled) <= set(cleared)
    cached_by_streamlit(1)
    assert calls == [1, 1]  # st.cache_data was cleared too
    data.clear_cache()


def test_query_results_are_keyed_by_data_version(engine, monkeypatch):
    """A write bumps the data version: the next query reads the warehouse again, and the results
    of the older version are dropped at once rather than when the LRU reaches them."""
    from lib.ui import data
    from lib.warehouse import schema as s
    from lib.warehouse.bulk import bulk_insert
    from lib.warehouse.engine import write_transaction
    from tests.test_cli_settings import cli_target

    cli_target(engine, monkeypatch)
    data.clear_cache()
    ran = []
    real = data._query_fn("freshness")
    monkeypatch.setitem(data._QUERIES, "freshness",
                        functools.wraps(real)(lambda *a, **k: ran.append(a[1:]) or real(*a, **k)))
    with data.scope_bound(Scope.everything()):
        first = data.query("freshness", Scope.everything())
        assert data.query("freshness", Scope.everything()).equals(first) and len(ran) == 1  # a hit
        old_version = data.version()
        with write_transaction(data.engine()) as conn:
            bulk_insert(conn, s.screening, pd.DataFrame({
                "region_code": ["350111001000"], "month": [dt.date(2026, 3, 1)],
                "kind": ["cervical"], "screened": [10], "batch_id": [1]}))
        data._forget_version()
        assert data.version() == old_version + 1
        data.query("freshness", Scope.everything())
        assert len(ran) == 2  # read again under the new version
        versions = {k[1] for k in data._CACHE._cache}
        assert versions == {old_version + 1}
    data.clear_cache()


def test_derived_results_are_kept_per_data_version_and_scope(engine, monkeypatch):
    """The reading's sentences are computed once per data version and bound scope: a write, or
    another user's scope, computes them again; a failure remembers nothing."""
    from lib.ui import data
    from lib.warehouse import schema as s
    from lib.warehouse.bulk import bulk_insert
    from lib.warehouse.engine import write_transaction
    from tests.test_cli_settings import cli_target

    cli_target(engine, monkeypatch)
    data.clear_cache()
    built = []

    def build(tag: str):
        return lambda: built.append(tag) or (tag, len(built))

    with data.scope_bound(Scope.everything()):
        first = data.derived(("reading", "v"), build("whole"))
        assert data.derived(("reading", "v"), build("again")) == first and built == ["whole"]
        with pytest.raises(ZeroDivisionError):
            data.derived(("reading", "broken"), lambda: 1 / 0)
        assert data.derived(("reading", "broken"), build("fixed")) == ("fixed", 2)
    with data.scope_bound(Scope("350111")):
        assert data.derived(("reading", "v"), build("district"))[0] == "district"
    with data.scope_bound(Scope.everything()):
        with write_transaction(data.engine()) as conn:
            bulk_insert(conn, s.screening, pd.DataFrame({
                "region_code": ["350111001000"], "month": [dt.date(2026, 3, 1)],
                "kind": ["cervical"], "screened": [10], "batch_id": [1]}))
        data._forget_version()
        assert data.derived(("reading", "v"), build("new data"))[0] == "new data"
        assert {k[2] for k in data._DERIVED._cache} == {data.version()}  # older ones dropped
    data.clear_cache()


@pytest.mark.parametrize("maxsize", [1, 4])
def test_an_lru_of_any_size_keeps_what_was_used_last(maxsize):
    cache = BoundedCache(maxsize)
    for i in range(10):
        cache.put(i, i)
    assert [k for k in range(10) if k in cache] == list(range(10 - maxsize, 10))
