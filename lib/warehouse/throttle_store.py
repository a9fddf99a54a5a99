"""All SQL for the sign-in back-off (login_throttle); the policy lives in lib/auth/throttle.py.

An attempt reads, decides and writes its keys in ONE transaction that holds them exclusively, so
concurrent guesses are counted one after another and none slips past the limit:

* PostgreSQL: every key's row is made to exist (INSERT … ON CONFLICT DO NOTHING) and then locked by
  an UPDATE … RETURNING, which blocks a concurrent attempt on the same key until this one commits.
* DuckDB: its optimistic concurrency does not serialise these (DuckDB 2.0 let a second concurrent
  ``UPDATE … RETURNING`` on a primary-key table overwrite the first without a conflict), so
  attempts on one DuckDB database take a process lock. That is complete, not a shortcut: a DuckDB
  file is open in one process only (lib/warehouse/engine.py refuses a second).
"""
from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import Connection, Engine, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from lib.warehouse import schema as s

_t = s.login_throttle
_LOCK_TRIES = 5  # each retry follows a concurrent delete that has committed: one is enough
_duckdb_locks: dict[str, threading.Lock] = {}
_duckdb_locks_guard = threading.Lock()


@dataclass(frozen=True)
class State:
    """One key's record: failures in a row, when it is heard again, the last failure."""
    failures: int = 0
    next_allowed_at: dt.datetime | None = None
    last_failed_at: dt.datetime | None = None


def _process_lock(engine: Engine) -> threading.Lock | None:
    if engine.dialect.name != "duckdb":
        return None
    key = str(engine.url)
    with _duckdb_locks_guard:
        return _duckdb_locks.setdefault(key, threading.Lock())


@contextmanager
def exclusive(engine: Engine) -> Iterator[Connection]:
    """A transaction in which :func:`lock_states` holds its keys until commit (see module doc)."""
    lock = _process_lock(engine)
    if lock is None:
        with engine.begin() as conn:
            yield conn
        return
    with lock, engine.begin() as conn:
        yield conn


def lock_states(conn: Connection, keys: list[str]) -> dict[str, State]:
    """Each key's record, held until the transaction ends; a key never seen starts empty.
    ``keys`` must be sorted (lib.auth.throttle.keys_for) so two attempts lock in the same order."""
    states: dict[str, State] = {}
    for key in keys:
        row = None
        # The INSERT does not lock a row that exists: a concurrent successful sign-in may delete
        # it (``clear``) before the UPDATE locks it, and on PostgreSQL the UPDATE then finds
        # nothing once that commits. The key starts empty again: make it exist anew.
        for _ in range(_LOCK_TRIES):
            conn.execute(pg_insert(_t).values(key=key, failures=0).on_conflict_do_nothing())
            row = conn.execute(update(_t).where(_t.c.key == key).values(failures=_t.c.failures)
                               .returning(_t.c.failures, _t.c.next_allowed_at,
                                          _t.c.last_failed_at)).one_or_none()
            if row is not None:
                break
        if row is None:
            raise RuntimeError(f"sign-in back-off: key {key!r} kept vanishing; try again")
        states[key] = State(int(row.failures), row.next_allowed_at, row.last_failed_at)
    return states


def save(conn: Connection, key: str, state: State) -> None:
    conn.execute(update(_t).where(_t.c.key == key).values(
        failures=state.failures, next_allowed_at=state.next_allowed_at,
        last_failed_at=state.last_failed_at))


def clear(conn: Connection, key: str) -> None:
    conn.execute(delete(_t).where(_t.c.key == key))


def read(bind: Engine | Connection, key: str) -> State | None:
    """A key's record without locking it (for listings and tests)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return read(conn, key)
    row = bind.execute(select(_t.c.failures, _t.c.next_allowed_at, _t.c.last_failed_at)
                       .where(_t.c.key == key)).first()
    return State(int(row.failures), row.next_allowed_at, row.last_failed_at) if row else None


def prune(conn: Connection, now: dt.datetime, quiet_since: dt.datetime) -> int:
    """Delete records with no delay pending and no failure since ``quiet_since``: names typed once
    (often not accounts at all) must not pile up."""
    stale = select(_t.c.key).where(
        or_(_t.c.next_allowed_at.is_(None), _t.c.next_allowed_at <= now),
        or_(_t.c.last_failed_at.is_(None), _t.c.last_failed_at < quiet_since))
    if conn.dialect.name == "postgresql":  # rows an attempt holds are skipped, never waited for
        stale = stale.with_for_update(skip_locked=True)
    result = conn.execute(delete(_t).where(_t.c.key.in_(stale)))
    return int(result.rowcount or 0)
