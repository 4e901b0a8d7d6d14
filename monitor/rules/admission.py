"""Who got into a lesson: people from outside the school."""
from __future__ import annotations

from ..classes import PersonClass
from ..config import SchoolConfig
from ..roster.model import Connection, Roster
from ..rule_ids import EXTERNAL_PARTICIPANT
from .condition import Condition


def external_participant(roster: Roster, config: SchoolConfig, now: int) -> list[str | None]:
    if roster.count(PersonClass.EXTERNAL) == 0:
        return []
    subjects = {p.email for p in roster.present if p.cls is PersonClass.EXTERNAL}
    return sorted(subjects, key=lambda s: s or "")


def _interval(connection: Connection, ended_at: int) -> tuple[int, int] | None:
    """When a connection was in a meeting that has ended (ms), or None if it never was."""
    if connection.join is None or connection.join >= ended_at:
        return None
    left = connection.leave if connection.leave is not None and connection.leave > connection.join else ended_at
    return connection.join, min(left, ended_at)


def late_external_participant(roster: Roster, connection_id: str) -> list[tuple[Condition, int]]:
    """After the meeting ended, a late participant_joined still shows who was there: an outsider whose time in the
    meeting overlapped a pupil's. Returns each condition with the time the overlap began (ms)."""
    if roster.ended_at is None:
        return []
    ended_at = roster.ended_at
    person = next((p for p in roster.people if any(c.id == connection_id for c in p.connections)), None)
    if person is None or person.cls not in (PersonClass.EXTERNAL, PersonClass.PUPIL):
        return []
    mine = [i for c in person.connections if c.id == connection_id if (i := _interval(c, ended_at))]
    other_class = PersonClass.PUPIL if person.cls is PersonClass.EXTERNAL else PersonClass.EXTERNAL
    found: dict[str | None, int] = {}
    for other in roster.people:
        if other.cls is not other_class:
            continue
        for connection in other.connections:
            theirs = _interval(connection, ended_at)
            for start, end in mine:
                if theirs and start < theirs[1] and theirs[0] < end:
                    subject = person.email if person.cls is PersonClass.EXTERNAL else other.email
                    began = max(start, theirs[0])
                    found[subject] = min(found.get(subject, began), began)
    return [(Condition(EXTERNAL_PARTICIPANT, subject, 0), began) for subject, began in found.items()]
