"""GET /api/findings (bearer token, contracts.md Zoom API): the findings, newest first."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from ..api import BadParameter, bearer_required
from ..api import _limit as limit_parameter
from ..current import services
from ..times import iso_utc
from .store import KINDS, FindingRecord

log = logging.getLogger(__name__)
bp = Blueprint("findings_api", __name__)
YES, NO = ("true", "1", "yes"), ("", "false", "0", "no")


def finding_json(finding: FindingRecord) -> dict:
    """A lesson's finding names its meeting (meeting_id, topic, host_email, start_time, series); a teacher's, the
    teacher (user: their e-mail)."""
    shown: dict = {"id": finding.id, "kind": finding.kind}
    if finding.kind == "meeting":
        shown.update(meeting_id=finding.subject, topic=finding.topic, host_email=finding.host_email,
                     start_time=iso_utc(finding.start_time), series=finding.series)
    else:
        shown["user"] = finding.subject
    shown.update(setting=finding.setting, expected=finding.expected, actual=finding.actual, words=finding.words,
                 fix=finding.fix, first_seen=iso_utc(finding.first_seen), last_seen=iso_utc(finding.last_seen),
                 resolved_at=iso_utc(finding.resolved_at))
    return shown


def _filters(args) -> dict:
    kind = args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise BadParameter("kind", "kind must be meeting or user")
    open_only = args.get("open", "").lower()
    if open_only not in YES + NO:
        raise BadParameter("open", "open must be true or false")
    return {"kind": kind, "open_only": open_only in YES, "limit": limit_parameter(args.get("limit"))}


@bp.get("/api/findings")
@bearer_required
def findings():
    """Newest first (by when first seen). Filters: kind (meeting or user), open=true (not resolved), limit."""
    try:
        filters = _filters(request.args)
    except BadParameter as exc:
        return jsonify(error=str(exc), parameter=exc.name), 400
    try:
        found = services().findings.list(**filters)
    except SQLAlchemyError as exc:
        log.error("findings unavailable, database error: %s", exc.__class__.__name__)
        return jsonify(error="the database is unavailable"), 503
    return jsonify(findings=[finding_json(finding) for finding in found])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
