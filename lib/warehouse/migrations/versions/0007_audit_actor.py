"""Audit rows name their actor's kind (``audit_event.actor_kind``): scoped listings attribute rows
by it, so an account named like the console cannot read the console's rows.

Existing rows are filled from their name as the writers of this release would have: the fixed
actors (system, console, cli, any case) by their name, ``display:…`` as a display link, no name
as NULL (nobody known), any other name as an account. The column is declared here rather than
taken from schema.py, which may change later. A warehouse whose audit table was created after
this release (by the auth tables' own set-up, from schema.py) has the column already: it is added
only where missing, and the fill touches only rows without a kind.
"""
from __future__ import annotations

from alembic import op
from sqlalchemy import Column, MetaData, String, Table, Text, case, func, update

from lib.warehouse.migrations import steps

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SYSTEM_ACTORS = ("system", "console", "cli")


def upgrade() -> None:
    conn = op.get_bind()
    if "actor_kind" not in steps.columns(conn, "audit_event"):
        op.add_column("audit_event", Column("actor_kind", String(16)))
    event = Table("audit_event", MetaData(), Column("username", Text),
                  Column("actor_kind", String(16)))
    name = event.c.username
    kind = case((func.lower(name).in_(SYSTEM_ACTORS), func.lower(name)),
                (name.like("display:%"), "display"),
                else_="account")
    conn.execute(update(event).where(name.is_not(None), event.c.actor_kind.is_(None))
                 .values(actor_kind=kind))


def downgrade() -> None:
    raise NotImplementedError("a warehouse is never downgraded: restore a backup instead")
