"""The audit log: one row per load, refusal, rollback, login and admin change."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from lib.warehouse import schema as s


def record(conn: Connection, action: str, detail: str, username: str | None = None) -> int:
    """Write one event inside the caller's transaction (it commits or rolls back with the change).

    The id is the database sequence's next value, taken in the INSERT itself: concurrent writers
    (two sign-ins at once) get distinct ids without a lock, on DuckDB and PostgreSQL alike.
    """
    stmt = insert(s.audit_event).values(
        id=s.AUDIT_EVENT_ID_SEQ.next_value(), at=dt.datetime.now().replace(microsecond=0),
        username=username, action=action, detail=detail).returning(s.audit_event.c.id)
    return int(conn.execute(stmt).scalar_one())


def record_now(engine: Engine, action: str, detail: str, username: str | None = None) -> int:
    """Write one event in its own transaction (for events with no other write, e.g. a refusal)."""
    with engine.begin() as conn:
        return record(conn, action, detail, username)


def events(engine: Engine, limit: int = 500) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(s.audit_event).order_by(s.audit_event.c.id.desc())
                            .limit(limit)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in s.audit_event.columns])
