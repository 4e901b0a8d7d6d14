"""Alert jobs: an opened incident waits for its meeting's group; the group becomes one alert; each channel gets one
delivery job, retried with backoff, every attempt recorded on the alert."""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from monitor import keys
from monitor.alerting.channels import DeliveryError, make_channel
from monitor.alerting.content import alert_message
from monitor.alerting.routing import channels_for, escalation_channels
from monitor.clock import utc_now
from monitor.rules import EXTERNAL_PARTICIPANT, NON_TEACHER_HOST
from monitor.services import Services

from monitor.background import ALERTS, RETRIES, callback, enqueue_unique

log = logging.getLogger(__name__)
DELIVERY_TIMEOUT = 30
"""Seconds a delivery job may run before RQ stops it (the channels' own timeouts are 10 s an exchange)."""
INHIBITING = frozenset({NON_TEACHER_HOST})
"""Meeting-level breaches: while one is alerted and uncleared, per-participant ones of the meeting are held back."""
INHIBITED = frozenset({EXTERNAL_PARTICIPANT})


def _now(svc: Services) -> datetime:
    return utc_now(svc.clock)


def _next_whole_second(moment: datetime) -> datetime:
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def _job_id(*parts: object) -> str:
    """RQ job ids take letters, digits, - and _ only; meeting uuids and channel names may hold others."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def schedule_group(svc: Services, meeting_uuid: str) -> None:
    """One pending group per meeting: incidents that open during its wait join it. Without a wait, this job (the
    incident's own) sends the alert itself."""
    from . import jobs

    wait = svc.config.alerts.group_wait_seconds
    if not wait:
        jobs.send_meeting_alerts(meeting_uuid)
        return
    # a group for this meeting already waiting, or running, looks again before it ends
    enqueue_unique(svc.redis, ALERTS, "send_meeting_alerts", f"alert-group-{_job_id(meeting_uuid)}", meeting_uuid,
                   at=_now(svc) + timedelta(seconds=wait), result_ttl=0, failure_ttl=7 * 86400, retry=RETRIES)


def send_meeting_alerts(svc: Services, meeting_uuid: str) -> int | None:
    """Turns the meeting's waiting incidents into one alert; returns its id (None when nothing is to be sent)."""
    store, now = svc.alerts, _now(svc)
    wait = timedelta(seconds=svc.config.alerts.group_wait_seconds)
    due = store.pending(meeting_uuid)
    for state, held in (
        ("cleared", [i for i in due if i.cleared_at and i.cleared_at <= i.opened_at + wait]),
        ("silenced", [i for i in due if any(s.matches(i) for s in store.silences(active_at=now))]),
        ("inhibited", _inhibited(svc, meeting_uuid, due)),
    ):
        if held:
            store.settle([i.id for i in held], state)
            log.info("incidents %s %s: no alert", [i.id for i in held], state)
            due = [i for i in due if i not in held]
    if not due:
        return None
    ids = [i.id for i in due]
    channels = _channels(svc, due, now)
    if not channels:
        store.settle(ids, "unrouted")
        log.warning("incidents %s match no alert route: nobody is told (see [alerts.routes])", ids)
        return None
    key = hashlib.sha256(f"{meeting_uuid}:{ids}".encode()).hexdigest()[:32]
    alert_id = store.create(key, meeting_uuid, ids, channels, now)
    _deliver(svc, alert_id, channels)
    _schedule_follow_up(svc, alert_id, now, 0)
    log.info("alert %s for incidents %s to %s", alert_id, ids, ", ".join(channels))
    return alert_id


def _inhibited(svc: Services, meeting_uuid: str, due: list[dict]) -> list[dict]:
    """Per-participant incidents held back while a meeting-level one of the same meeting is alerted and uncleared:
    that alert already sends the DSL to the meeting."""
    return [i for i in due if i.rule in INHIBITED] if svc.alerts.alert_stands(meeting_uuid, INHIBITING) else []


def _channels(svc: Services, incidents: list[dict], now: datetime, *, escalation: bool = False) -> list[str]:
    chosen: list[str] = []
    for incident in incidents:
        names = escalation_channels(svc.config, incident.rule, incident.severity) if escalation else \
            channels_for(svc.config, incident.rule, incident.severity, now)
        chosen += [name for name in names if name not in chosen]
    return chosen


def _deliver(svc: Services, alert_id: int, channels: list[str]) -> None:
    for name in channels:
        enqueue_unique(svc.redis, ALERTS, "deliver_alert", f"deliver-{_job_id(alert_id, name)}", alert_id, name,
                       job_timeout=DELIVERY_TIMEOUT, retry=RETRIES, failure_ttl=7 * 86400,
                       on_failure=callback("delivery_failed"))


def _schedule_follow_up(svc: Services, alert_id: int, created_at: datetime, minutes_since: float) -> None:
    """While unacknowledged, an alert is repeated every repeat_minutes and escalated after escalate_after_minutes:
    the next look is at the next of those moments."""
    steps = [m for m in (svc.config.alerts.repeat_minutes, svc.config.alerts.escalate_after_minutes) if m]
    upcoming = [m * (int(minutes_since // m) + 1) for m in steps]
    if not upcoming:
        return
    # RQ keeps due times in whole seconds, cut down: on the next whole second, the job never runs before its step.
    when = _next_whole_second(created_at + timedelta(minutes=min(upcoming)))
    enqueue_unique(svc.redis, ALERTS, "follow_up_alert", f"follow-up-{_job_id(alert_id, when.isoformat())}",
                   alert_id, at=when, failure_ttl=7 * 86400)


def follow_up_alert(svc: Services, alert_id: int) -> None:
    """Repeats or escalates an alert whose incidents are still unacknowledged; schedules the next look."""
    store, now, settings = svc.alerts, _now(svc), svc.config.alerts
    alert = store.get(alert_id)
    open_ = [i for i in store.incidents(alert.incident_ids) if i.status == "new"]
    if not open_:
        return
    minutes = (now - alert.created_at).total_seconds() / 60
    ids = [i.id for i in open_]
    if settings.escalate_after_minutes and minutes >= settings.escalate_after_minutes:
        channels = _channels(svc, open_, now, escalation=True)
        if channels:
            escalation = store.create(f"{alert.key[:20]}:escalation", alert.meeting_uuid, ids, channels, now,
                                      kind="escalation")
            _deliver(svc, escalation, channels)
    if settings.repeat_minutes and minutes >= settings.repeat_minutes:
        round_ = int(minutes // settings.repeat_minutes)
        repeat = store.create(f"{alert.key[:20]}:repeat-{round_}", alert.meeting_uuid, ids, alert.channels,
                              now, kind="repeat")
        _deliver(svc, repeat, alert.channels)
    _schedule_follow_up(svc, alert_id, alert.created_at, minutes)


class DeliveryInProgress(Exception):
    """Another worker is sending this alert over this channel right now; RQ retries this job later."""


def deliver_alert(svc: Services, alert_id: int, name: str) -> None:
    """Sends the alert over one channel. An attempt that got through is not repeated; while one worker sends, no
    other starts. The attempt is written before it is sent: if its worker is killed mid-send, it stays on the
    incident as "outcome unknown", and the retry sends it again with the same key (Message-ID, Idempotency-Key)."""
    store = svc.alerts
    if store.delivered(alert_id, name):
        return
    lease = keys.alert_sending(alert_id, name)
    if not svc.redis.set(lease, "1", nx=True, ex=keys.ALERT_SENDING_SECONDS):
        raise DeliveryInProgress(f"alert {alert_id} is being sent via {name} by another worker")
    try:
        if store.delivered(alert_id, name):
            return
        alert = store.get(alert_id)
        message = alert_message(svc.config, store.incidents(alert.incident_ids), alert.key)
        channel = make_channel(svc.config, name, clock=svc.clock)
        if store.cut_off(alert_id, name):
            log.warning("alert %s via %s: an earlier attempt was cut off mid-send; sending again with the same key",
                        alert_id, name)
        attempt_id, attempt = store.begin(alert_id, name, _now(svc))
        try:
            channel.send(message)
        except DeliveryError as exc:
            store.finish(attempt_id, False, str(exc))
            log.warning("alert %s via %s failed (attempt %s): %s", alert_id, name, attempt, exc)
            raise
        store.finish(attempt_id, True, None)
    finally:
        svc.redis.delete(lease)
