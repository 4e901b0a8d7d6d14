"""The Designated Safeguarding Lead's incident queue (server-rendered pages, signed-in staff only)."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired

from .accounts.web import role_required
from .alerts.content import HEADLINES, PROTOCOL
from .incidents.triage import OUTCOMES, TriageError
from .rules import CONDUCT_RULES
from .services import services

bp = Blueprint("queue", __name__)
EVERYONE = ("dsl", "deputy", "headteacher", "viewer")
TRIAGERS = ("dsl", "deputy")


class ActionForm(FlaskForm):
    pass


class CloseForm(FlaskForm):
    outcome = RadioField("Outcome", choices=list(OUTCOMES.items()), validators=[DataRequired()])
    rationale = TextAreaField("Rationale (why this outcome; also when nothing is referred)",
                              validators=[DataRequired()])


class ReopenForm(FlaskForm):
    reason = TextAreaField("Reason for reopening", validators=[DataRequired()])


def _now() -> datetime:
    return datetime.fromtimestamp(services().clock(), timezone.utc)


def _who() -> tuple[int, str]:
    return current_user.id, current_user.email


def _visible(incident: dict) -> bool:
    """The headteacher sees the staff-conduct incidents; other roles see every one."""
    return current_user.role != "headteacher" or incident["rule"] in CONDUCT_RULES


@bp.get("/")
def home():
    return redirect(url_for("queue.incidents"))


@bp.get("/incidents")
@role_required(*EVERYONE)
def incidents():
    found = [i for i in services().incidents.list(limit=200) if _visible(i)]
    return render_template("incidents.html", incidents=found, headlines=HEADLINES)


EXPORT_COLUMNS = ("id", "opened_at", "began_at", "cleared_at", "rule", "severity", "status", "outcome", "rationale",
                  "meeting_id", "topic", "host_email", "occurrences")


@bp.get("/incidents.csv")
@role_required(*TRIAGERS)
def export():
    """The incidents (``rule``, ``status`` filters) as CSV for CPOMS or MyConcern; pupils are not in it."""
    rule, status = request.args.get("rule") or None, request.args.get("status") or None
    found = services().incidents.list(rule=rule, status=status, limit=10_000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for incident in found:
        row = {**incident, "host_email": incident["host"]["email"]}
        writer.writerow([row[column] if row[column] is not None else "" for column in EXPORT_COLUMNS])
    services().triage.record(_who(), "export", None, _now(), rule=rule, status=status, incidents=len(found))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=incidents.csv"})


@bp.get("/incidents/<int:incident_id>")
@role_required(*EVERYONE)
def incident(incident_id: int):
    svc = services()
    found = svc.incidents.get(incident_id)
    if found is None or not _visible(found):
        abort(404)
    svc.triage.record(_who(), "view", incident_id, _now())
    return render_template(
        "incident.html", incident=found, headline=HEADLINES[found["rule"]], clause=PROTOCOL[found["rule"]],
        identify_pupils=current_user.role != "viewer", can_triage=current_user.role in TRIAGERS,
        attempts=svc.alerts.attempts(incident_id), history=svc.triage.history(incident_id),
        outcomes=OUTCOMES, action_form=ActionForm(), close_form=CloseForm(), reopen_form=ReopenForm())


def _act(incident_id: int, form: FlaskForm, change) -> object:
    if services().incidents.get(incident_id) is None:
        abort(404)
    if not form.validate_on_submit():
        flash("Nothing was changed: every field is needed.", "error")
        return redirect(url_for("queue.incident", incident_id=incident_id), 303)
    try:
        if not change():
            flash("Nothing was changed: the incident is not in a state that allows it.", "error")
    except TriageError as exc:
        flash(f"Nothing was changed: {exc}.", "error")
    return redirect(url_for("queue.incident", incident_id=incident_id), 303)


@bp.post("/incidents/<int:incident_id>/acknowledge")
@role_required(*TRIAGERS)
def acknowledge(incident_id: int):
    return _act(incident_id, ActionForm(), lambda: services().triage.acknowledge(_who(), incident_id, _now()))


@bp.post("/incidents/<int:incident_id>/close")
@role_required(*TRIAGERS)
def close(incident_id: int):
    form = CloseForm()
    return _act(incident_id, form, lambda: services().triage.close(
        _who(), incident_id, form.outcome.data, form.rationale.data, _now()))


@bp.post("/incidents/<int:incident_id>/reopen")
@role_required(*TRIAGERS)
def reopen(incident_id: int):
    form = ReopenForm()
    return _act(incident_id, form, lambda: services().triage.reopen(_who(), incident_id, form.reason.data, _now()))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
