"""Accounts: create, authenticate (with back-off), change password, disable; every change is audited."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

import pandas as pd
from sqlalchemy import Engine

from lib.auth import passwords
from lib.auth import throttle
from lib.auth.sessions import Clock, system_clock
from lib.warehouse import audit
from lib.warehouse import sessions_store
from lib.warehouse import throttle_store
from lib.warehouse import accounts_store as store
from lib.warehouse.scope import Scope, level_of, prefix_of

ROLES = ("viewer", "analyst", "admin")
_USERNAME = re.compile(r"[\w.@-]{1,64}")  # always fullmatch: "$" would let a newline through


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

    @property
    def scope(self) -> Scope:
        """The account's scope, carried from sign-in into every query and load of this user."""
        return Scope.of_region(self.scope_code) if self.scope_code else Scope.everything()

    def may(self, *roles: str) -> bool:
        return self.role in roles


class LoginOutcome(str, Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"  # unknown user and wrong password look the same
    THROTTLED = "throttled"  # refused by the back-off; shown exactly like BAD_CREDENTIALS
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


def _check(username: str, role: str, scope_code: str, within: Scope | None = None) -> None:
    """Refuse a bad name, role or scope; ``within`` is the granting admin's scope, which a new
    scope may narrow but never widen."""
    if not _USERNAME.fullmatch(username or ""):
        raise AccountError("bad_username", username)
    if role not in ROLES:
        raise AccountError("bad_role", role)
    try:
        level_of(scope_code)
    except ValueError:
        raise AccountError("bad_scope", scope_code) from None
    if within is not None and not within.contains(scope_code):
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
    if not email or verified is False or not _USERNAME.fullmatch(email):
        return None
    user = active_user(engine, email) or active_user(engine, email.lower())
    return user


def list_users(engine: Engine, *, within: Scope) -> pd.DataFrame:
    """Accounts whose scope lies inside the admin's scope ``within`` (``Scope.everything()``: the
    console, a whole-warehouse admin); narrowed in SQL."""
    return store.users_frame(engine, within)


def _refuse_outside(row: dict, within: Scope | None) -> None:
    """An admin of scope ``within`` may change only accounts inside it (None: the console)."""
    # an account without a region ("") is wider than any scope but the whole warehouse
    if within is not None and not within.contains(row["scope_code"] or None):
        raise AccountError("scope_refused", row["username"])


def create_user(engine: Engine, username: str, password: str, role: str, scope_code: str, *,
                by: str | None = None, within: Scope | None = None, clock: Clock = system_clock,
                only_if_empty: bool = False) -> User:
    """Add an account. ``only_if_empty`` is the first-admin setup: refused once any user exists."""
    username = (username or "").strip()
    _check(username, role, scope_code, within)
    if username.lower() in audit.RESERVED_NAMES:  # the log's fixed actors: never an account
        raise AccountError("reserved_username", username)
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


def login_name(username: str | None) -> str | None:
    """The typed name if it could be an account name at all (stripped), else None.

    Checked before any SQL: a NUL byte, a control character or an overlong name never reaches the
    database (PostgreSQL refused a NUL with a driver error that showed SQL on the login page).
    """
    name = (username or "").strip()
    return name if _USERNAME.fullmatch(name) else None


def _login_input_ok(password: str) -> bool:
    """A password that can be checked: not overlong (argon2 over megabytes is a cheap attack on
    the server) and without NUL."""
    return len(password) <= passwords.MAX_LENGTH and "\x00" not in password


def authenticate(engine: Engine, username: str, password: str, *, address: str | None = None,
                 clock: Clock = system_clock) -> LoginResult:
    """Check a login, with back-off per account and per client ``address`` (lib/auth/throttle.py).

    A wrong name, a wrong password, malformed input and an attempt refused by the back-off all
    return a failure the login page shows with ONE message, and each costs one argon2 check, so
    neither the message nor the time tells whether an account exists or is held back. The account
    and address records are read, decided on and written in one exclusive transaction
    (lib/warehouse/throttle_store.py): concurrent guesses are counted one by one.
    """
    now = clock()
    password = password or ""
    name = login_name(username)
    checkable = name is not None and _login_input_ok(password)
    row = None
    if checkable:
        with engine.connect() as conn:
            row = store.fetch_user(conn, name)
    # Only real accounts get a record: a typed "name" may be a password, and must not be stored.
    keys = throttle.keys_for(name if row else None, address)
    with throttle_store.exclusive(engine) as conn:
        states = throttle_store.lock_states(conn, keys)
        if not throttle.all_allowed(states, now):
            if checkable:
                passwords.verify_password(None, password)  # same cost as an attempt that is heard
            held = [k for k, st in states.items() if not throttle.is_allowed(st, now)]
            audit.record(conn, "login_throttled", " ".join(held), row["username"] if row else None)
            return LoginResult(LoginOutcome.THROTTLED)
        if row is not None:  # re-read under the lock: a concurrent reset or change counts
            row = store.fetch_user(conn, name)
        stored_hash = row["password_hash"] if row else None
        ok = checkable and passwords.verify_password(stored_hash, password)
        if not ok or row is None or name is None:  # (ok holds only for a real account's name)
            after = {key: throttle.after_failure(state, now, throttle.policy_for(key))
                     for key, state in states.items()}
            for key, state in after.items():
                throttle_store.save(conn, key, state)
            if row is None or name is None:  # the typed name may be a password: not recorded
                audit.record(conn, "login_failed", "unknown user" if checkable else "invalid input")
                return LoginResult(LoginOutcome.BAD_CREDENTIALS)
            # app_user mirrors the account's back-off for the admin's listing
            failures = store.bump_failed_logins(conn, name)
            waits_until = after[throttle.user_key(name)].next_allowed_at
            store.update_user(conn, name, locked_until=waits_until)
            audit.record(conn, "login_failed", f"wrong password ({failures})", name)
            return LoginResult(LoginOutcome.BAD_CREDENTIALS)
        if not row["active"]:
            audit.record(conn, "login_failed", "account disabled", name)
            return LoginResult(LoginOutcome.DISABLED)
        throttle_store.clear(conn, throttle.user_key(name))
        values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
        if passwords.needs_rehash(row["password_hash"]):
            values["password_hash"] = passwords.hash_password(password)
        store.update_user(conn, name, **values)
        audit.record(conn, "login", "", name)
    _prune_throttle(engine, now)
    return LoginResult(LoginOutcome.OK, _user(row))


def _prune_throttle(engine: Engine, now: dt.datetime) -> None:
    """Forget back-off records with nothing left to enforce (after a success, so rarely)."""
    quiet = max(throttle.USER_POLICY.forget_after, throttle.ADDR_POLICY.forget_after)
    with throttle_store.exclusive(engine) as conn:
        throttle_store.prune(conn, now, now - quiet)


def set_password(engine: Engine, username: str, new_password: str, *, by: str | None = None,
                 within: Scope | None = None, keep_session: str | None = None) -> None:
    """Set a password (admin reset or after a verified change); also lifts the account's back-off.
    An admin's reset passes the admin's scope as ``within``: an account outside it is
    refused.

    Every open sign-in of the account ends (a password is changed because it may have leaked, and
    whoever used it must be locked out), except ``keep_session``: the one a user changed their own
    password in. Display links are not sign-ins and are unaffected.
    """
    passwords.check_policy(new_password, username)
    pw_hash = passwords.hash_password(new_password)
    with engine.begin() as conn:
        row = store.fetch_user(conn, username)
        if row is None:
            raise AccountError("no_such_user", username)
        _refuse_outside(row, within)
        store.update_user(conn, username, password_hash=pw_hash, failed_logins=0, locked_until=None)
        reset = bool(by and by != username)
        sessions_store.end_for_user(conn, username, system_clock(), by or username,
                                    keep=None if reset else keep_session)
        audit.record(conn, "password_set" if reset else "password_change",
                     username, by or username)
    with throttle_store.exclusive(engine) as conn:  # a new password is heard at once
        throttle_store.clear(conn, throttle.user_key(username))


def change_password(engine: Engine, username: str, old_password: str, new_password: str, *,
                    keep_session: str | None = None, clock: Clock = system_clock) -> None:
    """A user changes their own password, proving the old one first; their other sign-ins end,
    the session ``keep_session`` (the browser it was changed in) stays."""
    with engine.connect() as conn:
        row = store.fetch_user(conn, username)
    if row is None or not passwords.verify_password(row["password_hash"], old_password):
        raise AccountError("old_password_wrong")
    if old_password == new_password:
        raise AccountError("pw_unchanged")
    set_password(engine, username, new_password, by=username, keep_session=keep_session)


def update_account(engine: Engine, username: str, *, by: str, role: str | None = None,
                   scope_code: str | None = None, active: bool | None = None,
                   within: Scope | None = None) -> User:
    """Change role, scope or active flag; the last active admin cannot be demoted or disabled."""
    current = get_user(engine, username)
    if current is None:
        raise AccountError("no_such_user", username)
    new = User(username, role or current.role, scope_code or current.scope_code,
               current.active if active is None else active)
    _refuse_outside({"username": username, "scope_code": current.scope_code}, within)
    _check(username, new.role, new.scope_code, within)
    if current.role == "admin" and current.active and (new.role != "admin" or not new.active):
        admins = list_users(engine, within=Scope.everything()).query("role == 'admin' and active")
        if len(admins) <= 1:
            raise AccountError("last_admin")
    with engine.begin() as conn:
        store.update_user(conn, username, role=new.role, scope_code=new.scope_code,
                          active=new.active)
        if not new.active:
            sessions_store.end_for_user(conn, username, system_clock(), by)
        audit.record(conn, "user_change",
                     f"{username} role={new.role} scope={new.scope_code} active={new.active}", by)
    return new


def disable_user(engine: Engine, username: str, *, by: str | None = None) -> User:
    return update_account(engine, username, by=by or "console", active=False)
