"""Table statistics for PostgreSQL's planner after large writes.

PostgreSQL chooses plans from per-table statistics that autovacuum refreshes some time after a
write, or never where it is off (as on the test server here). After a million-row load the planner
still believed the tables held a few rows: a 3,000-row rollup read became a bitmap scan estimated
at 25 rows, and the national country views ran ~10–20 % slower until ANALYZE (docs/performance.md).
So a load that changed many rows refreshes the statistics of what it wrote, after its commit
(ANALYZE samples ~30,000 rows a table: ~0.1–0.5 s each at national scale). DuckDB keeps its own.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import Engine, Table

from lib.warehouse import coverage_rollup, schema as s

log = logging.getLogger(__name__)

# Fewer changed rows than this leave statistics to autovacuum (its own threshold is 50 rows plus
# 10 % of the table): a small upload does not pay for sampling ten-million-row tables.
MIN_CHANGES = 10_000


def tables_written(datasets: Iterable[str]) -> list[Table]:
    """The tables a load of ``datasets`` writes: each base table and the rollups kept from it."""
    out: list[Table] = []
    for dataset in datasets:
        out.append(s.FACT_TABLES[dataset])
        if dataset in s.ROLLUP_BY_DATASET:
            out.append(s.ROLLUP_BY_DATASET[dataset])
        if dataset == "org_unit":
            out.extend(coverage_rollup.TABLES)
    return list(dict.fromkeys(out))


def refresh(engine: Engine, tables: Iterable[Table]) -> list[str]:
    """ANALYZE ``tables`` on PostgreSQL (nothing elsewhere); the names analysed."""
    if engine.dialect.name != "postgresql":
        return []
    done = []
    with engine.connect() as conn:
        for table in tables:
            conn.exec_driver_sql(f'ANALYZE "{table.name}"')  # a name from the schema, not input
            done.append(table.name)
        conn.commit()
    return done


def refresh_quietly(engine: Engine, tables: Iterable[Table]) -> list[str]:
    """``refresh`` after a committed write: a failure is logged, never reported as the write's
    (the rows are in; stale statistics only cost speed until autovacuum)."""
    try:
        return refresh(engine, tables)
    except Exception:  # noqa: BLE001 — the write succeeded; this is housekeeping
        log.warning("ANALYZE after a load failed", exc_info=True)
        return []
