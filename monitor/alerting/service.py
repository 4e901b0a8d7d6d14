"""The alerting of one service: what the alert jobs call, and what they work with."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis

from ..clock import Clock, utc_now
from ..config import SchoolConfig
from . import dispatch, notify
from .store import AlertStore


@dataclass
class Alerting:
    config: SchoolConfig
    store: AlertStore
    redis: Redis
    """The alert queue, and the lease that lets one worker at a time send an alert over a channel."""
    clock: Clock

    def now(self) -> datetime:
        return utc_now(self.clock)

    def alert_incident(self, incident_id: int) -> None:
        """An opened incident joins its meeting's group, sent after the group wait."""
        dispatch.alert_incident(self, incident_id)

    def send_group(self, meeting_uuid: str) -> None:
        dispatch.send_group(self, meeting_uuid)

    def follow_up(self, alert_id: int) -> None:
        dispatch.follow_up_alert(self, alert_id)

    def deliver(self, alert_id: int, channel: str) -> None:
        notify.deliver_alert(self, alert_id, channel)
