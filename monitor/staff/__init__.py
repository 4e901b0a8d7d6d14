"""The Designated Safeguarding Lead's pages (server-rendered, signed-in staff only): the incident queue, each
incident and what is decided on it, chronologies of one person, the staff-concern view and the live lessons board."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, redirect, url_for
from flask_login import current_user

from ..classes import STAFF_CLASSES
from ..clock import utc_now
from ..current import services
from ..rules import CONDUCT_RULES, RULES

bp = Blueprint("staff", __name__)
EVERYONE = ("dsl", "deputy", "headteacher", "viewer")
TRIAGERS = ("dsl", "deputy")
CONCERNED_WITH_PEOPLE = ("dsl", "deputy", "headteacher")
"""Who may read a chronology or the staff-concern view (the headteacher: staff only)."""
CONDUCT = tuple(sorted(CONDUCT_RULES))
HEADLINES = {rule.id: rule.headline for rule in RULES}
"""What the pages call each rule."""


def now() -> datetime:
    return utc_now(services().clock)


def who() -> tuple[int, str]:
    return current_user.id, current_user.email


def visible_rules() -> tuple[str, ...] | None:
    """The headteacher sees the staff-conduct incidents; other roles see every one (None: no restriction)."""
    return CONDUCT if current_user.role == "headteacher" else None


def may_read_chronology(cls: str) -> bool:
    """Whether the signed-in member of staff may read the chronology of a person of this class."""
    role = current_user.role
    return role in TRIAGERS or (role == "headteacher" and cls in STAFF_CLASSES)


def visible(incident: dict) -> bool:
    rules = visible_rules()
    return rules is None or incident["rule"] in rules


@bp.get("/")
def home():
    return redirect(url_for("staff.incidents"))


def init_app(app: Flask) -> None:
    from . import board, chronology, incident, listing  # noqa: F401  (their routes join the blueprint)
    app.register_blueprint(bp)


def school_zone() -> ZoneInfo:
    return ZoneInfo(services().config.school.timezone)


@bp.app_template_filter("local")
def local_time(value: datetime | str | None) -> str:
    """A time (aware, or ISO-8601 UTC) as the school reads it: "Wed 18 Nov 2026 10:10"."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment.astimezone(school_zone())
    return moment.strftime("%a %d %b %Y %H:%M")
