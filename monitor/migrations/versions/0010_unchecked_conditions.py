"""Timed checks set aside after failing again and again: the DSL sees which lessons could not be checked.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "unchecked_conditions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("meeting_uuid", sa.String, nullable=False),
        sa.Column("meeting_id", sa.String, nullable=True),
        sa.Column("topic", sa.String, nullable=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("subject_key", sa.String, nullable=False),
        sa.Column("began_at", UTC_TIME, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.String(64), nullable=False),
        sa.Column("set_aside_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("meeting_uuid", "rule", "subject_key", "began_at",
                            name="uq_unchecked_conditions_condition"),
    )
    op.create_index("ix_unchecked_conditions_set_aside_at", "unchecked_conditions", ["set_aside_at"])


def downgrade() -> None:
    op.drop_index("ix_unchecked_conditions_set_aside_at", table_name="unchecked_conditions")
    op.drop_table("unchecked_conditions")
