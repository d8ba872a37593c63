"""Where a report's agency and year came from (issue 11): the source that stated each, the text it
was taken from, its line and span in that line, and the other statements of the agency that lost.

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("agency_source", sa.String(16)),
    ("agency_raw", sa.Text),
    ("agency_line", sa.Integer),
    ("agency_start", sa.Integer),
    ("agency_end", sa.Integer),
    ("agency_beat", sa.Text),
    ("year_source", sa.String(16)),
    ("year_raw", sa.Text),
    ("year_line", sa.Integer),
    ("year_start", sa.Integer),
    ("year_end", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        for name, type_ in _COLUMNS:
            batch.add_column(sa.Column(name, type_))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
