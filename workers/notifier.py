"""Hands the checks' follow-ups to RQ: an alert job per opened incident, a scheduled job per check deadline."""
from __future__ import annotations

from datetime import datetime, timezone

from redis import Redis

from monitor.clock import Clock, utc_now
from monitor.incidents.store import IncidentStore

from . import jobs
from .queues import ALERTS, CHECKS, RETRIES, enqueue_unique


class RQNotifier:
    def __init__(self, redis: Redis, incidents: IncidentStore, clock: Clock):
        self.redis = redis
        self.incidents = incidents
        self.clock = clock

    def incident_opened(self, incident_id: int) -> None:
        """Called after the incident is committed; the job id makes a second call a no-op."""
        enqueue_unique(self.redis, ALERTS, jobs.alert_incident, f"incident-{incident_id}-opened", incident_id,
                       retry=RETRIES, failure_ttl=7 * 86400)
        self.incidents.mark_alert_enqueued(incident_id, utc_now(self.clock))

    def check_due_at(self, deadline_ms: int) -> None:
        """Schedules a sweep just after the deadline (RQ's scheduler works in whole seconds); one job a second."""
        second = deadline_ms // 1000 + 1
        enqueue_unique(self.redis, CHECKS, jobs.fire_due_checks, f"checks-due-{second}",
                       at=datetime.fromtimestamp(second, timezone.utc), result_ttl=600)
