"""Notify: an alert is recorded, and each of its channels gets one delivery job, which sends it over that channel."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from .. import keys
from ..background import ALERTS, KEEP_FAILED_SECONDS, RETRIES, callback, enqueue_unique
from ..metrics.instruments import alert_delivery
from .channels import DeliveryError, make_channel
from .content import Telling, alert_message
from .records import AlertIncident, AlertRecord
from .store import AlertStore

if TYPE_CHECKING:
    from .service import Alerting

log = logging.getLogger(__name__)
DELIVERY_TIMEOUT = 30
"""Seconds a delivery job may run before RQ stops it (the channels' own timeouts are 10 s an exchange)."""


class DeliveryInProgress(Exception):
    """Another worker is sending this alert over this channel right now; RQ retries this job later."""


def job_id(*parts: object) -> str:
    """RQ job ids take letters, digits, - and _ only; meeting uuids and channel names may hold others."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def notify(alerting: Alerting, key: str, incident_ids: Sequence[int], channels: Sequence[str], at: datetime,
           kind: str = "first", follows: int | None = None, round_: int = 0) -> int:
    """Records the alert (once for its key) and queues one delivery job per channel; returns the alert's id."""
    alert_id = alerting.store.create(key, incident_ids, channels, at, kind, follows, round_)
    for name in channels:
        enqueue_unique(alerting.redis, ALERTS, "deliver_alert", f"deliver-{job_id(alert_id, name)}", alert_id, name,
                       job_timeout=DELIVERY_TIMEOUT, retry=RETRIES, failure_ttl=KEEP_FAILED_SECONDS,
                       on_failure=callback("delivery_failed"))
    return alert_id


def telling(store: AlertStore, alert: AlertRecord, incidents: Sequence[AlertIncident]) -> Telling:
    """What the alert says beyond its incidents: whether its lesson was alerted before; for a follow-up, what has
    happened since its first alert."""
    if alert.follows is None:
        lessons = {i.meeting_uuid for i in incidents}
        return Telling(again=len(lessons) == 1 and store.lesson_alerted_before(alert.id, lessons.pop()))
    first = store.get(alert.follows)
    return Telling(kind=alert.kind, round=alert.round, first_at=first.created_at, first_count=len(first.incident_ids),
                   waited_minutes=round((alert.created_at - first.created_at).total_seconds() / 60),
                   occurrences_since=store.occurrences_since(alert.incident_ids, first.created_at))


def deliver_alert(alerting: Alerting, alert_id: int, name: str) -> None:
    """Sends the alert over one channel. An attempt that got through is not repeated; while one worker sends, no
    other starts. The attempt is written before it is sent: if its worker is killed mid-send, it stays on the
    incident as "outcome unknown", and the retry sends it again with the same key (Message-ID, Idempotency-Key)."""
    store = alerting.store
    if store.delivered(alert_id, name):
        return
    lease = keys.alert_sending(alert_id, name)
    if not alerting.redis.set(lease, "1", nx=True, ex=keys.ALERT_SENDING_SECONDS):
        raise DeliveryInProgress(f"alert {alert_id} is being sent via {name} by another worker")
    try:
        if store.delivered(alert_id, name):
            return
        alert = store.get(alert_id)
        incidents = store.incidents(alert.incident_ids)
        message = alert_message(alerting.config, incidents, alert.key, telling(store, alert, incidents))
        channel = make_channel(alerting.config, name, clock=alerting.clock)
        cut_off = store.cut_off(alert_id, name)
        alert_delivery(name, "unknown", cut_off)
        if cut_off:
            log.warning("alert %s via %s: an earlier attempt was cut off mid-send; sending again with the same key",
                        alert_id, name)
        attempt_id, attempt = store.begin(alert_id, name, alerting.now())
        try:
            channel.send(message)
        except DeliveryError as exc:
            store.finish(attempt_id, False, str(exc))
            alert_delivery(name, "failed")
            log.warning("alert %s via %s failed (attempt %s): %s", alert_id, name, attempt, exc)
            raise
        store.finish(attempt_id, True, None)
        alert_delivery(name, "delivered")
    finally:
        alerting.redis.delete(lease)
