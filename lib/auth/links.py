"""Meeting display links: a random token for one region that opens meeting mode read-only, until it
expires or is revoked. Only the token's SHA-256 is stored; the token itself is shown once."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pandas as pd
from sqlalchemy import Engine

from lib.auth.sessions import Clock, system_clock
from lib.auth.accounts import AccountError, User
from lib.warehouse import audit
from lib.warehouse import accounts_store as store
from lib.warehouse.scope import Scope, prefix_of

DISPLAY_ROLE = "display"  # a pseudo-role: meeting mode only, never a row in app_user
MAX_VALID = dt.timedelta(days=366)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_link(engine: Engine, creator: User, region_code: str, valid_for: dt.timedelta,
                label: str = "", *, clock: Clock = system_clock) -> str:
    """A new link's token (shown once). Refused outside the creator's scope or beyond a year.

    A parent of the creator's scope is refused too, not narrowed to the scope as a dashboard query
    would be: the link would name (and its list row show) a region the creator does not hold.
    """
    try:
        wanted = prefix_of(region_code)
    except ValueError:
        raise AccountError("bad_scope", region_code) from None
    if not creator.scope.contains(wanted):
        raise AccountError("scope_refused", region_code)
    if not dt.timedelta(0) < valid_for <= MAX_VALID:
        raise AccountError("bad_expiry")
    token = secrets.token_urlsafe(24)
    now = clock()
    with engine.begin() as conn:
        store.insert_link(conn, token_hash=token_hash(token), label=label[:200], region_code=region_code,
                          created_by=creator.username, created_at=now, expires_at=now + valid_for,
                          revoked_at=None)
        audit.record(conn, "link_add", f"{region_code} until {now + valid_for} {label[:80]}",
                     creator.username)
    return token


STATUSES = ("live", "expired", "revoked", "creator_disabled")


def creator_holds(row: dict) -> bool:
    """Whether the link's creator still vouches for it: the account exists, is active and its
    scope still holds the link's region. A link lends its creator's right to see a region, so a
    disabled, deleted or moved creator takes the link down with them."""
    scope, active = row.get("creator_scope"), row.get("creator_active")
    if not isinstance(scope, str) or not scope or active is None or pd.isna(active) or not active:
        return False  # no such account (an outer join's NULL, NaN in a frame) or disabled
    return prefix_of(row["region_code"]).startswith(prefix_of(scope))


def status(row: dict, now: dt.datetime) -> str:
    """One of STATUSES: revoked first, then a creator who no longer vouches, then expiry."""
    if row["revoked_at"] is not None and not pd.isna(row["revoked_at"]):
        return "revoked"
    if not creator_holds(row):
        return "creator_disabled"
    return "expired" if now >= row["expires_at"] else "live"


def resolve(engine: Engine, token: str, *, clock: Clock = system_clock) -> User | None:
    """The read-only display user a live token stands for; None if unknown, expired, revoked or
    its creator no longer vouches for it (``creator_holds``)."""
    if not token or len(token) > 100:
        return None
    with engine.connect() as conn:
        row = store.fetch_link(conn, token_hash(token))
    if row is None or status(row, clock()) != "live":
        return None
    return User(f"{store.DISPLAY_PREFIX}{row['token_hash'][:8]}", DISPLAY_ROLE, row["region_code"],
                True)


def revoke(engine: Engine, hash_: str, *, by: User, clock: Clock = system_clock) -> bool:
    """Revoke a live link of a region inside ``by``'s scope; False if unknown or revoked already.

    A link outside the scope raises ``AccountError("scope_refused")`` (and is audited as a refusal);
    the UPDATE itself carries the scope condition as well, so the check cannot be raced or skipped.
    """
    with engine.begin() as conn:
        done = store.revoke_link(conn, hash_, clock(), by.scope) > 0
        if done:
            audit.record(conn, "link_revoke", hash_[:8], by.username)
            return True
        row = store.fetch_link(conn, hash_)
    if row is not None and not by.scope.contains(row["region_code"]):
        audit.record_now(engine, "scope_refused", f"link_revoke {hash_[:8]}", by.username)
        raise AccountError("scope_refused", hash_[:8])
    return False


def list_links(engine: Engine, *, within: Scope, clock: Clock = system_clock) -> pd.DataFrame:
    """The links of regions inside the admin's scope ``within`` (``Scope.everything()``: the
    console, a whole-warehouse admin), narrowed in SQL, each with its ``status`` (STATUSES) so the
    admin sees which still open and why the others do not."""
    frame = store.links_frame(engine, within)
    now = clock()
    states = [status(row, now) for row in frame.to_dict("records")]
    return (frame.drop(columns=["creator_active", "creator_scope"])
            .assign(status=pd.Series(states, index=frame.index, dtype=object)))
