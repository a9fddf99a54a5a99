"""Writing and removing the demo: one batch flagged ``is_demo``, removable as a whole."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from lib.warehouse import audit, planner_stats, rollups
from lib.warehouse import schema as s
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import next_id, write_transaction


def demo_batch_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [int(r[0]) for r in conn.execute(
            select(s.upload_batch.c.batch_id).where(s.upload_batch.c.is_demo.is_(True)))]


def write_demo_batch(engine: Engine, frames: dict[str, pd.DataFrame], *, seed: int) -> dict[str, int]:
    """All demo rows in one transaction, under one batch, with an audit event."""
    counts: dict[str, int] = {}
    with write_transaction(engine) as conn:
        batch_id = next_id(conn, s.upload_batch.c.batch_id)
        total = sum(len(f) for f in frames.values())
        conn.execute(insert(s.upload_batch).values(
            batch_id=batch_id, dataset="demo", filename=f"lib.demo seed={seed}", sha256=None,
            uploaded_by="system", uploaded_at=dt.datetime.now().replace(microsecond=0),
            rows_read=total, rows_loaded=total, rows_rejected=0, status="loaded", is_demo=True,
            mode="upsert"))
        for dataset, frame in frames.items():
            counts[dataset] = bulk_insert(conn, s.FACT_TABLES[dataset],
                                          frame.assign(batch_id=batch_id))
        rollups.rebuild(conn)  # every rollup key of the city is touched: one pass beats key lists
        audit.record(conn, "demo_build", f"batch {batch_id}, seed {seed}, {total} rows", "system")
    if sum(counts.values()) >= planner_stats.MIN_CHANGES:
        planner_stats.refresh_quietly(engine, planner_stats.tables_written(frames))
    return counts


def clear_demo(engine: Engine) -> int:
    """Remove every demo row (current and superseded) and the demo batch itself."""
    ids = demo_batch_ids(engine)
    removed = 0
    if not ids:
        return 0
    with write_transaction(engine) as conn:
        gone = {d: rollups.touched(conn, d, t.c.batch_id.in_(ids))
                for d, t in s.FACT_TABLES.items()}
        for table in list(s.FACT_TABLES.values()) + list(s.HISTORY_TABLES.values()):
            removed += conn.execute(delete(table).where(table.c.batch_id.in_(ids))).rowcount or 0
        for dataset, keys in gone.items():
            rollups.refresh(conn, dataset, keys)
        conn.execute(delete(s.upload_batch).where(s.upload_batch.c.batch_id.in_(ids)))
        audit.record(conn, "demo_clear", f"batches {ids}, {removed} rows", "system")
    return removed
