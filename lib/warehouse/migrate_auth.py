"""Schema steps of the sign-in hardening that ``create_all`` cannot do by itself.

``ensure_schema`` calls :func:`migrate` on every start, after ``create_all``; each step is
idempotent, so a new warehouse and one created by an older release end in the same state.
"""
from __future__ import annotations

from sqlalchemy import Connection, Sequence, func, select
from sqlalchemy.schema import CreateSequence

from lib.warehouse import schema as s


def migrate(conn: Connection) -> None:
    """Bring an existing warehouse up to the sign-in hardening (new tables come from create_all)."""
    ensure_audit_sequence(conn)


def ensure_audit_sequence(conn: Connection) -> None:
    """Create the audit id sequence if missing, starting after the highest id already written.

    Started at 1 on a warehouse with audit rows, the sequence would hand out ids that exist; so the
    start is read from the table in the same transaction. ``IF NOT EXISTS`` (DuckDB and PostgreSQL)
    leaves an existing sequence, and the ids it has already given, alone.
    """
    highest = conn.execute(select(func.coalesce(func.max(s.audit_event.c.id), 0))).scalar_one()
    start = int(highest) + 1
    seq = Sequence(s.AUDIT_EVENT_ID_SEQ.name, start=start)
    conn.execute(CreateSequence(seq, if_not_exists=True))
