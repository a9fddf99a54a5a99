"""The benchmark (lib/bench) end to end at city scale, one repetition: every figure is present and
numeric. Its values are printed for the record, never asserted (the machine is shared and noisy)."""
import json
import math
import uuid

from sqlalchemy import create_engine, text

from lib.bench import __main__ as bench
from lib.warehouse.engine import dispose_engine
from tests.conftest import PG_URL

PAGE_KEYS = {"db", "page", "level", "cache", "p50_ms", "p95_ms"}
QUERY_KEYS = {"name", "p50_ms", "p95_ms", "naive_p50_ms", "pg_p50_ms"}


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def test_bench_city_one_rep(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'bench_city.duckdb'}"
    argv = ["--scale", "city", "--db", url, "--reps", "1", "--json", "--skip-load",
            "--skip-browser"]
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
    assert {"scale", "db", "pages", "queries", "maps", "load_1m", "concurrency"} <= set(result)
    assert result["scale"] == "city" and result["db"] == "duckdb"
    assert result["load_1m"] is None and result["concurrency"] is None  # skipped by the flags

    pages = result["pages"]
    dbs = ["duckdb"] + (["postgresql"] if PG_URL else [])  # pages run on both backends
    assert {(p["db"], p["page"], p["level"], p["cache"]) for p in pages} == {
        (db, page, level, cache) for db in dbs for page in bench._pages()
        for level in ("city", "district", "township") for cache in ("cold", "warm")}
    for p in pages:
        assert PAGE_KEYS <= set(p) and _number(p["p50_ms"]) and _number(p["p95_ms"])
    assert result["meta"]["page_errors"] == 0

    assert result["queries"]
    for q in result["queries"]:
        assert QUERY_KEYS <= set(q) and _number(q["p50_ms"]) and _number(q["p95_ms"])
        assert q["naive_p50_ms"] is None or _number(q["naive_p50_ms"])
        assert _number(q["pg_p50_ms"]) if PG_URL else q["pg_p50_ms"] is None
    assert any(_number(q["naive_p50_ms"]) for q in result["queries"])

    assert [m["view"] for m in result["maps"]] == ["city → district", "district → township"]
    for m in result["maps"]:
        assert _number(m["bytes"]) and m["bytes"] > 0
