"""The benchmark's warehouses: built once per scale (DuckDB file under data/, or a PostgreSQL
schema), then reused; and the three views it measures (the top city, a district, a township)."""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, text

from lib.bench.timing import log
from lib.warehouse.bootstrap import has_facts, open_warehouse
from lib.warehouse.engine import PROJECT_ROOT
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import LEVEL_LENGTH


@dataclass(frozen=True)
class View:
    level: str  # city / district / township, or "all" (the whole warehouse, no prefix)
    code: str
    prefix: str


def default_url(scale: str) -> str:
    return f"duckdb:///{PROJECT_ROOT / 'data' / f'bench_{scale}.duckdb'}"


def ensure(url: str, scale: str, *, pg_schema: str | None = None, seed: int = 7,
           national_scale: float = 1.0) -> tuple[Engine, float | None]:
    """Open (building if empty) the warehouse; returns the engine and the build seconds (None when
    reused)."""
    if pg_schema:
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{pg_schema}"'))
        admin.dispose()
    engine = open_warehouse(url, pg_schema=pg_schema, load_default_regions=scale == "city")
    if has_facts(engine):
        return engine, None
    log(f"building the {scale} warehouse at {url}{' schema ' + pg_schema if pg_schema else ''}")
    t0 = time.perf_counter()
    if scale == "city":
        from lib.demo import build_demo
        build_demo(engine, seed=seed)
    else:
        from lib import demo_national
        demo_national.build(engine, seed=seed, scale=national_scale,
                            progress=lambda f, m: log(f"  {f:4.0%} {m}"))
    seconds = time.perf_counter() - t0
    log(f"built in {seconds:.1f}s")
    return engine, seconds


def views(engine: Engine) -> list[View]:
    """The app's default top view (the first city), its first district and that one's first
    township — what a user reaches by the sidebar."""
    regions = regions_frame(engine)
    out = []
    city = regions[regions["level"] == "city"]["code"].iloc[0]
    out.append(View("city", city, city[:LEVEL_LENGTH["city"]]))
    district = regions[(regions["level"] == "district") & (regions["parent_code"] == city)]["code"].iloc[0]
    out.append(View("district", district, district[:LEVEL_LENGTH["district"]]))
    town = regions[(regions["level"] == "township") & (regions["parent_code"] == district)]["code"].iloc[0]
    out.append(View("township", town, town[:LEVEL_LENGTH["township"]]))
    return out
