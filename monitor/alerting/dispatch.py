"""Dispatch: an opened incident joins its meeting's group; after the group wait, what the stages do not hold back
becomes one alert to the routed channels, except that a rule broken in other lessons too (waiting for their own
groups) makes one alert listing them all (a storm); while unacknowledged, follow-ups repeat and escalate it."""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..background import ALERTS, KEEP_FAILED_SECONDS, RETRIES, enqueue_unique
from .notify import job_id, notify
from .records import AlertIncident
from .routing import channels_for, escalation_channels
from .stages import hold_back

if TYPE_CHECKING:
    from .service import Alerting

log = logging.getLogger(__name__)


def alert_incident(alerting: Alerting, incident_id: int) -> None:
    for incident in alerting.store.incidents([incident_id]):
        schedule_group(alerting, incident.meeting_uuid)


def schedule_group(alerting: Alerting, meeting_uuid: str) -> None:
    """One pending group per meeting: incidents that open during its wait join it. Without a wait, the incident's
    own job sends the alert itself."""
    wait = alerting.config.alerts.group_wait_seconds
    if not wait:
        send_group(alerting, meeting_uuid)
        return
    # a group for this meeting already waiting, or running, looks again before it ends
    enqueue_unique(alerting.redis, ALERTS, "send_meeting_alerts", f"alert-group-{job_id(meeting_uuid)}", meeting_uuid,
                   at=alerting.now() + timedelta(seconds=wait), result_ttl=0, failure_ttl=KEEP_FAILED_SECONDS,
                   retry=RETRIES)


def send_group(alerting: Alerting, meeting_uuid: str) -> None:
    """The group's alert; then a group of its own for the incidents that opened while it was being sent."""
    send_meeting_alerts(alerting, meeting_uuid)
    if alerting.store.pending(meeting_uuid):
        schedule_group(alerting, meeting_uuid)


def send_meeting_alerts(alerting: Alerting, meeting_uuid: str) -> list[int]:
    """Turns the meeting's waiting incidents into alerts: one for each of its rules that other lessons broke too and
    wait to be told (with theirs), one for the rest; returns the alerts' ids."""
    store, now = alerting.store, alerting.now()
    due = hold_back(alerting, store.pending(meeting_uuid), now)
    batches = []
    for rule in dict.fromkeys(i.rule for i in due):
        elsewhere = hold_back(alerting, store.pending_elsewhere(rule, meeting_uuid), now)
        if elsewhere:
            batches.append([i for i in due if i.rule == rule] + elsewhere)
            due = [i for i in due if i.rule != rule]
    return [alert_id for batch in [due, *batches] if batch and (alert_id := _send(alerting, batch, now))]


def _send(alerting: Alerting, incidents: list[AlertIncident], now: datetime) -> int | None:
    ids = [i.id for i in incidents]
    channels = _channels(alerting, incidents, now)
    if not channels:
        alerting.store.settle(ids, "unrouted")
        log.warning("incidents %s match no alert route: nobody is told (see [alerts.routes])", ids)
        return None
    alert_id = notify(alerting, hashlib.sha256(f"alert:{ids}".encode()).hexdigest()[:32], ids, channels, now)
    _schedule_follow_up(alerting, alert_id, now, 0)
    log.info("alert %s for incidents %s to %s", alert_id, ids, ", ".join(channels))
    return alert_id


def follow_up_alert(alerting: Alerting, alert_id: int) -> None:
    """Repeats or escalates an alert whose incidents are still unacknowledged; schedules the next look."""
    store, now, settings = alerting.store, alerting.now(), alerting.config.alerts
    alert = store.get(alert_id)
    open_ = [i for i in store.incidents(alert.incident_ids) if i.status == "new"]
    if not open_:
        return
    minutes = (now - alert.created_at).total_seconds() / 60
    ids = [i.id for i in open_]
    if settings.escalate_after_minutes and minutes >= settings.escalate_after_minutes:
        channels = _channels(alerting, open_, now, escalation=True)
        if channels:
            notify(alerting, f"{alert.key[:20]}:escalation", ids, channels, now, kind="escalation", follows=alert.id)
    if settings.repeat_minutes and minutes >= settings.repeat_minutes:
        round_ = int(minutes // settings.repeat_minutes)
        notify(alerting, f"{alert.key[:20]}:repeat-{round_}", ids, alert.channels, now, kind="repeat",
               follows=alert.id, round_=round_)
    _schedule_follow_up(alerting, alert_id, alert.created_at, minutes)


def _channels(alerting: Alerting, incidents: list[AlertIncident], now: datetime, *,
              escalation: bool = False) -> list[str]:
    chosen: list[str] = []
    for incident in incidents:
        names = escalation_channels(alerting.config, incident.rule, incident.severity) if escalation else \
            channels_for(alerting.config, incident.rule, incident.severity, now)
        chosen += [name for name in names if name not in chosen]
    return chosen


def _schedule_follow_up(alerting: Alerting, alert_id: int, created_at: datetime, minutes_since: float) -> None:
    """While unacknowledged, an alert is repeated every repeat_minutes and escalated after escalate_after_minutes:
    the next look is at the next of those moments."""
    settings = alerting.config.alerts
    steps = [m for m in (settings.repeat_minutes, settings.escalate_after_minutes) if m]
    upcoming = [m * (int(minutes_since // m) + 1) for m in steps]
    if not upcoming:
        return
    # RQ keeps due times in whole seconds, cut down: on the next whole second, the job never runs before its step.
    when = _next_whole_second(created_at + timedelta(minutes=min(upcoming)))
    enqueue_unique(alerting.redis, ALERTS, "follow_up_alert", f"follow-up-{job_id(alert_id, when.isoformat())}",
                   alert_id, at=when, failure_ttl=KEEP_FAILED_SECONDS)


def _next_whole_second(moment: datetime) -> datetime:
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)
