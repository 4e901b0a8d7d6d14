"""The alert side of the JSON API (bearer token): an incident with its alert attempts, acknowledgement, silences."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import wraps
from typing import Annotated, Literal

from flask import Blueprint, Flask, jsonify, request
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.exc import SQLAlchemyError

from ..api import bearer_required
from ..clock import utc_now
from ..config import Email, normalise_meeting_id
from ..current import services
from ..rules import RULE_IDS
from ..times import iso_utc
from .records import DeliveryAttempt, SilenceRecord

log = logging.getLogger(__name__)
bp = Blueprint("alerts_api", __name__)
LONGEST_SILENCE = timedelta(days=30)


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: Annotated[str, Field(min_length=1, max_length=200)]


class NewSilence(BaseModel):
    """Matches incidents on every field given; at least one is needed, and an end."""

    model_config = ConfigDict(extra="forbid")
    rule: Literal[RULE_IDS] | None = None  # type: ignore[valid-type]
    meeting_id: Annotated[str, AfterValidator(normalise_meeting_id)] | None = None
    host_email: Email | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime
    author: Annotated[str, Field(min_length=1, max_length=200)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]

    @model_validator(mode="after")
    def _bounded(self) -> "NewSilence":
        if not (self.rule or self.meeting_id or self.host_email):
            raise ValueError("a silence needs at least one of rule, meeting_id, host_email")
        if self.starts_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


def attempt_json(attempt: DeliveryAttempt) -> dict:
    return {"alert_id": attempt.alert_id, "kind": attempt.kind, "channel": attempt.channel, "attempt": attempt.attempt,
            "at": iso_utc(attempt.at), "ok": attempt.ok, "outcome": attempt.outcome, "detail": attempt.detail}


def silence_json(silence: SilenceRecord) -> dict:
    return {"id": silence.id, "rule": silence.rule, "meeting_id": silence.meeting_id, "host_email": silence.host_email,
            "starts_at": iso_utc(silence.starts_at), "ends_at": iso_utc(silence.ends_at), "author": silence.author,
            "reason": silence.reason, "created_at": iso_utc(silence.created_at)}


def _now() -> datetime:
    return utc_now(services().clock)


def _body(model: type[BaseModel]):
    try:
        return model.model_validate(request.get_json(silent=True) or {}), None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "body"
        return None, (jsonify(error=f"{where}: {error['msg'].removeprefix('Value error, ')}"), 400)


def _database_errors(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except SQLAlchemyError as exc:
            log.error("alert API unavailable, database error: %s", exc.__class__.__name__)
            return jsonify(error="the database is unavailable"), 503
    return guarded


@bp.get("/api/incidents/<int:incident_id>")
@bearer_required
@_database_errors
def incident(incident_id: int):
    """One incident, with every attempt to deliver its alerts (channel, time, result)."""
    svc = services()
    found = svc.incidents.get(incident_id)
    if found is None:
        return jsonify(error="no such incident"), 404
    return jsonify({**found, "alert_attempts": [attempt_json(a) for a in svc.alerts.attempts(incident_id)]})


@bp.post("/api/incidents/<int:incident_id>/acknowledge")
@bearer_required
@_database_errors
def acknowledge(incident_id: int):
    """Stops the incident's alerts repeating and escalating. Acknowledging twice changes nothing."""
    ack, error = _body(Acknowledgement)
    if error:
        return error
    svc = services()
    if svc.incidents.get(incident_id) is None:
        return jsonify(error="no such incident"), 404
    if svc.triage.acknowledge((None, f"{ack.by} (API)"), incident_id, _now()):
        log.info("incident %s acknowledged", incident_id)
    return jsonify(svc.incidents.get(incident_id))


@bp.post("/api/silences")
@bearer_required
@_database_errors
def create_silence():
    silence, error = _body(NewSilence)
    if error:
        return error
    now = _now()
    starts_at = silence.starts_at or now
    if silence.ends_at - starts_at > LONGEST_SILENCE:
        return jsonify(error=f"ends_at: a silence lasts at most {LONGEST_SILENCE.days} days"), 400
    created = services().alerts.silence(rule=silence.rule, meeting_id=silence.meeting_id, host_email=silence.host_email,
                                        starts_at=starts_at, ends_at=silence.ends_at, author=silence.author,
                                        reason=silence.reason, at=now)
    log.info("silence %s created until %s", created.id, iso_utc(created.ends_at))
    return jsonify(silence_json(created)), 201


@bp.get("/api/silences")
@bearer_required
@_database_errors
def list_silences():
    """The silences in force; ``?all=1`` for every one ever made."""
    everything = request.args.get("all", "").lower() in ("1", "true", "yes")
    found = services().alerts.silences(active_at=None if everything else _now())
    return jsonify(silences=[silence_json(s) for s in found])


@bp.delete("/api/silences/<int:silence_id>")
@bearer_required
@_database_errors
def end_silence(silence_id: int):
    if not services().alerts.expire_silence(silence_id, _now()):
        return jsonify(error="no silence in force with that id"), 404
    return jsonify(silence_json(services().alerts.silences(ids=[silence_id])[0]))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
