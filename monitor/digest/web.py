"""The weekly digests for signed-in staff: the DSL, the deputy and the headteacher (viewers are refused)."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template, url_for
from markupsafe import Markup

from ..accounts.web import role_required
from ..current import services
from ..staff import now, who
from .render import render_page_part, title
from .week import Week

bp = Blueprint("digests", __name__)
READERS = ("dsl", "deputy", "headteacher")


@bp.get("/digests")
@role_required(*READERS)
def digests():
    service = services().digests
    latest = service.latest_week()
    return render_template("digests.html", digests=service.store.all(), latest=str(latest))


@bp.get("/digests/<week>")
@role_required(*READERS)
def digest(week: str):
    try:
        chosen = Week.parse(week)
    except ValueError:
        abort(404)
    service = services().digests
    stored = service.store.get(chosen)
    made, sent_at = stored if stored else (service.make(chosen), None)
    services().triage.record(who(), "digest", None, now(), week=str(chosen))
    body = render_page_part(made, incident_link=lambda incident_id: url_for("staff.incident", incident_id=incident_id))
    return render_template("digest.html", title=title(made), body=Markup(body), kept=stored is not None,
                           sent_at=sent_at, week=str(chosen), previous=str(chosen.before()), next=str(chosen.after()))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
