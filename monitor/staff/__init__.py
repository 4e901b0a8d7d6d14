"""The Designated Safeguarding Lead's pages (server-rendered, signed-in staff only): the incident queue, each
incident and what is decided on it, chronologies of one person, the staff-concern view and the live lessons board."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, redirect, url_for
from flask_login import current_user

from ..classes import STAFF_CLASSES
from ..clock import utc_now
from ..current import services
from ..rules import CONDUCT_OF_SUBJECT, CONDUCT_RULES, RULES, is_conduct
from ..rules.registry import sentence
from ..status_words import status_words

bp = Blueprint("staff", __name__)
EVERYONE = ("dsl", "deputy", "headteacher", "viewer")
TRIAGERS = ("dsl", "deputy")
CONCERNED_WITH_PEOPLE = ("dsl", "deputy", "headteacher")
"""Who may read a chronology or the staff-concern view (the headteacher: staff only)."""
CONDUCT = {"rules": tuple(sorted(CONDUCT_RULES)), "staff_subject_only": tuple(sorted(CONDUCT_OF_SUBJECT))}
"""The store's criteria of the staff-conduct incidents (a private chat is one only when its adult is staff)."""
HEADLINES = {rule.id: rule.headline for rule in RULES}
"""What the pages call each rule."""


def now() -> datetime:
    return utc_now(services().clock)


def who() -> tuple[int, str]:
    return current_user.id, current_user.email


def visible_criteria() -> dict:
    """The store's criteria of the incidents the signed-in member of staff may see: the headteacher sees the
    staff-conduct incidents; other roles see every one."""
    return CONDUCT if current_user.role == "headteacher" else {}


def may_read_chronology(cls: str) -> bool:
    """Whether the signed-in member of staff may read the chronology of a person of this class."""
    role = current_user.role
    return role in TRIAGERS or (role == "headteacher" and cls in STAFF_CLASSES)


def visible(incident: dict) -> bool:
    return current_user.role != "headteacher" or is_conduct(incident["rule"], incident["subject_class"])


@bp.get("/")
def home():
    return redirect(url_for("staff.incidents"))


def init_app(app: Flask) -> None:
    from . import board, chronology, incident, listing, people  # noqa: F401  (their routes and filters join it)
    app.register_blueprint(bp)


def school_zone() -> ZoneInfo:
    return ZoneInfo(services().config.school.timezone)


def today() -> date:
    """The school's day now, by the injected clock."""
    return now().astimezone(school_zone()).date()


bp.add_app_template_filter(sentence, "sentence")
bp.add_app_template_filter(status_words, "status_words")


@bp.app_template_filter("local")
def local_time(value: datetime | str | None) -> str:
    """A moment (aware, or ISO-8601 UTC) as the school reads it: in its time zone, in [school] date_format
    ("Wed 18 Nov 2026, 10:10")."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(school_zone()).strftime(services().config.school.date_format)


@bp.app_template_filter("day")
def school_day(value: date | str | None) -> str:
    """A day (a due date; or ISO-8601 YYYY-MM-DD) in [school] day_format ("Wed 2 Dec 2026")."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return day.strftime(services().config.school.day_format)
