"""Chronologies (every incident concerning one pupil or one member of staff) and the staff-concern view."""
from __future__ import annotations

from flask import abort, render_template

from ..accounts.web import role_required
from ..current import services
from ..incidents.concerned import person_key
from ..rules import whose_conduct
from . import CONCERNED_WITH_PEOPLE, CONDUCT, HEADLINES, bp, may_read_chronology, now, visible_criteria, who


def _name(email: str, incidents: list[dict]) -> str | None:
    member = services().config.staff.find(email=email)
    if member:
        return member.name
    for incident in incidents:
        for person in (p for people in incident["evidence"].get("roster", {}).values() for p in people):
            if person.get("email") == email and person.get("name"):
                return person["name"]
    return None


@bp.get("/people/<key>")
@role_required(*CONCERNED_WITH_PEOPLE)
def chronology(key: str):
    svc = services()
    found = svc.incidents.person(key)
    if found is None:
        abort(404)
    email, cls = found
    if not may_read_chronology(cls):
        abort(403)
    incidents = list(reversed(svc.incidents.list(person=key, limit=1000, **visible_criteria())))
    svc.triage.record(who(), "chronology", None, now(), person=email)
    return render_template("chronology.html", email=email, cls=cls, key=key, name=_name(email, incidents),
                           incidents=incidents, headlines=HEADLINES)


@bp.get("/staff-concerns")
@role_required(*CONCERNED_WITH_PEOPLE)
def staff_concerns():
    """The staff-conduct incidents, by the member of staff concerned: the lesson's host, or the adult in a private
    chat (only a member of staff's private chat with a pupil is a matter of conduct)."""
    by_person: dict[str | None, dict] = {}
    for incident in services().incidents.list(limit=5000, **CONDUCT):
        host = incident["host"]
        email, cls = whose_conduct(incident["rule"], (host["email"], host["class"]),
                                   (incident["subject"], incident["subject_class"]))
        row = by_person.setdefault(email, {"email": email, "key": email and person_key(email), "incidents": 0,
                                           "open": 0, "latest": incident["opened_at"], "rules": {}})
        row["incidents"] += 1
        row["open"] += incident["status"] != "closed"
        row["rules"][incident["rule"]] = row["rules"].get(incident["rule"], 0) + 1
    staff = services().config.staff
    for row in by_person.values():
        member = row["email"] and staff.find(email=row["email"])
        row["name"] = member.name if member else None
    rows = sorted(by_person.values(), key=lambda r: (-r["open"], -r["incidents"], r["email"] or ""))
    return render_template("staff_concerns.html", rows=rows, headlines=HEADLINES)
