"""The store's write generation and the statistics cache: `xxgk stats`, the desk's home and
corpus pages compute their totals once per generation instead of on every request.

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "store_state",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(state, [{"key": "generation", "value": 0}])
    op.create_table(
        "stats_cache",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    # the desk lists and counts by these
    op.create_index("ix_reports_is_report_year", "reports", ["is_report", "year"])
    op.create_index("ix_findings_code_report", "findings", ["code", "report_id"])
    # the cross-year pass asks for the pending agency keys batch after batch: an index scan, not a
    # scan of every report each time
    op.create_index("ix_reports_cross_pending", "reports", ["cross_pending", "agency_base", "agency_key"])


def downgrade() -> None:
    op.drop_index("ix_reports_cross_pending", "reports")
    op.drop_index("ix_findings_code_report", "findings")
    op.drop_index("ix_reports_is_report_year", "reports")
    op.drop_table("stats_cache")
    op.drop_table("store_state")
