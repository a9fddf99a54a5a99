"""The last release before Alembic (877fe60): its tables complete, floats 8 bytes wide.

Releases up to 877fe60 ran ``create_all`` on every start, so tables added without a version bump
(sign-in throttle, sessions, report rules, upload warnings, region aliases, progress tables…) are
created here where missing, with the PostgreSQL-only date indexes and the audit id sequence. Then
every column that schema declares ``Double`` and the warehouse holds as a 4-byte REAL (DuckDB's
``Float``) is widened.
"""
from __future__ import annotations

from alembic import op

from lib.warehouse import migrate_auth
from lib.warehouse.migrations import steps

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    steps.create_missing(conn)
    steps.create_pg_only_indexes(conn)
    migrate_auth.ensure_audit_sequence(conn)
    steps.widen_floats(conn)


def downgrade() -> None:
    raise NotImplementedError("a warehouse is never downgraded: restore a backup instead")
