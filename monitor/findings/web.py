"""The Zoom settings page for the DSL, the deputy and the headteacher (viewers are refused): the lessons and
teachers whose Zoom settings differ from the protocol, in plain words, with how to fix each."""
from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, Flask, render_template

from ..accounts.web import role_required
from ..current import services
from ..staff import school_zone, today
from .page import settings_page

bp = Blueprint("findings", __name__)
READERS = ("dsl", "deputy", "headteacher")
READ_AT_MOST = 2000


@bp.get("/zoom-settings")
@role_required(*READERS)
def zoom_settings():
    svc = services()
    store = svc.findings
    today_began = datetime.combine(today(), time(0), school_zone())
    page = settings_page(store.list(open_only=True, limit=READ_AT_MOST), store.list(limit=READ_AT_MOST), today_began)
    return render_template("zoom_settings.html", page=page, connected=svc.config.zoom_api.enabled)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
