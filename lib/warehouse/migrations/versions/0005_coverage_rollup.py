"""Village coverage rolled up: the changes of coverage by region level and day.

Created with ``checkfirst`` (the post-upgrade safety net may have made them) and filled from the
roster and the regions, so the country view reads them from the first start on this revision.
"""
from __future__ import annotations

from alembic import op

from lib.warehouse import coverage_rollup

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    for table in coverage_rollup.TABLES:
        table.create(conn, checkfirst=True)
    # the data version does not move: rollups that were current stay current, now with coverage
    coverage_rollup.rebuild(conn)
