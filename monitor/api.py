"""Health checks and the JSON API for staff tools (bearer token)."""
from __future__ import annotations

import hmac
import logging
from datetime import datetime, timezone
from functools import wraps

from flask import Blueprint, Flask, jsonify, request
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .current import services
from .roster.model import Person, Roster
from .times import iso_ms as iso

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__)


def bearer_required(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), services().api_token.encode()):
            return jsonify(error="a valid bearer token is required"), 401, {"WWW-Authenticate": "Bearer"}
        return view(*args, **kwargs)
    return guarded


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Says which dependency is down, never how (its host, port or error text): anyone may ask."""
    svc = services()
    down = {}
    try:
        svc.redis.ping()
    except RedisError as exc:
        down["redis"] = exc.__class__.__name__
    try:
        with svc.database.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        down["database"] = exc.__class__.__name__
    if down:
        log.error("not ready: %s", ", ".join(f"{name} ({error})" for name, error in down.items()))
        return jsonify(status="unavailable", down=list(down)), 503
    return jsonify(status="ready")


def _person(person: Person) -> dict:
    return {
        "email": person.email,
        "name": person.name,
        "class": person.cls.value,
        "connections": sum(1 for c in person.connections if c.present) or len(person.connections),
    }


def roster_json(roster: Roster) -> dict:
    present = roster.present
    counts: dict[str, int] = {}
    for person in present:
        counts[person.cls.value] = counts.get(person.cls.value, 0) + 1
    host = roster.host
    return {
        "uuid": roster.uuid,
        "meeting_id": roster.meeting_id,
        "topic": roster.topic,
        "state": "ended" if roster.ended else "live",
        "opened_at": iso(roster.opened_at),
        "started_at": iso(roster.started_at),
        "ended_at": iso(roster.ended_at),
        "host": None if host is None else {
            "email": host.email, "class": host.cls.value if host.cls else None, "identified": host.identified,
        },
        "recording": roster.recording,
        "sharing": roster.sharing,
        "chat_messages": roster.chat_messages,
        "counts": counts,
        "present": [_person(p) for p in present],
        "waiting_room": [_person(p) for p in roster.waiting],
    }


@bp.get("/api/meetings")
@bearer_required
def meetings():
    svc = services()
    include_ended = request.args.get("include_ended", "").lower() in ("1", "true", "yes")
    try:
        rosters = svc.pipeline.rosters(ended=include_ended)
        ignored = svc.pipeline.store.ignored_counts()
    except RedisError as exc:
        log.error("meetings unavailable, Redis error: %s", exc)
        return jsonify(error="Redis is unavailable"), 503
    shown = [roster_json(r) for r in rosters]
    shown.sort(key=lambda m: m["opened_at"] or "", reverse=True)
    return jsonify(meetings=shown, ignored_events=ignored)


MAX_INCIDENTS = 1000


class BadParameter(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter("since", "since must be an ISO-8601 time, e.g. 2026-11-18T11:06:40Z") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _limit(value: str | None) -> int:
    if not value:
        return 500
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_INCIDENTS:
        raise BadParameter("limit", f"limit must be a whole number from 1 to {MAX_INCIDENTS}")
    return limit


@bp.get("/api/incidents")
@bearer_required
def incidents():
    """Newest first. Filters: rule, status, meeting_uuid, since (opened at or after it; UTC without an offset)."""
    args = request.args
    try:
        since, limit = _since(args.get("since")), _limit(args.get("limit"))
    except BadParameter as exc:
        return jsonify(error=str(exc), parameter=exc.name), 400
    try:
        found = services().incidents.list(rule=args.get("rule") or None, status=args.get("status") or None,
                                          meeting_uuid=args.get("meeting_uuid") or None, since=since, limit=limit)
    except SQLAlchemyError as exc:
        log.error("incidents unavailable, database error: %s", exc.__class__.__name__)
        return jsonify(error="the database is unavailable"), 503
    return jsonify(incidents=found)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
