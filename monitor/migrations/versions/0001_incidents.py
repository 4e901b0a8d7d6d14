"""Incidents, one per (meeting, rule, subject), and each occurrence of their condition.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("meeting_uuid", sa.String, nullable=False),
        sa.Column("meeting_id", sa.String, nullable=True),
        sa.Column("topic", sa.String, nullable=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("subject", sa.String, nullable=True),
        sa.Column("subject_key", sa.String, nullable=False),  # subject or "": NULLs never collide in a UNIQUE index
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("host_email", sa.String, nullable=True),
        sa.Column("host_class", sa.String, nullable=True),
        sa.Column("began_at", UTC_TIME, nullable=False),
        sa.Column("opened_at", UTC_TIME, nullable=False),
        sa.Column("cleared_at", UTC_TIME, nullable=True),
        sa.Column("occurrences", sa.Integer, nullable=False, server_default="0"),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("alert_enqueued_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.UniqueConstraint("meeting_uuid", "rule", "subject_key", name="uq_incidents_meeting_rule_subject"),
        sa.CheckConstraint("severity IN ('high', 'medium', 'low')", name="ck_incidents_severity"),
    )
    op.create_index("ix_incidents_opened_at", "incidents", ["opened_at"])
    op.create_table(
        "incident_occurrences",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("incident_id", sa.Integer,
                  sa.ForeignKey("incidents.id", ondelete="CASCADE", name="fk_incident_occurrences_incident"),
                  nullable=False),
        sa.Column("began_at", UTC_TIME, nullable=False),
        sa.Column("opened_at", UTC_TIME, nullable=False),
        sa.Column("cleared_at", UTC_TIME, nullable=True),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.UniqueConstraint("incident_id", "began_at", name="uq_incident_occurrences_incident_began"),
    )


def downgrade() -> None:
    op.drop_table("incident_occurrences")
    op.drop_index("ix_incidents_opened_at", table_name="incidents")
    op.drop_table("incidents")
