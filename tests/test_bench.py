"""The benchmark (lib/bench) end to end at city scale, one repetition, small loads: every figure is
present and numeric. Its values are printed for the record, never asserted (the machine is shared
and noisy). Plus the pieces that make the figures truthful: cold clears every cache, the re-upload
is the same rows with 10 % changed in a shuffled order, the benchmark writes facts unsorted."""
import json
import math
import uuid

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text

from lib.bench import __main__ as bench
from lib.bench import cold, load, warehouses
from lib.warehouse.engine import dispose_engine
from tests.browser_util import require_browser
from tests.conftest import PG_URL

PAGE_KEYS = {"db", "page", "level", "cache", "p50_ms", "p95_ms"}
QUERY_KEYS = {"name", "p50_ms", "p95_ms", "naive_p50_ms", "pg_p50_ms"}
PAGES = ["coverage"]  # one page: the figures of every page come from the same code paths


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def test_bench_city_one_rep(tmp_path, capsys):
    require_browser()
    url = f"duckdb:///{tmp_path / 'bench_city.duckdb'}"
    argv = ["--scale", "city", "--db", url, "--reps", "1", "--json", "--load-rows", "3000",
            "--pages", ",".join(PAGES), "--skip-concurrency"]
    schema = None
    if PG_URL:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        argv += ["--pg-url", PG_URL, "--pg-schema", schema]
    try:
        assert bench.main(argv) == 0
        out = capsys.readouterr().out
    finally:
        dispose_engine(url)
        if schema:
            dispose_engine(PG_URL, pg_schema=schema)
            admin = create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    result = json.loads(out)  # exactly one JSON object on stdout
    print(json.dumps(result, ensure_ascii=False, indent=1))
    assert {"scale", "db", "reps", "pages", "queries", "maps", "load_1m", "load_1m_reload",
            "pg_load_1m", "browser", "capacity", "concurrency"} <= set(result)
    assert result["scale"] == "city" and result["db"] == "duckdb" and result["reps"] == 1
    assert result["concurrency"] is None  # skipped by the flag

    levels = [v.split()[0] for v in result["meta"]["views"].split(", ")]
    assert levels == ["province", "city", "district", "township"]  # the demo: one province
    pages = result["pages"]
    dbs = ["duckdb"] + (["postgresql"] if PG_URL else [])  # pages run on both backends
    assert {(p["db"], p["page"], p["level"], p["cache"]) for p in pages} == {
        (db, page, level, cache) for db in dbs for page in PAGES for level in levels
        for cache in ("cold", "warm")}
    for p in pages:
        assert PAGE_KEYS <= set(p) and _number(p["p50_ms"]) and _number(p["p95_ms"])
    assert result["meta"]["page_errors"] == 0
    assert "lib.charts.memo" in result["meta"]["cold_clears"]  # chart caches too

    assert result["queries"]
    for q in result["queries"]:
        assert QUERY_KEYS <= set(q) and _number(q["p50_ms"]) and _number(q["p95_ms"])
        assert q["naive_p50_ms"] is None or _number(q["naive_p50_ms"])
        assert _number(q["pg_p50_ms"]) if PG_URL else q["pg_p50_ms"] is None
    assert any(_number(q["naive_p50_ms"]) for q in result["queries"])
    assert {"city → district", "district → township"} <= {m["view"] for m in result["maps"]}
    for m in result["maps"]:
        assert _number(m["bytes"]) and m["bytes"] > 0

    first, again = result["load_1m"], result["load_1m_reload"]
    assert first["exit_code"] == 0 and again["exit_code"] == 0
    assert _number(first["seconds"]) and _number(first["peak_rss_mb"])
    assert _number(again["seconds"]) and _number(again["peak_rss_mb"])
    assert "3000 added" in first["summary"]
    assert "300 replaced" in again["summary"] and "2700 unchanged" in again["summary"]
    pg = result["pg_load_1m"]
    if PG_URL:
        assert pg["exit_code"] == 0 and pg["reload_exit_code"] == 0
        assert _number(pg["seconds"]) and _number(pg["reload_seconds"])
        assert "300 replaced" in pg["reload_summary"]
    else:
        assert pg is None

    assert [b["page"] for b in result["browser"]] == PAGES
    for b in result["browser"]:
        assert _number(b["p50_ms"]) and _number(b["p95_ms"]) and b["samples"] == 1
        assert b["errors"] == 0 and b["p50_ms"] <= b["p95_ms"]
    assert next(b for b in result["browser"] if b["page"] == "coverage")["maps"] >= 1
    cap = result["capacity"]
    assert _number(cap["cpu_ms_per_view"]) and cap["cpu_ms_per_view"] > 0
    assert _number(cap["views_per_core_s"]) and cap["views"] == len(PAGES)


