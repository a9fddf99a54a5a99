"""Village coverage's changes also by calendar month: a date reads the whole months
before its own from ``rollup_village_cov_month`` and only its own month by day. On PostgreSQL the
province and city views summed ~600,000–960,000 daily rows a call (~150 ms); by month, ~25× fewer.

Created with ``checkfirst`` (a warehouse upgraded from 0004 in this release already has them, made
by 0005's create of every coverage table) and filled from the daily changes.
"""
from __future__ import annotations

from alembic import op

from lib.warehouse import coverage_rollup
from lib.warehouse import schema as s

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    s.rollup_village_cov_month.create(conn, checkfirst=True)
    for index in s.rollup_village_cov.indexes:
        index.create(conn, checkfirst=True)
    # the data version does not move: the monthly sums are the daily ones, regrouped
    coverage_rollup.rebuild_months(conn)
