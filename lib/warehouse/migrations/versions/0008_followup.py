"""督办 follow-up items: the items, their progress notes and attached files, with an id sequence each.

The tables are declared here as this revision creates them, not taken from schema.py, which may
change later (a later revision then alters what this one made). Created with ``checkfirst``: a
warehouse started by a build that declared them before this revision existed got them from the
post-upgrade safety net already. Nothing is filled: a warehouse has no follow-ups before this.
"""
from __future__ import annotations

from alembic import op
from sqlalchemy import (Column, Date, DateTime, Index, Integer, LargeBinary, MetaData, Sequence,
                        String, Table, Text)

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_meta = MetaData()

followup_item = Table(
    "followup_item", _meta,
    Column("id", Integer, Sequence("followup_item_id_seq"), primary_key=True, autoincrement=False),
    Column("region_code", String(12), nullable=False),
    Column("subject_kind", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    Column("indicator_id", String(16)),
    Column("ref", Text),
    Column("asked", Text, nullable=False),
    Column("owner_user", String(64)),
    Column("owner_region", String(12)),
    Column("due", Date, nullable=False),
    Column("status", String(8), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
)
followup_note = Table(
    "followup_note", _meta,
    Column("id", Integer, Sequence("followup_note_id_seq"), primary_key=True, autoincrement=False),
    Column("item_id", Integer, nullable=False),
    Column("author", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("status_from", String(8), nullable=False),
    Column("status_to", String(8)),
    Column("created_at", DateTime, nullable=False),
)
followup_file = Table(
    "followup_file", _meta,
    Column("id", Integer, Sequence("followup_file_id_seq"), primary_key=True, autoincrement=False),
    Column("item_id", Integer, nullable=False),
    Column("note_id", Integer),
    Column("filename", Text, nullable=False),
    Column("mime", String(80), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
)
# PostgreSQL reads an item's notes and files, and a scope's items, by btree; DuckDB scans these
# small tables (an ART index would only add write conflicts)
INDEXES = (
    Index("ix_followup_item_region", followup_item.c.region_code).ddl_if(dialect="postgresql"),
    Index("ix_followup_note_item", followup_note.c.item_id).ddl_if(dialect="postgresql"),
    Index("ix_followup_file_item", followup_file.c.item_id).ddl_if(dialect="postgresql"),
)


def upgrade() -> None:
    conn = op.get_bind()
    for table in (followup_item, followup_note, followup_file):
        table.create(conn, checkfirst=True)  # with its sequence, itself created if missing
    for index in INDEXES:
        index.create(conn, checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("a warehouse is never downgraded: restore a backup instead")
