"""The one-time setup code that first-admin setup requires (as Jenkins and Jupyter do).

Without it, whoever reached a new server first could claim it as admin. While the warehouse has no
accounts, the server makes a random code once per process and writes it to its own log (WARNING
``halfsky first-admin setup code: …``), where only the person who started it can read it. Only the
code's SHA-256 stays in memory. ``HALFSKY_SETUP_CODE``, when set, IS the code (unattended installs,
tests, several processes behind one proxy) and is never logged. Once the first admin exists, no
code is accepted any more (:func:`create_first_admin` refuses, and the code is forgotten).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading

from sqlalchemy import Engine

from lib import settings
from lib.auth import accounts
from lib.auth.sessions import Clock, system_clock

log = logging.getLogger("halfsky.setup")
ENV = settings.SETUP_CODE.name
# No 0/O, 1/I/L: read off a terminal and typed by hand.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_GROUPS, _GROUP_LEN = 3, 4  # XXXX-XXXX-XXXX: 60 bits
MAX_INPUT = 64

_lock = threading.Lock()
_code_hash: str | None = None  # this process's generated code (SHA-256 of the normalised code)


def normalise(code: str | None) -> str:
    """What is compared: upper case, without spaces or dashes (as people copy it)."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -\t")


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("utf-8")).hexdigest()


def new_code() -> str:
    """A fresh random code, grouped for reading."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LEN))
                    for _ in range(_GROUPS))


def _env_code() -> str | None:
    value = normalise(settings.setup_code())
    return value or None


def issue() -> None:
    """Make this process's code and log it, once; nothing when ``HALFSKY_SETUP_CODE`` is set.

    Called by the login gate whenever the warehouse has no accounts, so the code appears in the log
    with the first request to a new server (and again after :func:`forget`).
    """
    global _code_hash
    if _env_code():
        return
    with _lock:
        if _code_hash is not None:
            return
        code = new_code()
        _code_hash = _digest(code)
    log.warning("halfsky first-admin setup code: %s", code)


def forget() -> None:
    """Drop this process's code (after the first admin exists; the next empty warehouse gets a new
    one from :func:`issue`)."""
    global _code_hash
    with _lock:
        _code_hash = None


def check(code: str | None) -> bool:
    """True when ``code`` is the current setup code (constant-time comparison of the hashes)."""
    if not code or len(code) > MAX_INPUT:
        return False
    env = _env_code()
    if env:
        expected = _digest(env)
    else:
        with _lock:
            expected = _code_hash
    return expected is not None and hmac.compare_digest(_digest(code), expected)


def create_first_admin(engine: Engine, code: str | None, username: str, password: str,
                       scope_code: str, *, clock: Clock = system_clock) -> accounts.User:
    """The first admin of an empty warehouse, only with the right setup code.

    A wrong code is refused before anything else is looked at, and nothing is written; once any
    account exists the code is worthless (``only_if_empty``) and is forgotten.
    """
    if accounts.has_users(engine):
        forget()
        raise accounts.AccountError("setup_done")
    if not check(code):
        raise accounts.AccountError("setup_code_wrong")
    user = accounts.create_user(engine, username, password, "admin", scope_code, clock=clock,
                                only_if_empty=True)
    forget()
    return user
