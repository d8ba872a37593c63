"""Join the two revisions that both follow 0003: 0007 (per-report totals) and 0008 (where the
agency and the year came from).  Nothing to change: each stands alone.

Revision ID: 0708
Revises: 0007, 0008
Create Date: 2026-12-05
"""

revision = "0708"
down_revision = ("0007", "0008")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
