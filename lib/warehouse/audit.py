"""The audit log: one row per load, refusal, rollback, login and admin change."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from lib.warehouse import schema as s
from lib.warehouse.engine import next_id


def record(conn: Connection, action: str, detail: str, username: str | None = None) -> int:
    """Write one event inside the caller's transaction (so it commits or rolls back with the change)."""
    event_id = next_id(conn, s.audit_event.c.id)
    conn.execute(insert(s.audit_event).values(
        id=event_id, at=dt.datetime.now().replace(microsecond=0), username=username,
        action=action, detail=detail))
    return event_id


def record_now(engine: Engine, action: str, detail: str, username: str | None = None) -> int:
    """Write one event in its own transaction (for events with no other write, e.g. a refusal)."""
    with engine.begin() as conn:
        return record(conn, action, detail, username)


def events(engine: Engine, limit: int = 500) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(s.audit_event).order_by(s.audit_event.c.id.desc())
                            .limit(limit)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in s.audit_event.columns])
