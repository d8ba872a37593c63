"""The first corpus schema: reports, cells, findings, reviews, failures.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("parser_version", sa.String(16), nullable=False),
        sa.Column("source_path", sa.Text),
        sa.Column("source_name", sa.Text),
        sa.Column("format", sa.String(16)),
        sa.Column("encoding", sa.String(32)),
        sa.Column("layout", sa.String(32)),
        sa.Column("size", sa.BigInteger),
        sa.Column("pages", sa.Integer),
        sa.Column("template", sa.String(8), nullable=False),
        sa.Column("template_detected", sa.Boolean, nullable=False),
        sa.Column("is_report", sa.Boolean, nullable=False),
        sa.Column("found_tables", sa.String(64), nullable=False),
        sa.Column("agency", sa.Text),
        sa.Column("agency_key", sa.Text),
        sa.Column("agency_base", sa.Text),
        sa.Column("level", sa.String(16)),
        sa.Column("kind", sa.String(8)),
        sa.Column("region", sa.Text),
        sa.Column("province", sa.Text),
        sa.Column("prefecture", sa.Text),
        sa.Column("county", sa.Text),
        sa.Column("township", sa.Text),
        sa.Column("year", sa.Integer),
        sa.Column("title", sa.Text),
        sa.Column("title_year", sa.Integer),
        sa.Column("period_year", sa.Integer),
        sa.Column("body_year", sa.Integer),
        sa.Column("has_errors", sa.Boolean, nullable=False),
        sa.Column("n_errors", sa.Integer, nullable=False),
        sa.Column("n_warnings", sa.Integer, nullable=False),
        sa.Column("n_infos", sa.Integer, nullable=False),
        sa.Column("sections", sa.Text),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cross_pending", sa.Boolean, nullable=False),
        sa.UniqueConstraint("sha256", name="uq_reports_sha256"),
    )
    op.create_index("ix_reports_agency_key", "reports", ["agency_key"])
    op.create_index("ix_reports_agency_base", "reports", ["agency_base"])
    op.create_index("ix_reports_year", "reports", ["year"])
    op.create_table(
        "cells",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("table_key", sa.String(16), nullable=False),
        sa.Column("row_id", sa.String(40), nullable=False),
        sa.Column("col_id", sa.String(24), nullable=False),
        sa.Column("value", sa.Numeric(20, 4)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("raw", sa.Text),
        sa.Column("line", sa.Integer),
        sa.Column("page", sa.Integer),
        sa.Column("doc_table", sa.Integer),
        sa.Column("doc_row", sa.Integer),
        sa.Column("doc_cell", sa.Integer),
        sa.Column("confidence", sa.Float),
        sa.PrimaryKeyConstraint("report_id", "table_key", "row_id", "col_id", name="pk_cells"),
        sqlite_with_rowid=False,  # clustered on the key: a report's cells are one range
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("where_json", sa.Text, nullable=False),
        sa.Column("scope", sa.String(8), nullable=False),
    )
    op.create_index("ix_findings_report_id", "findings", ["report_id"])
    op.create_index("ix_findings_key", "findings", ["key"])
    op.create_index("ix_findings_code", "findings", ["code"])
    op.create_table(
        "reviews",
        sa.Column("finding_key", sa.String(40), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("reviewer", sa.Text),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("code", sa.String(40)),
    )
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("parser_version", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("path", "sha256", name="uq_failures_path_sha256"),
    )
    op.create_index("ix_failures_sha256", "failures", ["sha256"])


def downgrade() -> None:
    for name in ("failures", "reviews", "findings", "cells", "reports"):
        op.drop_table(name)
