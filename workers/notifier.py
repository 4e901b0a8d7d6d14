"""Hands the checks' follow-ups to RQ: an alert job per opened incident, a scheduled job per check deadline."""
from __future__ import annotations

from datetime import datetime, timezone

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

from monitor.clock import Clock, utc_now
from monitor.incidents.store import IncidentStore

from . import jobs
from .queues import ALERTS, CHECKS


class RQNotifier:
    def __init__(self, redis: Redis, incidents: IncidentStore, clock: Clock):
        self.alerts = Queue(ALERTS, connection=redis)
        self.checks = Queue(CHECKS, connection=redis)
        self.incidents = incidents
        self.clock = clock

    def incident_opened(self, incident_id: int) -> None:
        """Called after the incident is committed; the job id makes a second call a no-op."""
        try:
            self.alerts.enqueue(jobs.alert_incident, incident_id, job_id=f"incident-{incident_id}-opened",
                                unique=True, retry=Retry(max=3, interval=[10, 60, 300]), failure_ttl=7 * 86400)
        except DuplicateJobError:
            pass
        self.incidents.mark_alert_enqueued(incident_id, utc_now(self.clock))

    def check_due_at(self, deadline_ms: int) -> None:
        """Schedules a sweep just after the deadline (RQ's scheduler works in whole seconds); one job a second."""
        second = deadline_ms // 1000 + 1
        job = self.checks.create_job(jobs.fire_due_checks, job_id=f"checks-due-{second}", result_ttl=600)
        try:
            self.checks.schedule_job(job, datetime.fromtimestamp(second, timezone.utc), unique=True)
        except DuplicateJobError:
            pass
