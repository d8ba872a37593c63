"""Per-report totals kept at ingest (xxgk.store.totals): the statistics, the desk's home page and
/corpus read them instead of summing the cells.  Filled here for the reports already stored.

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None

# the sixteen totals as of this revision (xxgk.store.totals.TOTALS)
TOTALS = (
    "new_received", "carried_over", "processed", "granted", "partially_granted", "withheld", "unavailable",
    "rejected", "other", "carried_forward",
    "reconsideration", "reconsideration_concluded", "reconsideration_corrected",
    "litigation", "litigation_concluded", "litigation_corrected",
)


def upgrade() -> None:
    op.create_table(
        "report_totals",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("is_report", sa.Boolean, nullable=False),
        sa.Column("has_errors", sa.Boolean, nullable=False),
        sa.Column("counted", sa.Boolean, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("level", sa.String(16)),
        sa.Column("kind", sa.String(8)),
        sa.Column("region", sa.Text),
        sa.Column("province", sa.Text),
        sa.Column("prefecture", sa.Text),
        sa.Column("county", sa.Text),
        sa.Column("agency_key", sa.Text),
        sa.Column("template", sa.String(8), nullable=False),
        *[sa.Column(t, sa.Numeric(20, 4)) for t in TOTALS],
    )
    # which file counts, chosen per agency key and year; the counts of not-reports and of further
    # versions (the home page, stats) by an index
    op.create_index("ix_report_totals_agency_year", "report_totals", ["agency_key", "year"])
    op.create_index("ix_report_totals_is_report_counted", "report_totals", ["is_report", "counted"])
    from xxgk.store import totals

    totals.backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_report_totals_is_report_counted", "report_totals")
    op.drop_index("ix_report_totals_agency_year", "report_totals")
    op.drop_table("report_totals")
