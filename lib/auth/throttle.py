"""Sign-in back-off per account and per client address, as pure functions of an injected time.

A hard lock after N wrong passwords let anyone lock any admin out by typing their name a few
times. Instead, each key — ``user:<name>`` and ``addr:<ip>`` — may fail ``free_failures`` times in a
row; after that, the next attempt is not even heard until a delay has passed, and the delay doubles
with every further failure up to ``max_delay``. Attempts refused during a delay do not count, so a
stranger can hold an account back by at most one ``max_delay`` per guess, and the right password
works as soon as the delay is over. A success clears the account's key; an address key is only
forgotten after ``forget_after`` without failures (a valid account must not wipe an address's
record of guessing at others). No SQL here: lib/warehouse/throttle_store.py keeps the state.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lib.warehouse.throttle_store import State  # one key's stored record

USER_PREFIX, ADDR_PREFIX = "user:", "addr:"
MAX_KEY_LENGTH = 120  # login_throttle.key


@dataclass(frozen=True)
class Policy:
    free_failures: int  # failures in a row heard without delay
    base_delay: dt.timedelta  # the wait after the ``free_failures``-th failure
    max_delay: dt.timedelta  # the doubling stops here
    forget_after: dt.timedelta  # a failure this long after the previous one counts from 1 again


# Per account: 5 tries, then 30 s, 1 min, 2 min … 15 min at most.
USER_POLICY = Policy(5, dt.timedelta(seconds=30), dt.timedelta(minutes=15), dt.timedelta(hours=24))
# Per address: more slack, since one office may sit behind one address (NAT), same ceiling.
ADDR_POLICY = Policy(20, dt.timedelta(seconds=30), dt.timedelta(minutes=15), dt.timedelta(hours=24))


def user_key(username: str) -> str:
    return f"{USER_PREFIX}{username}"[:MAX_KEY_LENGTH]


def addr_key(address: str) -> str:
    return f"{ADDR_PREFIX}{address}"[:MAX_KEY_LENGTH]


def keys_for(username: str | None, address: str | None) -> list[str]:
    """The keys one attempt is counted under, sorted (so PostgreSQL row locks are always taken in
    the same order and two attempts cannot deadlock). ``username`` None: not a valid name at all."""
    keys = []
    if username:
        keys.append(user_key(username))
    if address:
        keys.append(addr_key(address))
    return sorted(keys)


def policy_for(key: str) -> Policy:
    return ADDR_POLICY if key.startswith(ADDR_PREFIX) else USER_POLICY


def delay_after(failures: int, policy: Policy) -> dt.timedelta:
    """The wait after ``failures`` failures in a row: none before ``free_failures``, then
    ``base_delay`` doubling with each further failure, never more than ``max_delay``."""
    if failures < policy.free_failures:
        return dt.timedelta(0)
    doublings = min(failures - policy.free_failures, 32)  # 2**32 × 30 s is far past any cap
    return min(policy.base_delay * (2 ** doublings), policy.max_delay)


def is_allowed(state: State, now: dt.datetime) -> bool:
    """True when an attempt under this key is heard now (no delay pending)."""
    return state.next_allowed_at is None or now >= state.next_allowed_at


def all_allowed(states: dict[str, State], now: dt.datetime) -> bool:
    return all(is_allowed(st, now) for st in states.values())


def after_failure(state: State, now: dt.datetime, policy: Policy) -> State:
    """The record after one more failure; the count starts over after a quiet ``forget_after``."""
    quiet = state.last_failed_at is None or now - state.last_failed_at >= policy.forget_after
    failures = 1 if quiet else state.failures + 1
    delay = delay_after(failures, policy)
    return State(failures, now + delay if delay else None, now)


def is_stale(state: State, now: dt.datetime, policy: Policy) -> bool:
    """A record with nothing left to enforce or remember (safe to delete)."""
    return is_allowed(state, now) and (state.last_failed_at is None
                                       or now - state.last_failed_at >= policy.forget_after)
