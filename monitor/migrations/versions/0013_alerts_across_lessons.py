"""Alerts across lessons: an alert may carry the incidents of several meetings (one rule breaking in many lessons at
once), so which incidents it carries moves from a JSON list beside one meeting's uuid to a table of its own; a
follow-up (reminder, escalation) knows the alert it follows and its round.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_incidents",
        sa.Column("alert_id", sa.Integer,
                  sa.ForeignKey("alerts.id", ondelete="CASCADE", name="fk_alert_incidents_alert"), primary_key=True),
        sa.Column("incident_id", sa.Integer,
                  sa.ForeignKey("incidents.id", ondelete="CASCADE", name="fk_alert_incidents_incident"),
                  primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_alert_incidents_incident_id", "alert_incidents", ["incident_id"])
    alerts = sa.table("alerts", sa.column("id", sa.Integer), sa.column("incident_ids", sa.JSON))
    links = sa.table("alert_incidents", sa.column("alert_id", sa.Integer), sa.column("incident_id", sa.Integer),
                     sa.column("position", sa.Integer))
    incidents = sa.table("incidents", sa.column("id", sa.Integer))
    conn = op.get_bind()
    known = {row.id for row in conn.execute(sa.select(incidents.c.id))}
    rows = [{"alert_id": alert.id, "incident_id": incident_id, "position": position}
            for alert in conn.execute(sa.select(alerts.c.id, alerts.c.incident_ids))
            for position, incident_id in enumerate(alert.incident_ids) if incident_id in known]
    if rows:
        conn.execute(links.insert(), rows)
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("follows", sa.Integer,
                                   sa.ForeignKey("alerts.id", ondelete="CASCADE", name="fk_alerts_follows"),
                                   nullable=True))
        batch.add_column(sa.Column("round", sa.Integer, nullable=False, server_default="0"))
        batch.drop_column("incident_ids")
        batch.drop_column("meeting_uuid")


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("meeting_uuid", sa.String, nullable=False, server_default=""))
        batch.add_column(sa.Column("incident_ids", sa.JSON, nullable=False, server_default="[]"))
        batch.drop_column("round")
        batch.drop_column("follows")
    # an alert across lessons goes back as its first lesson's
    conn = op.get_bind()
    carried: dict[int, list] = {}
    for row in conn.execute(sa.text("SELECT l.alert_id, l.incident_id, i.meeting_uuid FROM alert_incidents l "
                                    "JOIN incidents i ON i.id = l.incident_id ORDER BY l.alert_id, l.position")):
        carried.setdefault(row.alert_id, []).append((row.incident_id, row.meeting_uuid))
    alerts = sa.table("alerts", sa.column("id", sa.Integer), sa.column("incident_ids", sa.JSON),
                      sa.column("meeting_uuid", sa.String))
    for alert_id, pairs in carried.items():
        conn.execute(alerts.update().where(alerts.c.id == alert_id).values(
            incident_ids=[incident_id for incident_id, _ in pairs], meeting_uuid=pairs[0][1]))
    op.drop_index("ix_alert_incidents_incident_id", table_name="alert_incidents")
    op.drop_table("alert_incidents")