def test_cold_clears_chart_memo_and_module_caches():
    from lib.charts import memo
    from lib.geo import districts

    memo._CHARTS.put(("probe",), object())
    districts._shapes.cache_clear()
    try:
        districts._shapes("district")
    except Exception:  # noqa: BLE001 — only the cache entry matters here
        pass
    cleared = cold.clear_every_cache()
    assert memo._CHARTS.get(("probe",)) is None and "lib.geo.districts._shapes" in cleared
    assert districts._shapes.cache_info().currsize == 0
    assert "lib.ui.data.clear_cache()" in cleared and "st.cache_data" in cleared


def test_reupload_is_the_same_rows_ten_percent_changed_shuffled():
    towns = np.array([f"3501020{i:02d}000" for i in range(1, 20)], dtype=object)
    frame = load.training_frame(towns, 1000)
    again = load.revised(frame)
    assert len(again) == len(frame)
    assert (again["session_id"].to_numpy() != frame["session_id"].to_numpy()).mean() > 0.9
    merged = frame.merge(again, on="session_id", suffixes=("", "_new"))
    assert len(merged) == 1000
    changed = merged["participants"] != merged["participants_new"]
    assert changed.sum() == 100
    assert (merged.loc[changed, "participants_new"] == merged.loc[changed, "participants"] + 1).all()
    others = [c for c in frame.columns if c not in ("session_id", "participants")]
    assert all((merged[c] == merged[f"{c}_new"]).all() for c in others)


def test_benchmark_writes_facts_unsorted(tmp_path):
    url = f"duckdb:///{tmp_path / 'b.duckdb'}"
    engine, built = warehouses.ensure(url, "city")
    try:
        # built in a child process of its own: its wall time, peak memory and CPU time
        assert built is not None and set(built) == {"seconds", "peak_rss_mb", "cpu_seconds"}
        assert all(_number(v) and v > 0 for v in built.values())
        assert warehouses.ensure(url, "city")[1] is None  # reused: nothing built, nothing measured
        with engine.connect() as conn:
            codes = pd.Series([r[0] for r in conn.execute(text(
                "SELECT region_code FROM training_session ORDER BY rowid"))])
        assert len(codes) > 1000
        assert not codes.is_monotonic_increasing
        # far from region order: most neighbouring rows are of different townships
        assert (codes != codes.shift()).mean() > 0.8
    finally:
        dispose_engine(url)


def test_reporting_is_benchmarked_at_every_level(engine):
    """报送情况 is one of the pages run at every view, and its grid query one of the cases: at the
    city it counts the townships of each district (a row per district and month)."""
    import datetime as dt

    from lib.bench.cases import Period, cases
    from lib.bench.pages import PAGES as BENCH_PAGES

    assert "completeness" in BENCH_PAGES
    city = warehouses.View("city", "350100000000", "3501")
    case = next(c for c in cases(city, Period(dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
                if c.name.startswith("completeness"))
    got = case.run(engine)
    districts = got["region_code"].unique()
    assert len(got) == 3 * len(districts) and all(len(c) == 12 for c in districts)
    assert set(got["region_code"].str[:6]) == {c[:6] for c in districts} and len(districts) > 5
