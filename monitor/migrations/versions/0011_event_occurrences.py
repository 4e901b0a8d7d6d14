"""Version 2's rules: an event rule records each matching event on its incident once (the delivery it came from is
the occurrence's event_key; '' for a condition's occurrence), and an incident keeps its subject's class (the member of
staff in a private chat is a matter of conduct; the pupil's other end is not).

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident_occurrences") as batch:
        batch.add_column(sa.Column("event_key", sa.String, nullable=False, server_default=""))
        batch.drop_constraint("uq_incident_occurrences_incident_began", type_="unique")
        batch.create_unique_constraint("uq_incident_occurrences_incident_began_event",
                                       ["incident_id", "began_at", "event_key"])
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("subject_class", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("subject_class")
    with op.batch_alter_table("incident_occurrences") as batch:
        batch.drop_constraint("uq_incident_occurrences_incident_began_event", type_="unique")
        batch.create_unique_constraint("uq_incident_occurrences_incident_began", ["incident_id", "began_at"])
        batch.drop_column("event_key")
