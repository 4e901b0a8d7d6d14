"""What the alert store hands back: frozen records with real datetimes (aware, UTC). The API makes JSON of them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AlertIncident:
    """An incident as alerting needs it: what an alert says of it, and what decides whether one is sent."""

    id: int
    rule: str
    severity: str
    meeting_uuid: str
    meeting_id: str | None
    topic: str | None
    host_email: str | None
    status: str
    """new, acknowledged or closed: follow-ups stop once it is no longer new."""
    alert_state: str
    """pending (waiting for its group), alerted, or why it was held back (see stages.py), or unrouted."""
    began_at: datetime
    opened_at: datetime
    cleared_at: datetime | None


@dataclass(frozen=True)
class AlertRecord:
    """One alert: the incidents it carries (of one lesson, or of one rule in several lessons), the channels it goes
    to."""

    id: int
    key: str
    kind: str
    """first, repeat (still unacknowledged) or escalation."""
    follows: int | None
    """A repeat's or escalation's first alert."""
    round: int
    """A repeat's number: 1 for the first reminder."""
    incident_ids: tuple[int, ...]
    channels: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class DeliveryAttempt:
    """One attempt to deliver an alert over a channel. ``ok`` is None (outcome "unknown") while it is under way, and
    for good when its worker was killed mid-send."""

    alert_id: int
    kind: str
    channel: str
    attempt: int
    at: datetime
    ok: bool | None
    detail: str | None

    @property
    def outcome(self) -> str:
        return {True: "delivered", False: "failed", None: "unknown"}[self.ok]


@dataclass(frozen=True)
class SilenceRecord:
    """No alerts, from starts_at until ends_at, for the incidents that match every field given."""

    id: int
    rule: str | None
    meeting_id: str | None
    host_email: str | None
    starts_at: datetime
    ends_at: datetime
    author: str
    reason: str
    created_at: datetime

    def matches(self, incident: AlertIncident) -> bool:
        given = ((self.rule, incident.rule), (self.meeting_id, incident.meeting_id),
                 (self.host_email, incident.host_email))
        return all(mine is None or mine == theirs for mine, theirs in given)
