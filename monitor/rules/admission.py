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


def _interval(connection: Connection, until: int) -> tuple[int, int] | None:
    """When a connection was in the meeting before ``until`` (ms), or None if it never was."""
    if connection.join is None or connection.join >= until:
        return None
    left = connection.leave if connection.leave is not None and connection.leave > connection.join else until
    return connection.join, min(left, until)


def late_external_participant(roster: Roster, connection_id: str, now: int) -> list[tuple[Condition, int]]:
    """A participant_joined that arrives after its own participant_left, or after the meeting ended, still shows who
    was there: an outsider whose time in the meeting overlapped a pupil's (rules.md, Presence learnt after the fact).
    Returns each condition with the time the overlap began (ms)."""
    until = roster.ended_at if roster.ended_at is not None else now
    person = next((p for p in roster.people if any(c.id == connection_id for c in p.connections)), None)
    if person is None or person.cls not in (PersonClass.EXTERNAL, PersonClass.PUPIL):
        return []
    mine = [i for c in person.connections if c.id == connection_id if (i := _interval(c, until))]
    other_class = PersonClass.PUPIL if person.cls is PersonClass.EXTERNAL else PersonClass.EXTERNAL
    found: dict[str | None, int] = {}
    for other in roster.people:
        if other.cls is not other_class:
            continue
        for connection in other.connections:
            theirs = _interval(connection, until)
            for start, end in mine:
                if theirs and start < theirs[1] and theirs[0] < end:
                    subject = person.email if person.cls is PersonClass.EXTERNAL else other.email
                    began = max(start, theirs[0])
                    found[subject] = min(found.get(subject, began), began)
    return [(Condition(EXTERNAL_PARTICIPANT, subject, 0), began) for subject, began in found.items()]
