"""All SQL for accounts (app_user) and meeting display links (display_link); no policy lives here."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update

from lib.warehouse import schema as s

USER_COLUMNS = ["username", "role", "scope_code", "active", "failed_logins", "locked_until",
                "created_at"]  # never password_hash: listings do not carry hashes
LINK_COLUMNS = ["token_hash", "label", "region_code", "created_by", "created_at", "expires_at",
                "revoked_at"]


def count_users(bind: Engine | Connection) -> int:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return count_users(conn)
    return int(bind.execute(select(func.count()).select_from(s.app_user)).scalar_one())


def fetch_user(conn: Connection, username: str) -> dict[str, Any] | None:
    row = conn.execute(select(s.app_user).where(s.app_user.c.username == username)).mappings().first()
    return dict(row) if row else None


def insert_user(conn: Connection, **values: Any) -> None:
    conn.execute(insert(s.app_user).values(**values))


def update_user(conn: Connection, username: str, **values: Any) -> int:
    result = conn.execute(update(s.app_user).where(s.app_user.c.username == username).values(**values))
    return int(result.rowcount or 0)


def bump_failed_logins(conn: Connection, username: str) -> int:
    """Add one failure in SQL (so two concurrent attempts both count) and return the new count."""
    conn.execute(update(s.app_user).where(s.app_user.c.username == username)
                 .values(failed_logins=s.app_user.c.failed_logins + 1))
    return int(conn.execute(select(s.app_user.c.failed_logins)
                            .where(s.app_user.c.username == username)).scalar_one())


def users_frame(engine: Engine) -> pd.DataFrame:
    cols = [s.app_user.c[name] for name in USER_COLUMNS]
    with engine.connect() as conn:
        rows = conn.execute(select(*cols).order_by(s.app_user.c.username)).mappings().all()
    return pd.DataFrame(rows, columns=USER_COLUMNS)


def insert_link(conn: Connection, **values: Any) -> None:
    conn.execute(insert(s.display_link).values(**values))


def fetch_link(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    row = conn.execute(select(s.display_link)
                       .where(s.display_link.c.token_hash == token_hash)).mappings().first()
    return dict(row) if row else None


def revoke_link(conn: Connection, token_hash: str, at: dt.datetime) -> int:
    result = conn.execute(update(s.display_link)
                          .where(s.display_link.c.token_hash == token_hash,
                                 s.display_link.c.revoked_at.is_(None))
                          .values(revoked_at=at))
    return int(result.rowcount or 0)


def links_frame(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(s.display_link)
                            .order_by(s.display_link.c.created_at.desc())).mappings().all()
    return pd.DataFrame(rows, columns=LINK_COLUMNS)


def audit_frame(engine: Engine, *, username: str | None = None, action: str | None = None,
                since: dt.datetime | None = None, until: dt.datetime | None = None,
                limit: int = 5000) -> pd.DataFrame:
    """The audit log, newest first, filtered in SQL by user, action and time."""
    a = s.audit_event
    q = select(a).order_by(a.c.id.desc()).limit(limit)
    if username:
        q = q.where(a.c.username == username)
    if action:
        q = q.where(a.c.action == action)
    if since:
        q = q.where(a.c["at"] >= since)
    if until:
        q = q.where(a.c["at"] < until)
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in a.columns])


def audit_actions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(select(s.audit_event.c.action).distinct()
                                           .order_by(s.audit_event.c.action))]
