"""All SQL for accounts (app_user) and meeting display links (display_link).

Listings take the reading admin's ``Scope`` and narrow in SQL (never in the page), so an
admin of one district cannot read another district's accounts, links or audit rows.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import (Connection, Engine, and_, func, insert, literal, or_, select, true,
                        update)

from lib.warehouse import schema as s
from lib.warehouse.audit import DISPLAY_PREFIX
from lib.warehouse.scope import LEVEL_LENGTH, Scope

CITY_PREFIX_LENGTH = LEVEL_LENGTH["city"]  # city, province ("35") and country ("") admins: wider

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
    """Add one failure and return the new count in one statement (UPDATE … RETURNING): the count a
    concurrent attempt reads is never one this attempt has not written. The back-off itself is
    decided on login_throttle (lib/auth/throttle.py); this count is what the admin's list shows."""
    return int(conn.execute(update(s.app_user).where(s.app_user.c.username == username)
                            .values(failed_logins=s.app_user.c.failed_logins + 1)
                            .returning(s.app_user.c.failed_logins)).scalar_one())


def in_scope(column: Any, scope: Scope) -> Any:
    """``column LIKE 'prefix%'`` for a region-code column (TRUE for the whole warehouse)."""
    if not isinstance(scope, Scope):
        raise TypeError(f"not a Scope: {scope!r}")
    return scope.where(column)


def sees_unattributed(scope: Scope) -> bool:
    """Audit rows that belong to no account in a region (failed logins of unknown names, the demo's
    "system", the console) are shown only to city-level or wider admins: they cannot be placed in a
    district, and a district admin has no business reading who tried which name elsewhere."""
    return len(scope.prefix) <= CITY_PREFIX_LENGTH


def users_frame(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Accounts whose scope lies inside ``scope``, narrowed in SQL."""
    cols = [s.app_user.c[name] for name in USER_COLUMNS]
    q = (select(*cols).where(in_scope(s.app_user.c.scope_code, scope))
         .order_by(s.app_user.c.username))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=USER_COLUMNS)


def insert_link(conn: Connection, **values: Any) -> None:
    conn.execute(insert(s.display_link).values(**values))


def _with_creator(query: Any) -> Any:
    """A display-link query with its creator's ``creator_active`` and ``creator_scope`` (NULL when
    the account no longer exists)."""
    dl, u = s.display_link, s.app_user
    return (query.add_columns(u.c.active.label("creator_active"),
                              u.c.scope_code.label("creator_scope"))
            .select_from(dl.outerjoin(u, u.c.username == dl.c.created_by)))


def fetch_link(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    """The link with its creator's state (see ``_with_creator``)."""
    dl = s.display_link
    row = conn.execute(_with_creator(select(dl)).where(dl.c.token_hash == token_hash)
                       ).mappings().first()
    return dict(row) if row else None


def revoke_link(conn: Connection, token_hash: str, at: dt.datetime, scope: Scope) -> int:
    """Revoke a live link whose region lies inside ``scope``: the scope is part of the UPDATE,
    so a link outside it is never touched whatever the caller checked before."""
    dl = s.display_link
    result = conn.execute(update(dl)
                          .where(dl.c.token_hash == token_hash, dl.c.revoked_at.is_(None),
                                 in_scope(dl.c.region_code, scope))
                          .values(revoked_at=at))
    return int(result.rowcount or 0)


def links_frame(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Display links for regions inside ``scope``, newest first."""
    dl = s.display_link
    q = (_with_creator(select(dl)).where(in_scope(dl.c.region_code, scope))
         .order_by(dl.c.created_at.desc()))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=[*LINK_COLUMNS, "creator_active", "creator_scope"])


def _audit_scope(scope: Scope) -> Any:
    """The WHERE clause of the audit rows an admin with ``scope`` may read.

    Rows are attributed by their ``actor_kind``, never by the name alone: a row belongs to the
    scope when its actor is an account ("account": the username is that account's key) whose scope
    lies inside it, or a display link ("display") for a region inside it. Attribution uses the
    account's current scope: moving an account moves its history with it. Rows of no account in
    the scope (the fixed actors system/console/cli, unknown names, accounts or links that no longer
    exist) only for city-level or wider admins.
    """
    a, u, dl = s.audit_event, s.app_user, s.display_link
    if scope.is_everything:
        return true()
    kind = a.c.actor_kind
    accounts = select(u.c.username).where(in_scope(u.c.scope_code, scope))
    displays = (select(literal(DISPLAY_PREFIX) + func.substr(dl.c.token_hash, 1, 8))
                .where(in_scope(dl.c.region_code, scope)))
    mine = or_(and_(kind == "account", a.c.username.in_(accounts)),
               and_(kind == "display", a.c.username.in_(displays)))
    if not sees_unattributed(scope):
        return mine
    known = select(u.c.username)
    all_displays = select(literal(DISPLAY_PREFIX) + func.substr(dl.c.token_hash, 1, 8))
    unattributed = or_(kind.is_(None), kind.not_in(["account", "display"]),
                       and_(kind == "account", a.c.username.not_in(known)),
                       and_(kind == "display", a.c.username.not_in(all_displays)))
    return or_(mine, unattributed)


def audit_frame(engine: Engine, *, username: str | None = None, action: str | None = None,
                since: dt.datetime | None = None, until: dt.datetime | None = None,
                limit: int = 5000, scope: Scope) -> pd.DataFrame:
    """The audit log, newest first, filtered in SQL by scope (see _audit_scope), user, action and
    time; ``Scope.everything()`` is the whole log (console, a whole-warehouse admin)."""
    a = s.audit_event
    q = select(a).where(_audit_scope(scope)).order_by(a.c.id.desc()).limit(limit)
    if username:  # an account's rows: not a fixed actor's that happens to share its name
        q = q.where(a.c.username == username, a.c.actor_kind == "account")
    if action:
        q = q.where(a.c.action == action)
    if since:
        q = q.where(a.c["at"] >= since)
    if until:
        q = q.where(a.c["at"] < until)
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in a.columns])


def audit_actions(engine: Engine, scope: Scope) -> list[str]:
    """The actions that occur in the audit rows ``scope`` may read (for the filter picker)."""
    a = s.audit_event
    q = select(a.c.action).where(_audit_scope(scope)).distinct().order_by(a.c.action)
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(q)]
