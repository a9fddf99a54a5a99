"""Session expiry, a pure function of an injected clock (back-off: lib/auth/throttle.py)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

Clock = Callable[[], dt.datetime]

IDLE_TIMEOUT = dt.timedelta(minutes=30)


def system_clock() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def is_expired(last_seen: dt.datetime | None, now: dt.datetime,
               idle: dt.timedelta = IDLE_TIMEOUT) -> bool:
    """A session idle for longer than ``idle`` is over (a session never seen is over too)."""
    return last_seen is None or now - last_seen > idle

