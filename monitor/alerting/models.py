"""The alert tables: each alert, each attempt to deliver it, the silences. They are on the incidents' Base, so one
metadata and one migration history (monitor/migrations) hold every table: change both together."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..incidents.models import Base


class Alert(Base):
    """One message about some incidents (of one lesson, or of one rule in several lessons), sent to each of its
    channels."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="first", server_default="first")
    """first, repeat (still unacknowledged) or escalation."""
    follows: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE", name="fk_alerts_follows"))
    """A repeat's or escalation's first alert."""
    round: Mapped[int] = mapped_column(default=0, server_default="0")
    """A repeat's number: 1 for the first reminder."""
    channels: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime]


class AlertIncidentLink(Base):
    """The incidents an alert carries, in the order it tells them."""

    __tablename__ = "alert_incidents"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE", name="fk_alert_incidents_alert"),
                                          primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE", name="fk_alert_incidents_incident"), primary_key=True,
        index=True)
    position: Mapped[int]


class AlertDelivery(Base):
    """Every attempt to deliver an alert over a channel, and what came of it."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE", name="fk_alert_deliveries_alert"),
                                          index=True)
    channel: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int]
    at: Mapped[datetime]
    """When the attempt began."""
    ok: Mapped[bool | None]
    """None while it is under way, and for good when its worker was killed mid-send: the outcome is unknown."""
    detail: Mapped[str | None]


class Silence(Base):
    """No alerts, for a while, for incidents that match every field given (rule, meeting id, host)."""

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str | None] = mapped_column(String(64))
    meeting_id: Mapped[str | None]
    host_email: Mapped[str | None]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    author: Mapped[str]
    reason: Mapped[str]
    created_at: Mapped[datetime]
