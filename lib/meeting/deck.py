"""Which slide is showing: a small state machine that advances by itself every N seconds.

The page keeps a DeckState in the session; each timer tick calls ``tick`` (advances only once a
full interval has passed since the last change, so reruns caused by buttons never skip a slide);
back / forward buttons call ``step``. Indices wrap around.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

DEFAULT_INTERVAL = 20
MIN_INTERVAL, MAX_INTERVAL = 5, 600
# A timer tick may arrive a little early: advance when this share of the interval has passed.
TICK_SLACK = 0.8


@dataclass(frozen=True)
class DeckState:
    index: int = 0
    changed_at: float = 0.0   # time.monotonic() of the last change of slide
    paused: bool = False


def wrap(index: int, n: int) -> int:
    return index % n if n > 0 else 0


def step(state: DeckState, delta: int, n: int, now: float) -> DeckState:
    """Back (-1) or forward (+1), wrapping; restarts the interval."""
    return replace(state, index=wrap(state.index + delta, n), changed_at=now)


def tick(state: DeckState, n: int, now: float, interval: float) -> DeckState:
    """The timer fired: the next slide if not paused and a full interval has passed."""
    if state.paused or n <= 1 or now - state.changed_at < TICK_SLACK * interval:
        return replace(state, index=wrap(state.index, n))
    return step(state, 1, n, now)


MAX_PARAM_LENGTH = 32  # longer than any number worth reading: refused before parsing
# Plain ASCII decimals only ("30", "7.5", "-1"): float() would also take "inf", "nan", "1_0", "1e5"
# and other scripts' digits, none of which a person means by a number of seconds.
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?")


def parse_interval(value: str | int | float | None, default: int = DEFAULT_INTERVAL) -> int:
    """?interval=30 → 30 seconds, clamped to [MIN_INTERVAL, MAX_INTERVAL]; anything else → default.

    The value comes from the URL, so anyone can put anything there: ``inf`` and ``1e999`` (float
    infinity: ``int()`` raises OverflowError), ``nan`` (ValueError), a 10 000-digit number or a very
    long string. A number out of range is clamped; what is not a finite number gets the default.
    """
    if isinstance(value, bool):
        return default
    text = str(value).strip() if value is not None else ""
    if len(text) > MAX_PARAM_LENGTH or not _NUMBER.fullmatch(text):
        return default
    number = float(text)
    if not math.isfinite(number):
        return default
    return int(max(MIN_INTERVAL, min(MAX_INTERVAL, number)))
