"""Findings: where a lesson's Zoom settings, or a teacher's own, differ from the protocol's appendix (one open
finding per setting, by a partial unique index), and the notices a teacher was sent about their lesson's findings
(one per set of findings).

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
OPEN = sa.text("resolved_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("setting", sa.String(128), nullable=False),
        sa.Column("expected", sa.String, nullable=False),
        sa.Column("actual", sa.String, nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        sa.Column("fix", sa.Text, nullable=False),
        sa.Column("topic", sa.String, nullable=True),
        sa.Column("host_email", sa.String, nullable=True),
        sa.Column("start_time", UTC_TIME, nullable=True),
        sa.Column("series", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("first_seen", UTC_TIME, nullable=False),
        sa.Column("last_seen", UTC_TIME, nullable=False),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
        sa.CheckConstraint("kind IN ('meeting', 'user')", name="ck_findings_kind"),
    )
    op.create_index("uq_findings_open_setting", "findings", ["kind", "subject", "setting"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_findings_first_seen", "findings", ["first_seen"])
    op.create_table(
        "finding_notices",
        sa.Column("subject", sa.String, primary_key=True),
        sa.Column("findings_key", sa.String(64), primary_key=True),
        sa.Column("claimed_at", UTC_TIME, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("finding_notices")
    op.drop_index("ix_findings_first_seen", table_name="findings")
    op.drop_index("uq_findings_open_setting", table_name="findings")
    op.drop_table("findings")
