"""The Designated Safeguarding Lead's incident queue (server-rendered pages, signed-in staff only)."""
from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, url_for

from .accounts.web import role_required
from .alerts.content import HEADLINES
from .services import services

bp = Blueprint("queue", __name__)
EVERYONE = ("dsl", "deputy", "headteacher", "viewer")


@bp.get("/")
def home():
    return redirect(url_for("queue.incidents"))


@bp.get("/incidents")
@role_required(*EVERYONE)
def incidents():
    found = services().incidents.list(limit=200)
    return render_template("incidents.html", incidents=found, headlines=HEADLINES)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
