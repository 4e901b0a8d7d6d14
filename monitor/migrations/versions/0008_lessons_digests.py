"""The lessons seen (for the weekly digest's counts, long after the live rosters expired) and the weekly digests.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lessons",
        sa.Column("meeting_uuid", sa.String, primary_key=True),
        sa.Column("meeting_id", sa.String, nullable=True),
        sa.Column("topic", sa.String, nullable=True),
        sa.Column("host_email", sa.String, nullable=True),
        sa.Column("host_class", sa.String, nullable=True),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("ended_at", UTC_TIME, nullable=False),
        sa.Column("end_seen", sa.Boolean, nullable=False),
        sa.Column("pupils", sa.Integer, nullable=False),
    )
    op.create_index("ix_lessons_started_at", "lessons", ["started_at"])
    op.create_table(
        "digests",
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("made_at", UTC_TIME, nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("sending_since", UTC_TIME, nullable=True),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("sent_to", sa.JSON, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("digests")
    op.drop_index("ix_lessons_started_at", table_name="lessons")
    op.drop_table("lessons")
