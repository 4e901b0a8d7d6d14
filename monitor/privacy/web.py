"""A person's data for the DSL (README, A person's data): everything the monitor holds about one e-mail, as a page
that prints well and as JSON. The DSL types the e-mail in a form (sent by POST, so it is never in an address); the
pages' addresses carry the person's key. Every export is audited."""
from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, abort, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Regexp

from ..accounts.web import role_required
from ..config import EMAIL_RE, normalise_email
from ..current import services
from ..incidents.concerned import person_key
from ..incidents.triage import OUTCOMES
from ..staff import TRIAGERS, now, who
from ..staff.happenings import KINDS, SENT, SHARED
from .people import PersonData

bp = Blueprint("privacy", __name__)


class PersonForm(FlaskForm):
    email = EmailField("Their e-mail", filters=[lambda value: normalise_email(value or "")],
                       validators=[DataRequired(), Regexp(EMAIL_RE, message="not an e-mail address")])


def person_data() -> PersonData:
    svc = services()
    return PersonData(svc.database, svc.config)


@bp.app_template_filter("recorded_words")
def recorded_words(fact: dict) -> str:
    """What one recorded fact says of the person, in words (without its time)."""
    cls = fact.get("class") or "person of no known class"
    kind = KINDS.get(fact.get("kind"), KINDS["message"]).lower()
    sent = SENT.get(fact.get("recipient_type"), "to a recipient Zoom did not name")
    match fact["as"]:
        case "present":
            named = f", named “{fact['name']}” in Zoom" if fact.get("name") else ""
            return f"Present, as a {cls}{named}"
        case "host":
            return f"Hosted the lesson, as a {cls}"
        case "sender":
            return f"Sent {kind}, {sent} (as a {cls})"
        case "recipient":
            return f"Was sent {kind}, {sent} (as a {cls})"
        case "sharer":
            return f"Shared {SHARED.get(fact.get('content'), 'something Zoom did not name')} (as a {cls})"
    return f"Named as whom the incident is about (as a {cls})"


@bp.route("/people/export", methods=["GET", "POST"])
@role_required(*TRIAGERS)
def person_search():
    form = PersonForm()
    if not form.validate_on_submit():
        return render_template("person_search.html", form=form)
    email = form.email.data
    data = person_data()
    if data.email_of(person_key(email)):
        return redirect(url_for("privacy.person_export", key=person_key(email)), 303)
    return _page(data.export(email, who(), now(), "page"))  # nothing held: said on the page, and audited


@bp.get("/people/<key>/export")
@role_required(*TRIAGERS)
def person_export(key: str):
    data = person_data()
    email = data.email_of(key) or abort(404)
    return _page(data.export(email, who(), now(), "page"))


@bp.get("/people/<key>/export.json")
@role_required(*TRIAGERS)
def person_export_json(key: str):
    data = person_data()
    email = data.email_of(key) or abort(404)
    exported = data.export(email, who(), now(), "json")
    return Response(json.dumps(exported, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="person-{key}.json"'})


def _page(exported: dict):
    return render_template("person_export.html", exported=exported, key=exported["person"]["key"],
                           outcomes=OUTCOMES)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
