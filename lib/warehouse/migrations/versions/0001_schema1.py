"""Baseline: schema 1, the warehouse as release f630ac0 created it (ids not yet keyed by district).

Only an empty database upgraded revision by revision runs this (a new warehouse is created from
schema.py and stamped at head; an older one is stamped at the revision its schema_version names).
The DDL is the release's own, captured per dialect in ../sql/ (tests/fixtures_migrate/capture.py).
"""
from __future__ import annotations

from alembic import op

from lib.warehouse.migrations import run_sql_file

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file(op.get_bind(), "0001_schema1")


def downgrade() -> None:
    raise NotImplementedError("a warehouse is never downgraded: restore a backup instead")
