"""Schema 2: ledger ids keyed by (district, id); upload_batch.region_prefix.

org_unit, training_session and job_fair and their history twins gain ``id_scope`` (the first six
digits of region_code) and the id tables are keyed by (id_scope, id); PostgreSQL alters them in
place, DuckDB rebuilds them (it cannot change a primary key). Also writes schema_version 2.
"""
from __future__ import annotations

from alembic import op

from lib.warehouse.migrations import steps

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.v1_to_v2(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("a warehouse is never downgraded: restore a backup instead")
