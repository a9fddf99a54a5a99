"""All SQL for signed-in browser sessions (web_session) and the cookie-signing secret.

The session listing narrows to the admin's scope in SQL through the account's scope, like the
account list (lib/warehouse/accounts_store.py).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from lib.warehouse import schema as s
from lib.warehouse.scope import Scope
from lib.warehouse.accounts_store import in_scope

SESSION_COLUMNS = ["id", "username", "role", "scope_code", "created_at", "last_seen", "client"]


def insert_session(conn: Connection, **values: Any) -> None:
    conn.execute(insert(s.web_session).values(**values))


def fetch_by(conn: Connection, column: str, value: str) -> dict[str, Any] | None:
    row = conn.execute(select(s.web_session).where(s.web_session.c[column] == value)).mappings().first()
    return dict(row) if row else None


def redeem_handoff(conn: Connection, handoff_hash: str, token_hash: str, now: dt.datetime) -> int:
    """Swap a live, unexpired hand-off code for the cookie token in one UPDATE: a code works once,
    even when two requests race for it."""
    t = s.web_session
    result = conn.execute(update(t).where(and_(
        t.c.handoff_hash == handoff_hash, t.c.ended_at.is_(None), t.c.token_hash.is_(None),
        t.c.handoff_expires_at > now)).values(token_hash=token_hash, handoff_hash=None,
                                              handoff_expires_at=None, last_seen=now))
    return int(result.rowcount or 0)


def touch(conn: Connection, session_id: str, now: dt.datetime) -> None:
    t = s.web_session
    conn.execute(update(t).where(and_(t.c.id == session_id, t.c.ended_at.is_(None)))
                 .values(last_seen=now))


def end(conn: Connection, session_id: str, now: dt.datetime, by: str,
        scope: Scope | None = None) -> int:
    """End one live session; with ``scope`` (an admin's act) only one whose account lies inside
    it; without, the session's own sign-out (its id is the holder's secret)."""
    t, u = s.web_session, s.app_user
    cond = and_(t.c.id == session_id, t.c.ended_at.is_(None))
    if scope is not None:
        cond = and_(cond, t.c.username.in_(
            select(u.c.username).where(in_scope(u.c.scope_code, scope))))
    return int(conn.execute(update(t).where(cond).values(ended_at=now, ended_by=by)).rowcount or 0)


def end_for_user(conn: Connection, username: str, now: dt.datetime, by: str,
                 keep: str | None = None) -> int:
    """End every live session of ``username`` but the one with id ``keep`` (None: every one)."""
    t = s.web_session
    cond = and_(t.c.username == username, t.c.ended_at.is_(None))
    if keep:
        cond = and_(cond, t.c.id != keep)
    return int(conn.execute(update(t).where(cond).values(ended_at=now, ended_by=by)).rowcount or 0)


def live_frame(engine: Engine, scope: Scope, seen_after: dt.datetime) -> pd.DataFrame:
    """Sessions not ended and seen after ``seen_after``, of accounts inside ``scope``."""
    t, u = s.web_session, s.app_user
    q = (select(t.c.id, t.c.username, u.c.role, u.c.scope_code, t.c.created_at, t.c.last_seen,
                t.c.client)
         .join(u, u.c.username == t.c.username)
         .where(and_(t.c.ended_at.is_(None), t.c.last_seen > seen_after,
                     in_scope(u.c.scope_code, scope)))
         .order_by(t.c.last_seen.desc()))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=SESSION_COLUMNS)


def secret(engine: Engine, name: str, make: Any) -> str:
    """The stored secret ``name``; created with ``make()`` on first use. Two processes racing to
    create it both end up reading the one that was inserted first."""
    q = select(s.server_secret.c.value).where(s.server_secret.c.name == name)
    with engine.connect() as conn:
        value = conn.execute(q).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with engine.begin() as conn:
            conn.execute(insert(s.server_secret).values(name=name, value=make()))
    except IntegrityError:
        pass
    with engine.connect() as conn:
        return conn.execute(q).scalar_one()
