"""Signed-in browser sessions that outlive a Streamlit session: the sign-in cookie.

Streamlit keeps ``st.session_state`` per browser tab and forgets it on reload, so a sign-in made
with the Streamlit form is written as a row here (lib/warehouse/sessions_store.py) and handed to
the browser as a cookie by a small route (lib/web/session_routes.py). The route cannot see the
Streamlit session, so the page hands over a one-time code (valid for a minute) that the route
swaps for the cookie token; the cookie carries that token, signed. The code is bound to the
browser that signed in: its hash covers a secret the sign-in tab planted as a cookie, so the code
copied into another browser (a link sent to a victim) redeems nothing. Reload, a new tab or a link sends
the cookie; the gate reads it with ``st.context.cookies`` and finds the row. The row, not the
cookie, decides: sign-out, idle expiry and an admin's "end session" end it at once, and a disabled
account is refused by the gate whatever the cookie says.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

import pandas as pd
from itsdangerous import BadSignature, Signer
from sqlalchemy import Engine

from lib import settings
from lib.auth.sessions import IDLE_TIMEOUT, Clock, is_expired, system_clock
from lib.warehouse import audit
from lib.warehouse import sessions_store as store
from lib.warehouse.scope import Scope

COOKIE_NAME = "halfsky_session"
COOKIE_MAX_AGE = dt.timedelta(days=30)  # an upper bound only: the row's idle expiry ends it first
HANDOFF_VALID = dt.timedelta(seconds=60)
TOUCH_EVERY = dt.timedelta(seconds=60)  # last_seen is written at most once a minute per session
SECRET_NAME = "cookie_signing"


@dataclasses.dataclass(frozen=True)
class WebSession:
    id: str
    username: str
    last_seen: dt.datetime


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _handoff_hash(code: str, bind: str) -> str:
    return _hash(f"{code}|{bind}")


def start(engine: Engine, username: str, *, bind: str, client: str | None = None,
          clock: Clock = system_clock) -> tuple[str, str]:
    """A new session row for a successful sign-in: (session id, one-time hand-off code). The code
    redeems only together with ``bind``, the secret of the browser that signed in."""
    now = clock()
    session_id, code = secrets.token_hex(16), secrets.token_urlsafe(24)
    with engine.begin() as conn:
        store.insert_session(conn, id=session_id, username=username, token_hash=None,
                             handoff_hash=_handoff_hash(code, bind),
                             handoff_expires_at=now + HANDOFF_VALID,
                             created_at=now, last_seen=now, ended_at=None, ended_by=None,
                             client=(client or "")[:64] or None)
    return session_id, code


def redeem(engine: Engine, code: str, *, bind: str,
           clock: Clock = system_clock) -> str | None:
    """The cookie token for a live hand-off code presented with the browser's ``bind`` secret,
    once; None for an unknown, used or old code, or one from another browser."""
    if not code or len(code) > 100 or not bind or len(bind) > 100:
        return None
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        done = store.redeem_handoff(conn, _handoff_hash(code, bind), _hash(token), clock())
    return token if done else None


def signer(engine: Engine) -> Signer:
    """The cookie signer. ``HALFSKY_COOKIE_SECRET`` wins; otherwise a random key kept in the
    warehouse, so every app process on it (and a restart) accepts the same cookies."""
    key = settings.cookie_secret() or store.secret(
        engine, SECRET_NAME, lambda: secrets.token_urlsafe(48))
    return Signer(key, salt="halfsky-session")


def cookie_value(engine: Engine, token: str) -> str:
    return signer(engine).sign(token).decode("ascii")


def _live(row: dict | None, now: dt.datetime, idle: dt.timedelta) -> WebSession | None:
    if row is None or row["ended_at"] is not None or is_expired(row["last_seen"], now, idle):
        return None
    return WebSession(row["id"], row["username"], row["last_seen"])


def from_cookie(engine: Engine, value: str | None, *, clock: Clock = system_clock,
                idle: dt.timedelta = IDLE_TIMEOUT) -> WebSession | None:
    """The live session a cookie names; None for a missing, forged, ended or idle one."""
    if not value or len(value) > 200:
        return None
    try:
        token = signer(engine).unsign(value.encode("ascii", "replace")).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None
    with engine.connect() as conn:
        row = store.fetch_by(conn, "token_hash", _hash(token))
    return _live(row, clock(), idle)


def check(engine: Engine, session_id: str | None, *, clock: Clock = system_clock,
          idle: dt.timedelta = IDLE_TIMEOUT) -> WebSession | None:
    """The session ``session_id`` if it is still live (not ended, not idle past ``idle``)."""
    if not session_id:
        return None
    with engine.connect() as conn:
        row = store.fetch_by(conn, "id", session_id)
    return _live(row, clock(), idle)


def touch(engine: Engine, session: WebSession, *, clock: Clock = system_clock) -> None:
    """Record activity (at most once per ``TOUCH_EVERY``, so a busy page does not write each run)."""
    now = clock()
    if now - session.last_seen >= TOUCH_EVERY:
        with engine.begin() as conn:
            store.touch(conn, session.id, now)


def end(engine: Engine, session_id: str, *, by: str, scope: Scope | None = None,
        clock: Clock = system_clock) -> bool:
    """End a session (sign-out, or an admin for an account inside ``scope``)."""
    with engine.begin() as conn:
        done = store.end(conn, session_id, clock(), by, scope) > 0
        if done and scope is not None:  # an admin's act: the audit names whose session
            row = store.fetch_by(conn, "id", session_id)
            audit.record(conn, "session_end", row["username"] if row else "", by)
    return done


def end_all(engine: Engine, username: str, *, by: str, clock: Clock = system_clock) -> int:
    """End every live session of an account (password reset, account disabled)."""
    with engine.begin() as conn:
        return store.end_for_user(conn, username, clock(), by)


def live_sessions(engine: Engine, scope: Scope, *, clock: Clock = system_clock,
                  idle: dt.timedelta = IDLE_TIMEOUT) -> pd.DataFrame:
    """Live sessions of accounts inside the admin's scope (narrowed in SQL)."""
    return store.live_frame(engine, scope, clock() - idle)
