"""Session expiry and lockout policy, as pure functions of an injected clock."""
from __future__ import annotations

import datetime as dt
from typing import Callable

Clock = Callable[[], dt.datetime]

IDLE_TIMEOUT = dt.timedelta(minutes=30)
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)


def system_clock() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def is_expired(last_seen: dt.datetime | None, now: dt.datetime,
               idle: dt.timedelta = IDLE_TIMEOUT) -> bool:
    """A session idle for longer than ``idle`` is over (a session never seen is over too)."""
    return last_seen is None or now - last_seen > idle


def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and now < locked_until
