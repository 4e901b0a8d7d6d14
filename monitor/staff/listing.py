"""The queue: incidents newest first, filtered, counted by status, refreshed live; and its CSV export."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Response, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField
from wtforms.validators import Optional

from ..accounts.web import role_required
from ..current import services
from ..rules import RULES
from ..spreadsheet import csv_text
from ..status_words import STATUS_WORDS
from . import EVERYONE, HEADLINES, TRIAGERS, bp, now, school_zone, today, visible_criteria, who
from .alert_words import alert_words

ANY = SelectChoice("", "any")
STATUSES = tuple(STATUS_WORDS)


class Filters(FlaskForm):
    """The queue's filters, read from the address so that a filtered view can be bookmarked and exported."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices=[ANY, *(SelectChoice(s, STATUS_WORDS[s]) for s in STATUSES)],
                         validators=[Optional()])
    rule = SelectField("Rule", choices=[ANY, *(SelectChoice(r.id, r.sentence) for r in RULES)],
                       validators=[Optional()])
    severity = SelectField("Severity", choices=[ANY, *map(SelectChoice, ("high", "medium", "low"))],
                           validators=[Optional()])
    host = SelectField("Teacher (host)", validators=[Optional()])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    meeting_uuid = HiddenField(validators=[Optional()])
    """One lesson's incidents: where an alert about several of them links."""

    def __init__(self):
        super().__init__(request.args)
        staff = services().config.staff.by_email.values()
        self.host.choices = [ANY, *sorted((SelectChoice(m.email, m.name or m.email) for m in staff),
                                          key=lambda c: c.label)]

    def criteria(self) -> dict:
        """The store's criteria; days are the school's, from the first day's midnight to the last one's end."""
        def midnight(day):
            return datetime.combine(day, time(), school_zone()) if day else None

        def given(field):
            return None if field.errors else field.data or None

        until = given(self.until)
        return {"status": given(self.status), "rule": given(self.rule), "severity": given(self.severity),
                "host_email": given(self.host), "meeting_uuid": given(self.meeting_uuid),
                "since": midnight(given(self.since)),
                "until": midnight(until and until + timedelta(days=1)), **visible_criteria()}


def _filtered() -> tuple[Filters, dict]:
    form = Filters()
    form.validate()
    return form, form.criteria()


@bp.get("/incidents")
@role_required(*EVERYONE)
def incidents():
    form, criteria = _filtered()
    store = services().incidents
    query = request.args.to_dict()
    links = {status: url_for("staff.incidents", **{**query, "status": status}) for status in STATUSES}
    unchecked = store.unchecked(limit=20) if current_user.role in TRIAGERS else []
    return render_template("incidents.html", form=form, incidents=store.list(limit=200, **criteria),
                           counts=store.counts(**criteria), status_links=links, headlines=HEADLINES, query=query,
                           unchecked=unchecked, alert_words=alert_words, statuses=STATUSES,
                           today=today().isoformat())


EXPORT_COLUMNS = ("id", "opened_at", "began_at", "cleared_at", "rule", "severity", "status", "outcome", "rationale",
                  "assigned_to", "due_on", "meeting_id", "topic", "host_email", "occurrences", "last_at",
                  "subject_class")
"""New columns go at the end, so that an import a school set up on the earlier ones keeps working. ``last_at``: when
the latest occurrence began (an event rule's latest event); ``subject_class``: the class of the person the incident is
about (e.g. staff or external, a private chat's adult), never who."""


@bp.get("/incidents.csv")
@role_required(*TRIAGERS)
def export():
    """The filtered incidents as CSV for CPOMS or MyConcern; pupils are not in it. An audited action."""
    form, criteria = _filtered()
    found = services().incidents.list(limit=10_000, **criteria)
    rows = ({**incident, "host_email": incident["host"]["email"]} for incident in found)
    body = csv_text(EXPORT_COLUMNS, ([row[column] for column in EXPORT_COLUMNS] for row in rows))
    filters = {name: value for name, value in request.args.items() if value and name in form._fields}
    services().triage.record(who(), "export", None, now(), filters=filters, incidents=len(found))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=incidents.csv"})
