"""POST /zoom/webhook: verify Zoom's signature, then hand the event to the pipeline (contracts.md, HTTP)."""
from __future__ import annotations

import logging
from time import perf_counter

from flask import Blueprint, Flask, current_app, jsonify, request
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from .current import services
from .errors import init_machine_app
from .events import URL_VALIDATION, BadEvent, ZoomEvent, read_event
from .headers import init_zoom_app
from .logs import MEETING_UUID, new_request
from .metrics.instruments import ACK_SECONDS, UNREAD_KIND, delivery, storage_error
from .signature import url_validation_token, verify

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)
PATH = "/zoom/webhook"

FUTURE_TOLERANCE_SECONDS = 300


def _error(status: int, message: str):
    return jsonify(error=message), status


def _authentic(raw: bytes) -> str | None:
    """Why the delivery is not from Zoom, or None when it is."""
    svc = services()
    timestamp = request.headers.get("x-zm-request-timestamp", "")
    signature = request.headers.get("x-zm-signature", "")
    if not timestamp or not signature:
        return "missing x-zm-signature or x-zm-request-timestamp"
    if not verify(svc.webhook_secret, timestamp, raw, signature):
        return "bad signature"
    try:
        age = svc.clock() - int(timestamp)
    except ValueError:
        return "x-zm-request-timestamp is not a number"
    if age > svc.config.webhook.timestamp_tolerance_seconds:
        log.warning("webhook rejected: validly signed but %d s old (tolerance %d s)",
                    age, svc.config.webhook.timestamp_tolerance_seconds)
        return "request timestamp too old"
    if age < -FUTURE_TOLERANCE_SECONDS:
        return "request timestamp in the future"
    return None


@bp.post(PATH)
def receive():
    new_request(request.headers.get("x-zm-request-id"))
    raw = request.get_data(cache=False)
    refusal = _authentic(raw)
    if refusal:
        log.warning("webhook rejected (401): %s", refusal)
        delivery(UNREAD_KIND, "unauthorized")
        return _error(401, refusal)
    try:
        body, event = read_event(raw)
    except BadEvent as exc:
        log.warning("webhook rejected (400): %s", exc)
        delivery(UNREAD_KIND, "bad_request")
        return _error(400, str(exc))
    if isinstance(event, ZoomEvent):
        MEETING_UUID.set(event.meeting.uuid)
    if event.event == URL_VALIDATION:
        plain = event.payload.get("plainToken")
        if not isinstance(plain, str) or not plain:
            delivery(URL_VALIDATION, "bad_request")
            return _error(400, "endpoint.url_validation without payload.plainToken")
        delivery(URL_VALIDATION, "validated")
        return jsonify(plainToken=plain, encryptedToken=url_validation_token(services().webhook_secret, plain))
    try:
        outcome, uuid = services().pipeline.handle(event, body)
    except RedisError as exc:
        log.error("webhook %s not stored, Redis unavailable (503, Zoom will retry): %s", event.event, exc)
        return _unavailable(event.event, exc)
    except SQLAlchemyError as exc:
        log.error("webhook %s not fully applied, database unavailable (503, Zoom will retry): %s", event.event,
                  exc.__class__.__name__)
        return _unavailable(event.event, exc)
    log.debug("webhook %s %s meeting=%s", event.event, outcome, uuid or "-")
    delivery(event.event, outcome)
    return jsonify(status=outcome)


def _unavailable(kind: str, exc: Exception):
    storage_error(exc)
    delivery(kind, "unavailable")
    return _error(503, "the event could not be stored; retry later")


def _too_large(_exc):
    log.warning("webhook rejected (413): body over %s bytes", current_app.config["MAX_CONTENT_LENGTH"])
    delivery(UNREAD_KIND, "too_large")
    return _error(413, "request body too large")


def init_app(app: Flask) -> None:
    """Zoom's deliveries get an app of their own, put in front of ``app``: nothing made for staff (sessions, CSRF
    protection, sign-in) runs on them, and they carry their own proof of origin."""
    zoom = Flask(__name__)
    zoom.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"]
    zoom.extensions["monitor"] = app.extensions["monitor"]
    zoom.register_blueprint(bp)
    init_machine_app(zoom)
    zoom.register_error_handler(RequestEntityTooLarge, _too_large)
    init_zoom_app(zoom)
    staff = app.wsgi_app

    def dispatch(environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            return staff(environ, start_response)
        arrived = perf_counter()
        answer = zoom(environ, start_response)
        ACK_SECONDS.observe(perf_counter() - arrived)
        return answer

    app.wsgi_app = dispatch
