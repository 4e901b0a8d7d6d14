"""What an incident keeps of the lesson: the meeting, its host and who was there, by class (rules.md, Incidents)."""
from __future__ import annotations

from .classes import PersonClass
from .roster.model import Roster
from .times import iso_ms as iso


def roster_snapshot(roster: Roster, at: int | None = None) -> dict[str, list[dict]]:
    """Who is present (or was, at a moment before the meeting ended), by class; an e-mail-less outsider is listed
    once for each connection."""
    snapshot: dict[str, list[dict]] = {cls.value: [] for cls in PersonClass}
    people = roster.present if at is None else roster.present_at(at)
    for person in people:
        present = [c for c in person.connections if (c.present if at is None else c.present_at(at))]
        entries = [present] if person.email else [[c] for c in present]
        for connections in entries:
            snapshot[person.cls.value].append({
                "email": person.email,
                "name": person.name,
                "connections": [c.id for c in connections],
                "joined_at": iso(min(c.join for c in connections)),
            })
    return {cls: people for cls, people in snapshot.items() if people}


def evidence(roster: Roster, at: int | None = None) -> dict:
    host = roster.host
    return {
        "meeting": {"uuid": roster.uuid, "id": roster.meeting_id, "topic": roster.topic,
                    "started_at": iso(roster.started_at), "ended_at": iso(roster.ended_at)},
        "host": None if host is None else {"email": host.email, "class": host.cls.value if host.cls else None,
                                           "identified": host.identified, "zoom_user_id": host.zoom_user_id},
        "recording": roster.recording,
        "roster": roster_snapshot(roster, at),
    }
