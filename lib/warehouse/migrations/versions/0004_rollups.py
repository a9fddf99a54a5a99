"""Rollups: monthly sums by region level, kept in step with every load and rollback.

Warehouses that started on an earlier revision already hold the tables if the post-upgrade safety
net created them (hence ``checkfirst``); either way they are filled here from the base tables, so
pages read exact sums from the first start on this revision.
"""
from __future__ import annotations

from alembic import op

from lib.warehouse import rollups

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    for table in rollups.FACT_ROLLUP_TABLES:
        table.create(conn, checkfirst=True)
    rollups.rebuild(conn, coverage=False)  # coverage's tables come with 0005


def downgrade() -> None:
    raise NotImplementedError("restore a backup of the warehouse instead")
