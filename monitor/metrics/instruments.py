"""The counts kept where things happen: each a counter (or the ack latency's histogram) of prometheus_client, with
labels of bounded values only (event kind, outcome, rule, channel, endpoint, status), never a name, an e-mail or a
meeting's topic. Under gunicorn and in RQ's work horses they are kept in PROMETHEUS_MULTIPROC_DIR's files (see
``processes``), else in this process."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from ..events import KINDS, URL_VALIDATION
from .processes import shared_directory

if shared_directory() is not None:  # each metric below opens its file there as it is made
    shared_directory().mkdir(parents=True, exist_ok=True)

REGISTRY = CollectorRegistry()
"""The counters of this process (one process without PROMETHEUS_MULTIPROC_DIR: what /metrics shows of them)."""

OTHER_KIND = "other"
"""Any event kind the monitor does not model, so that a sender cannot make new series at will."""
UNREAD_KIND = "unknown"
"""A delivery refused before its body was read (a bad signature, a body too large, not a Zoom event)."""
LABELLED_KINDS = frozenset(KINDS) | {URL_VALIDATION, UNREAD_KIND}

DELIVERIES = Counter("monitor_webhook_deliveries", "Zoom's deliveries to POST /zoom/webhook, by event kind and how "
                     "they were answered", ["kind", "outcome"], registry=REGISTRY)
ACK_SECONDS = Histogram("monitor_webhook_ack_seconds", "Time from a delivery's arrival to its answer (Zoom waits 3 s)",
                        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5),
                        registry=REGISTRY)
STORAGE_ERRORS = Counter("monitor_storage_errors", "Redis or database errors the monitor answered or retried "
                         "(a delivery's 503, a check tried again)", ["store"], registry=REGISTRY)
INCIDENTS_OPENED = Counter("monitor_incidents_opened", "Incidents opened, by rule", ["rule"], registry=REGISTRY)
ALERT_DELIVERIES = Counter("monitor_alert_deliveries", "Attempts to send an alert over a channel: delivered, failed, "
                           "or unknown (cut off mid-send)", ["channel", "outcome"], registry=REGISTRY)
ZOOM_API_REQUESTS = Counter("monitor_zoom_api_requests", "Requests to Zoom's API, by endpoint and HTTP status "
                            "(\"error\": no answer)", ["endpoint", "status"], registry=REGISTRY)

_deliveries: dict[tuple[str, str], object] = {}


def delivery(kind: str, outcome: str) -> None:
    """One delivery answered: a dictionary look-up and a counter's increment (the webhook's path)."""
    key = (kind if kind in LABELLED_KINDS else OTHER_KIND, outcome)
    child = _deliveries.get(key)
    if child is None:
        child = _deliveries[key] = DELIVERIES.labels(*key)
    child.inc()


def storage_error(exc: BaseException) -> None:
    """Counts a Redis or database error (any other exception is not counted here)."""
    if isinstance(exc, RedisError):
        STORAGE_ERRORS.labels("redis").inc()
    elif isinstance(exc, SQLAlchemyError):
        STORAGE_ERRORS.labels("database").inc()


def incident_opened(rule: str) -> None:
    INCIDENTS_OPENED.labels(rule).inc()


def alert_delivery(channel: str, outcome: str, count: int = 1) -> None:
    """``outcome``: "delivered", "failed" or "unknown"; ``channel``: its name in the school's config."""
    if count:
        ALERT_DELIVERIES.labels(channel, outcome).inc(count)


def zoom_api_request(endpoint: str, status: int | str) -> None:
    ZOOM_API_REQUESTS.labels(endpoint, str(status)).inc()
