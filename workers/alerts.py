"""Alert jobs: an opened incident waits for its meeting's group; the group becomes one alert; each channel gets one
delivery job, retried with backoff, every attempt recorded on the alert."""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta, timezone

from rq import Callback, Queue, Retry
from rq.exceptions import DuplicateJobError

from monitor.alerts.channels import DeliveryError
from monitor.alerts.content import alert_message
from monitor.alerts.delivery import channel as make_channel
from monitor.alerts.routing import channels_for
from monitor.services import Services

from .queues import ALERTS

log = logging.getLogger(__name__)
RETRIES = Retry(max=3, interval=[10, 60, 300])


def _now(svc: Services) -> datetime:
    return datetime.fromtimestamp(svc.clock(), timezone.utc)


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _job_id(*parts: object) -> str:
    """RQ job ids take letters, digits, - and _ only; meeting uuids and channel names may hold others."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def schedule_group(svc: Services, meeting_uuid: str) -> None:
    """One pending group per meeting: incidents that open during its wait join it."""
    queue = Queue(ALERTS, connection=svc.redis)
    from . import jobs

    job = queue.create_job(jobs.send_meeting_alerts, args=(meeting_uuid,), job_id=f"alert-group-{_job_id(meeting_uuid)}",
                           result_ttl=0, failure_ttl=7 * 86400, retry=RETRIES)
    when = _now(svc) + timedelta(seconds=svc.config.alerts.group_wait_seconds)
    try:
        queue.schedule_job(job, when, unique=True)
    except DuplicateJobError:
        pass  # a group for this meeting is already waiting, or running: it looks again before it ends


def send_meeting_alerts(svc: Services, meeting_uuid: str) -> int | None:
    """Turns the meeting's waiting incidents into one alert; returns its id (None when nothing is to be sent)."""
    store, now = svc.alerts, _now(svc)
    wait = timedelta(seconds=svc.config.alerts.group_wait_seconds)
    pending = store.pending(meeting_uuid)
    cleared = [i["id"] for i in pending if i["cleared_at"] and _parse(i["cleared_at"]) <= _parse(i["opened_at"]) + wait]
    if cleared:
        store.settle(cleared, "cleared")
        log.info("incidents %s cleared within the group wait: no alert", cleared)
    due = [i for i in pending if i["id"] not in cleared]
    if not due:
        return None
    channels: list[str] = []
    for incident in due:
        channels += [c for c in channels_for(svc.config, incident["rule"], incident["severity"], now) if c not in channels]
    ids = [i["id"] for i in due]
    if not channels:
        store.settle(ids, "unrouted")
        log.warning("incidents %s match no alert route: nobody is told (see [alerts.routes])", ids)
        return None
    key = hashlib.sha256(f"{meeting_uuid}:{ids}".encode()).hexdigest()[:32]
    alert_id = store.create(key, meeting_uuid, ids, channels, now)
    queue = Queue(ALERTS, connection=svc.redis)
    from . import jobs

    for name in channels:
        try:
            queue.enqueue(jobs.deliver_alert, alert_id, name, job_id=f"deliver-{_job_id(alert_id, name)}", unique=True,
                          retry=RETRIES, failure_ttl=7 * 86400, on_failure=Callback(jobs.delivery_failed))
        except DuplicateJobError:
            pass
    log.info("alert %s for incidents %s to %s", alert_id, ids, ", ".join(channels))
    return alert_id


def deliver_alert(svc: Services, alert_id: int, name: str) -> None:
    """Sends the alert over one channel, once: an attempt that already got through is not repeated."""
    store = svc.alerts
    if store.delivered(alert_id, name):
        return
    alert = store.get(alert_id)
    incidents = [svc.incidents.get(i) for i in alert["incident_ids"]]
    message = alert_message(svc.config, [i for i in incidents if i], alert["key"])
    sender, recipients = make_channel(svc.config, name)
    try:
        sender.send(message, recipients)
    except DeliveryError as exc:
        attempt = store.record(alert_id, name, False, str(exc), _now(svc))
        log.warning("alert %s via %s failed (attempt %s): %s", alert_id, name, attempt, exc)
        raise
    store.record(alert_id, name, True, None, _now(svc))
