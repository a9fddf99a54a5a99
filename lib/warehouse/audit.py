"""The audit log: one row per load, refusal, rollback, login and admin change."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from lib.warehouse import schema as s

# Actors that are not accounts: the demo build, ``python -m lib.users``, ``python -m lib.ingest``.
SYSTEM_ACTORS = ("system", "console", "cli")
# Names no account may take (compared case-insensitively): an account called "console" would
# otherwise be mistaken for the console by anyone reading the log by name.
RESERVED_NAMES = frozenset({*SYSTEM_ACTORS, "anonymous", "display"})
DISPLAY_PREFIX = "display:"  # a display link's actor name: this and the first 8 of its token hash


def actor_kind(username: str | None) -> str | None:
    """The ``actor_kind`` a row by ``username`` carries (see schema.audit_event).

    A fixed actor's name can never be an account's (refused at creation), so the kind decided here
    is what scoped listings attribute by; an account made under such a name before that refusal is
    read as the fixed actor, which hides its rows from district admins rather than exposing the
    real actor's.
    """
    if username is None:
        return None
    if username.startswith(DISPLAY_PREFIX):
        return "display"
    if username.lower() in SYSTEM_ACTORS:
        return username.lower()
    return "account"


def record(conn: Connection, action: str, detail: str, username: str | None = None) -> int:
    """Write one event inside the caller's transaction (it commits or rolls back with the change).

    The id is the database sequence's next value, taken in the INSERT itself: concurrent writers
    (two sign-ins at once) get distinct ids without a lock, on DuckDB and PostgreSQL alike.
    """
    stmt = insert(s.audit_event).values(
        id=s.AUDIT_EVENT_ID_SEQ.next_value(), at=dt.datetime.now().replace(microsecond=0),
        username=username, action=action, detail=detail, actor_kind=actor_kind(username)
    ).returning(s.audit_event.c.id)
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
