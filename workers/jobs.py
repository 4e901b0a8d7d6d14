"""The jobs RQ runs. They reach the service's parts through ``current()``, bound once per worker process."""
from __future__ import annotations

import logging
from datetime import datetime

from rq.exceptions import AbandonedJobError

from monitor.clock import utc_now
from monitor.digest import tick
from monitor.privacy.retention import Retention, RetentionHeld
from monitor.services import Services
from monitor.zoom_reads.triggers import queue_staff_reads

log = logging.getLogger(__name__)
_services: Services | None = None


def bind(services: Services) -> None:
    global _services
    _services = services


def current() -> Services:
    if _services is None:  # a worker started as plain `rq worker`
        from monitor.settings import Settings
        from monitor.wiring import build_services

        bind(build_services(Settings()))
    return _services


def fire_due_checks() -> None:
    """Confirms the breach conditions whose grace period has run out (deadlines are kept in Redis)."""
    current().pipeline.fire_due_checks()


def sweep() -> None:
    """Every few seconds (workers/periodic.py): due checks, also those that failed before, and the alert outbox."""
    current().pipeline.sweep()


def alert_incident(incident_id: int) -> None:
    """Runs once an incident is committed: it joins its meeting's alert group, sent after the group wait."""
    current().alerting.alert_incident(incident_id)


def send_meeting_alerts(meeting_uuid: str) -> None:
    current().alerting.send_group(meeting_uuid)


def follow_up_alert(alert_id: int) -> None:
    current().alerting.follow_up(alert_id)


def deliver_alert(alert_id: int, channel: str) -> None:
    current().alerting.deliver(alert_id, channel)


def delivery_failed(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ calls this after every failed attempt, also for a job whose worker died (AbandonedJobError); after the last
    one the job stays in RQ's failed registry."""
    if exc_type is AbandonedJobError:
        log.warning("alert delivery %s was cut off: its worker stopped", job.id)
    if not job.retries_left:
        log.error("alert delivery %s gave up after its retries: %s", job.id, exc_value)


def _reader():
    reader = current().reader
    if reader is None:
        log.warning("a read of Zoom's API was queued, but [zoom_api] is not enabled: skipped")
    return reader


def zoom_read_meeting(meeting_id: str) -> None:
    """Reads a lesson's settings through Zoom's API and records what breaks the protocol."""
    if reader := _reader():
        reader.read_meeting(meeting_id)


def zoom_meeting_deleted(meeting_id: str) -> None:
    if reader := _reader():
        reader.meeting_deleted(meeting_id)


def zoom_read_user(user: str) -> None:
    """Reads a member of staff's own Zoom settings (``user``: e-mail or Zoom user id)."""
    if reader := _reader():
        reader.read_user(user)


def zoom_identify_host(uuid: str, zoom_user_id: str) -> None:
    if reader := _reader():
        reader.identify_host(uuid, zoom_user_id)


def zoom_read_staff(day: str) -> int:
    """The daily read of every member of staff's settings: one job each."""
    svc = current()
    return queue_staff_reads(svc.redis, list(svc.config.staff.by_email), day) if svc.reader else 0


def digest_tick(at: str) -> str | None:
    """The weekly digest's hourly tick; ``at`` is the tick's time, ISO-8601 (a late tick runs as of now)."""
    svc = current()
    return tick.run_tick(svc.pipeline, svc.digests, max(datetime.fromisoformat(at), utc_now(svc.clock)))


def retention(day: str) -> dict | None:
    """The daily retention run (README, Retention) of ``day``: what it deleted and reduced, as the audit log says."""
    svc = current()
    try:
        return Retention(svc.database, svc.config.retention).apply(utc_now(svc.clock)).audit_detail()
    except RetentionHeld as exc:
        log.warning("%s", exc)
        return None
