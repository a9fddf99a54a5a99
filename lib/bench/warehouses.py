"""The benchmark's warehouses: built once per scale (DuckDB file under data/, or a PostgreSQL
schema), then reused; and the three views it measures (the top city, a district, a township).

Data order: the demo builders generate rows region by region, and written that way every table is
clustered by region code, which lets DuckDB skip row groups by min/max code far better than on
uploaded data, whose rows arrive interleaved from many districts and months. The benchmark
therefore writes every fact frame in a random row order (seeded): each generated frame (national
screening: each chunk of 4,000 townships) is shuffled before it is inserted.

The build runs in a fresh child process (``python -m lib.bench --build-only``) so that its peak
memory is its own: measured in the benchmark's process it would include whatever that process had
already allocated, and the benchmark keeps nothing of the build but the warehouse.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from sqlalchemy import Engine, create_engine, text

from lib.bench.timing import log
from lib.demo import build_demo, national as demo_national
from lib.warehouse import demo_store, schema as s
from lib.warehouse.bootstrap import has_facts, open_warehouse
from lib.warehouse.engine import PROJECT_ROOT, dispose_engine
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import COUNTRY_CODE, LEVEL_LENGTH


@dataclass(frozen=True)
class View:
    level: str  # country / province / city / district / township, or "all" (no prefix)
    code: str
    prefix: str


def default_url(scale: str) -> str:
    return f"duckdb:///{PROJECT_ROOT / 'data' / f'bench_{scale}.duckdb'}"


def ensure(url: str, scale: str, *, pg_schema: str | None = None, seed: int = 7,
           national_scale: float = 1.0) -> tuple[Engine, dict | None]:
    """Open (building if empty) the warehouse; returns the engine and the build's figures
    (``build_in_child``; None when the warehouse was reused)."""
    if pg_schema:
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{pg_schema}"'))
        admin.dispose()
    engine = open_warehouse(url, pg_schema=pg_schema, load_default_regions=scale == "city")
    if has_facts(engine):
        return engine, None
    log(f"building the {scale} warehouse at {url}{' schema ' + pg_schema if pg_schema else ''}")
    dispose_engine(url, pg_schema=pg_schema)  # a DuckDB file serves one process: the child's
    figures = build_in_child(url, scale, pg_schema=pg_schema, seed=seed,
                             national_scale=national_scale)
    log(f"built in {figures['seconds']:.1f}s, peak RSS {figures['peak_rss_mb']:.0f} MB")
    return open_warehouse(url, pg_schema=pg_schema, load_default_regions=scale == "city"), figures


def build_in_child(url: str, scale: str, *, pg_schema: str | None = None, seed: int = 7,
                   national_scale: float = 1.0) -> dict:
    """{seconds, peak_rss_mb, cpu_seconds}: ``build`` run by ``python -m lib.bench --build-only``
    in a new process; wall time from its start to its exit (the warehouse closed), its own peak
    resident memory (``os.wait4``). Its progress goes to this process's standard error."""
    cmd = [sys.executable, "-m", "lib.bench", "--build-only", "--scale", scale, "--db", url,
           "--seed", str(seed), "--national-scale", repr(national_scale)]
    if pg_schema:
        cmd += ["--pg-schema", pg_schema]
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, stdout=out)
        # wait4: this child's own rusage (RUSAGE_CHILDREN would add every earlier child's).
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        said = out.read().decode(errors="replace")
    if code != 0:
        raise RuntimeError(f"building the {scale} warehouse failed (exit {code}): {said[-500:]}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1)}


def build(url: str, scale: str, *, pg_schema: str | None = None, seed: int = 7,
          national_scale: float = 1.0) -> None:
    """Build the empty warehouse at ``url`` in this process, facts in random row order."""
    engine = open_warehouse(url, pg_schema=pg_schema, load_default_regions=scale == "city")
    if has_facts(engine):
        raise RuntimeError(f"the warehouse at {url} already holds facts")
    if scale == "city":
        with shuffled_writes(demo_store, seed):
            build_demo(engine, seed=seed)
    else:
        with shuffled_writes(demo_national, seed):
            demo_national.build(engine, seed=seed, scale=national_scale,
                                progress=lambda f, m: log(f"  {f:4.0%} {m}"))
    dispose_engine(url, pg_schema=pg_schema)  # DuckDB checkpoints as it closes: part of the build


DATA_ORDER = "random row order within each generated frame (seeded shuffle), not region order"


@contextmanager
def shuffled_writes(module, seed: int) -> Iterator[None]:
    """While building, ``module``'s fact inserts (it imports ``bulk_insert``) get their rows in a
    random order instead of the generator's region order."""
    real = module.bulk_insert
    rng = np.random.default_rng(seed + 1)
    facts = {t.name for t in s.FACT_TABLES.values()}

    def shuffled(conn, table, frame):
        if table.name in facts and len(frame) > 1:
            frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
        return real(conn, table, frame)

    module.bulk_insert = shuffled
    try:
        yield
    finally:
        module.bulk_insert = real


def views(engine: Engine) -> list[View]:
    """What a whole-warehouse user reaches by the sidebar, top down: the country (when the
    warehouse holds several provinces), the first province, its first city, that city's first
    district and that one's first township. The first view is the app's default top view."""
    regions = regions_frame(engine)
    level = regions["level"]
    out = []
    provinces = regions[level == "province"]["code"].sort_values()
    if len(provinces) > 1 or (level == "country").any():
        out.append(View("country", COUNTRY_CODE, ""))
    cities = regions[level == "city"]["code"].sort_values()
    if len(provinces):
        province = provinces.iloc[0]
        out.append(View("province", province, province[:LEVEL_LENGTH["province"]]))
        cities = cities[cities.str.startswith(province[:LEVEL_LENGTH["province"]])]
    city = cities.iloc[0]
    out.append(View("city", city, city[:LEVEL_LENGTH["city"]]))
    district = regions[(level == "district") & (regions["parent_code"] == city)]["code"].min()
    out.append(View("district", district, district[:LEVEL_LENGTH["district"]]))
    town = regions[(level == "township") & (regions["parent_code"] == district)]["code"].min()
    out.append(View("township", town, town[:LEVEL_LENGTH["township"]]))
    return out
