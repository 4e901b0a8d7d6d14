"""One incident: a decision panel (what staff decide on it beside the facts they decide on), then the whole story:
what happened, who was there, the timeline, the alerts, notes and the audit log in sentences. Each decision is
confirmed, or refused with the reason, on the page it leads back to."""
from __future__ import annotations

from collections import Counter

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from ..accounts.web import role_required
from ..current import services
from ..incidents.concerned import person_key
from ..incidents.triage import OUTCOMES, TriageError
from ..rules import BY_ID
from . import EVERYONE, TRIAGERS, bp, may_read_chronology, now, school_day, school_zone, today, visible, who
from .alert_words import alert_words
from .audit_story import story
from .happenings import event_facts, names
from .people import person, plain_name

ROSTER_FOLD = 10
"""Who was there is folded away when more people than this were."""
WHY_NOT_NAMED = {"retention": "removed after the retention period", "erased": "erased on request"}
"""Why evidence counts someone without naming them (monitor/privacy)."""


class ActionForm(FlaskForm):
    pass


class CloseForm(FlaskForm):
    outcome = RadioField("Outcome", choices=[SelectChoice(value, label) for value, label in OUTCOMES.items()],
                         validators=[DataRequired()])
    rationale = TextAreaField("Rationale (why this outcome; also when nothing is referred)",
                              validators=[DataRequired()])


class ReopenForm(FlaskForm):
    reason = TextAreaField("Reason for reopening", validators=[DataRequired()])


class AssignForm(FlaskForm):
    assignee = SelectField("Assign to", validators=[DataRequired()])
    due_on = DateField("Due by", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = [SelectChoice(p.email, f"{p.name} ({p.role})") for p in services().accounts.all()
                                 if p.role in TRIAGERS and not p.disabled]

    def validate_due_on(self, field: DateField) -> None:
        if field.data and field.data < today():
            raise ValidationError(f"{school_day(field.data)} has passed; choose today ({school_day(today())}) "
                                  "or a later day")


class NoteForm(FlaskForm):
    text = TextAreaField("Note", validators=[DataRequired()])


@bp.get("/incidents/<int:incident_id>")
@role_required(*EVERYONE)
def incident(incident_id: int):
    svc = services()
    found = svc.incidents.get(incident_id)
    if found is None or not visible(found):
        abort(404)
    svc.triage.record(who(), "view", incident_id, now())
    role = current_user.role
    rule = BY_ID[found["rule"]]
    roster = found["evidence"].get("roster") or {}
    present = sum(len(people) for people in roster.values())
    not_named = {cls: Counter(p["removed"] for p in people if p.get("removed")) for cls, people in roster.items()}
    return render_template(
        "incident.html", incident=found, rule=rule, headline=rule.headline, clause=rule.clause,
        event_facts=event_facts(found["evidence"].get("event")), names=names(found["evidence"]),
        roster=roster, present=present, roster_folded=present > ROSTER_FOLD, not_named=not_named,
        why_not_named=WHY_NOT_NAMED,
        identify_pupils=role != "viewer", can_triage=role in TRIAGERS, person_key=person_key,
        may_read_chronology=may_read_chronology, attempts=svc.alerts.attempts(incident_id),
        story=story(svc.triage.history(incident_id), school_zone(), person, school_day),
        notes=svc.triage.notes(incident_id), outcomes=OUTCOMES, alert_words=alert_words,
        today=today().isoformat(),
        action_form=ActionForm(), close_form=CloseForm(), reopen_form=ReopenForm(), note_form=NoteForm(),
        assign_form=AssignForm(assignee=found["assigned_to"]))


def _act(incident_id: int, form: FlaskForm, change, done) -> object:
    """Makes the change the form asks for and says on the incident's page what was done, or why nothing was."""
    if services().incidents.get(incident_id) is None:
        abort(404)
    if not form.validate_on_submit():
        flash("Nothing was changed: " + _problems(form), "error")
    else:
        try:
            if change() is False:
                flash("Nothing was changed: the incident is not in a state that allows it.", "error")
            else:
                flash(done(), "done")
        except TriageError as exc:
            flash(f"Nothing was changed: {exc}.", "error")
    return redirect(url_for("staff.incident", incident_id=incident_id), 303)


def _problems(form: FlaskForm) -> str:
    problems = [f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items() if name in form]
    return "; ".join(problems) + "." if problems else "every field is needed."


@bp.post("/incidents/<int:incident_id>/acknowledge")
@role_required(*TRIAGERS)
def acknowledge(incident_id: int):
    return _act(incident_id, ActionForm(), lambda: services().triage.acknowledge(who(), incident_id, now()),
                lambda: "Acknowledged. Reminders for this incident stop.")


@bp.post("/incidents/<int:incident_id>/close")
@role_required(*TRIAGERS)
def close(incident_id: int):
    form = CloseForm()
    return _act(incident_id, form, lambda: services().triage.close(
        who(), incident_id, form.outcome.data, form.rationale.data, now()),
        lambda: f"Closed: {OUTCOMES[form.outcome.data].lower()}.")


@bp.post("/incidents/<int:incident_id>/reopen")
@role_required(*TRIAGERS)
def reopen(incident_id: int):
    form = ReopenForm()
    return _act(incident_id, form, lambda: services().triage.reopen(who(), incident_id, form.reason.data, now()),
                lambda: "Reopened.")


@bp.post("/incidents/<int:incident_id>/assign")
@role_required(*TRIAGERS)
def assign(incident_id: int):
    form = AssignForm()

    def done() -> str:
        due = f", due {school_day(form.due_on.data)}" if form.due_on.data else ", with no due date"
        return f"Assigned to {plain_name(form.assignee.data)}{due}."
    return _act(incident_id, form, lambda: services().triage.assign(
        who(), incident_id, form.assignee.data, form.due_on.data, now()), done)


@bp.post("/incidents/<int:incident_id>/notes")
@role_required(*TRIAGERS)
def add_note(incident_id: int):
    form = NoteForm()
    return _act(incident_id, form, lambda: services().triage.add_note(who(), incident_id, form.text.data, now()),
                lambda: "Note added.")
