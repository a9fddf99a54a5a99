"""Accounts: create, authenticate (with lockout), change password, disable; every change is audited."""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

import pandas as pd
from sqlalchemy import Engine

from lib.auth import passwords
from lib.auth.sessions import LOCKOUT, MAX_FAILURES, Clock, is_locked, system_clock
from lib.warehouse import audit
from lib.warehouse import users_store as store
from lib.warehouse.scope import level_of, prefix_of

ROLES = ("viewer", "analyst", "admin")
_USERNAME = re.compile(r"^[\w.@-]{1,64}$")


class AccountError(ValueError):
    """A refused account change; ``code`` is an i18n key (lib/i18n.TEXT)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class User:
    username: str
    role: str
    scope_code: str  # 12-digit region code; "" = the whole warehouse (auth off, development only)
    active: bool = True

    @property
    def scope_prefix(self) -> str:
        """The region-code prefix every query and load of this user is narrowed to."""
        return prefix_of(self.scope_code) if self.scope_code else ""

    def may(self, *roles: str) -> bool:
        return self.role in roles


class LoginOutcome(str, Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"  # unknown user and wrong password look the same
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is LoginOutcome.OK


def _user(row: dict) -> User:
    return User(row["username"], row["role"], row["scope_code"], bool(row["active"]))


def _check(username: str, role: str, scope_code: str, within: str | None = None) -> None:
    """Refuse a bad name, role or scope; ``within`` is the granting admin's scope prefix, which a new
    scope may narrow but never widen."""
    if not _USERNAME.match(username or ""):
        raise AccountError("bad_username", username)
    if role not in ROLES:
        raise AccountError("bad_role", role)
    try:
        level_of(scope_code)
    except ValueError:
        raise AccountError("bad_scope", scope_code) from None
    if within and not prefix_of(scope_code).startswith(within):
        raise AccountError("scope_refused", scope_code)


def has_users(engine: Engine) -> bool:
    return store.count_users(engine) > 0


def get_user(engine: Engine, username: str) -> User | None:
    """The account of ``username`` (active or not), for callers such as ``lib.ingest --user``."""
    with engine.connect() as conn:
        row = store.fetch_user(conn, username)
    return _user(row) if row else None


def active_user(engine: Engine, username: str) -> User | None:
    """The account if it exists and is active: re-read on every run so a disable bites at once."""
    user = get_user(engine, username)
    return user if user and user.active else None


def oidc_user(engine: Engine, email: str | None, verified: bool | None = True) -> User | None:
    """The existing active account whose username is the OIDC identity's email (case-insensitive).

    OIDC proves who someone is, not what they may see: an unknown email gets no account (nothing is
    ever created from a login, least of all an admin), and an unverified email is refused.
    """
    if not email or verified is False or not _USERNAME.match(email):
        return None
    user = active_user(engine, email) or active_user(engine, email.lower())
    return user


def list_users(engine: Engine) -> pd.DataFrame:
    return store.users_frame(engine)


def create_user(engine: Engine, username: str, password: str, role: str, scope_code: str, *,
                by: str | None = None, within: str | None = None, clock: Clock = system_clock,
                only_if_empty: bool = False) -> User:
    """Add an account. ``only_if_empty`` is the first-admin setup: refused once any user exists."""
    username = (username or "").strip()
    _check(username, role, scope_code, within)
    passwords.check_policy(password, username)
    pw_hash = passwords.hash_password(password)
    with engine.begin() as conn:
        if only_if_empty and store.count_users(conn):
            raise AccountError("setup_done")
        if store.fetch_user(conn, username):
            raise AccountError("user_exists", username)
        store.insert_user(conn, username=username, password_hash=pw_hash, role=role,
                          scope_code=scope_code, active=True, failed_logins=0, locked_until=None,
                          created_at=clock())
        audit.record(conn, "user_add", f"{username} role={role} scope={scope_code}", by or username)
    return User(username, role, scope_code, True)


def authenticate(engine: Engine, username: str, password: str, *,
                 clock: Clock = system_clock) -> LoginResult:
    """Check a login; after MAX_FAILURES wrong passwords in a row the account locks for LOCKOUT."""
    now = clock()
    username = (username or "").strip()
    with engine.begin() as conn:
        row = store.fetch_user(conn, username)
        if row is None:
            passwords.verify_password(None, password)  # same cost as a real check
            audit.record(conn, "login_failed", "unknown user")  # the typed name may be a password
            return LoginResult(LoginOutcome.BAD_CREDENTIALS)
        if is_locked(row["locked_until"], now):
            audit.record(conn, "login_locked", f"locked until {row['locked_until']}", username)
            return LoginResult(LoginOutcome.LOCKED)
        if not passwords.verify_password(row["password_hash"], password):
            failures = store.bump_failed_logins(conn, username)
            if failures >= MAX_FAILURES:
                store.update_user(conn, username, failed_logins=0, locked_until=now + LOCKOUT)
                audit.record(conn, "user_locked", f"{failures} failed logins", username)
                return LoginResult(LoginOutcome.LOCKED)
            audit.record(conn, "login_failed", f"wrong password ({failures})", username)
            return LoginResult(LoginOutcome.BAD_CREDENTIALS)
        if not row["active"]:
            audit.record(conn, "login_failed", "account disabled", username)
            return LoginResult(LoginOutcome.DISABLED)
        values = {"failed_logins": 0, "locked_until": None}
        if passwords.needs_rehash(row["password_hash"]):
            values["password_hash"] = passwords.hash_password(password)
        store.update_user(conn, username, **values)
        audit.record(conn, "login", "", username)
    return LoginResult(LoginOutcome.OK, _user(row))


def set_password(engine: Engine, username: str, new_password: str, *, by: str | None = None) -> None:
    """Set a password (admin reset or after a verified change); also lifts a lockout."""
    passwords.check_policy(new_password, username)
    pw_hash = passwords.hash_password(new_password)
    with engine.begin() as conn:
        if not store.update_user(conn, username, password_hash=pw_hash, failed_logins=0,
                                 locked_until=None):
            raise AccountError("no_such_user", username)
        audit.record(conn, "password_set" if by and by != username else "password_change",
                     username, by or username)


def change_password(engine: Engine, username: str, old_password: str, new_password: str, *,
                    clock: Clock = system_clock) -> None:
    """A user changes their own password, proving the old one first."""
    with engine.connect() as conn:
        row = store.fetch_user(conn, username)
    if row is None or not passwords.verify_password(row["password_hash"], old_password):
        raise AccountError("old_password_wrong")
    if old_password == new_password:
        raise AccountError("pw_unchanged")
    set_password(engine, username, new_password, by=username)


def update_account(engine: Engine, username: str, *, by: str, role: str | None = None,
                   scope_code: str | None = None, active: bool | None = None,
                   within: str | None = None) -> User:
    """Change role, scope or active flag; the last active admin cannot be demoted or disabled."""
    current = get_user(engine, username)
    if current is None:
        raise AccountError("no_such_user", username)
    new = User(username, role or current.role, scope_code or current.scope_code,
               current.active if active is None else active)
    _check(username, new.role, new.scope_code, within)
    if within and not current.scope_prefix.startswith(within):
        raise AccountError("scope_refused", current.scope_code)
    if current.role == "admin" and current.active and (new.role != "admin" or not new.active):
        admins = list_users(engine).query("role == 'admin' and active")
        if len(admins) <= 1:
            raise AccountError("last_admin")
    with engine.begin() as conn:
        store.update_user(conn, username, role=new.role, scope_code=new.scope_code,
                          active=new.active)
        audit.record(conn, "user_change",
                     f"{username} role={new.role} scope={new.scope_code} active={new.active}", by)
    return new


def disable_user(engine: Engine, username: str, *, by: str | None = None) -> User:
    return update_account(engine, username, by=by or "console", active=False)
