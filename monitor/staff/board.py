"""The live lessons board: every lesson in progress, who hosts it, how many pupils, recording, open breaches."""
from __future__ import annotations

from flask import render_template

from ..accounts.web import role_required
from ..classes import PersonClass
from ..current import services
from ..times import iso_ms as iso
from . import EVERYONE, HEADLINES, bp, visible_criteria


@bp.get("/lessons")
@role_required(*EVERYONE)
def lessons():
    svc = services()
    live = sorted(svc.pipeline.rosters(ended=False), key=lambda r: r.opened_at or 0, reverse=True)
    breaches: dict[str, list[dict]] = {}
    if live:
        for incident in svc.incidents.list(meeting_uuids=tuple(r.uuid for r in live), **visible_criteria()):
            if incident["status"] != "closed":
                breaches.setdefault(incident["meeting_uuid"], []).append(incident)
    rows = []
    for roster in live:
        host = roster.host
        rows.append({
            "topic": roster.topic, "meeting_id": roster.meeting_id,
            "started_at": iso(roster.started_at or roster.opened_at),
            "host": host.email if host else None,
            "host_class": host.cls.value if host and host.cls else None,
            "pupils": roster.count(PersonClass.PUPIL), "adults": len(roster.present) - roster.count(PersonClass.PUPIL),
            "recording": roster.recording, "breaches": breaches.get(roster.uuid, []),
        })
    return render_template("lessons.html", rows=rows, headlines=HEADLINES)
