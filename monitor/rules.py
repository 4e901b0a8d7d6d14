"""The breach rules (rules.md, The rules): pure functions of a roster and the school's config, no I/O.

Each rule returns the conditions that hold in the roster as it stands; the checks module times them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .classes import PersonClass
from .config import SchoolConfig
from .roster.model import Connection, Person, Roster

EXTERNAL_PARTICIPANT = "external_participant"
FEWER_THAN_TWO_PUPILS = "fewer_than_two_pupils"
NON_TEACHER_HOST = "non_teacher_host"
NO_RECORDING = "no_recording"

RULE_IDS = (EXTERNAL_PARTICIPANT, FEWER_THAN_TWO_PUPILS, NON_TEACHER_HOST, NO_RECORDING)
SEVERITY = {EXTERNAL_PARTICIPANT: "high", FEWER_THAN_TWO_PUPILS: "high", NON_TEACHER_HOST: "high",
            NO_RECORDING: "high"}
CONDUCT_RULES = frozenset({FEWER_THAN_TWO_PUPILS, NON_TEACHER_HOST})
"""Rules about staff conduct rather than about who got in."""


@dataclass(frozen=True)
class Condition:
    rule: str
    subject: str | None
    grace_seconds: int

    @property
    def key(self) -> tuple[str, str | None]:
        return self.rule, self.subject


def _with_media(people: Iterable[Person]) -> list[Person]:
    # Zoom webhooks carry no camera or microphone state: everyone present counts as on video and audio.
    # A media signal (e.g. Zoom RTMS) would refine this here.
    return list(people)


def external_participant(roster: Roster, config: SchoolConfig) -> list[Condition]:
    if roster.count(PersonClass.EXTERNAL) == 0:
        return []
    subjects = {p.email for p in roster.present if p.cls is PersonClass.EXTERNAL}
    return [Condition(EXTERNAL_PARTICIPANT, subject, 0) for subject in sorted(subjects, key=lambda s: s or "")]


def is_approved_one_to_one(roster: Roster, config: SchoolConfig) -> bool:
    exemptions = config.exemptions
    host_email = roster.host.email if roster.host else None
    return (host_email is not None and host_email in exemptions.one_to_one_hosts) or \
        (roster.meeting_id is not None and roster.meeting_id in exemptions.one_to_one_meetings)


def fewer_than_two_pupils(roster: Roster, config: SchoolConfig) -> list[Condition]:
    present = _with_media(roster.present)
    pupils = roster.count(PersonClass.PUPIL)
    if pupils != 1 or len(present) == 1 or is_approved_one_to_one(roster, config):
        return []
    return [Condition(FEWER_THAN_TWO_PUPILS, None, config.rules.one_to_one_grace_seconds)]


def non_teacher_host(roster: Roster, config: SchoolConfig) -> list[Condition]:
    host = roster.host
    if host is not None and host.cls is PersonClass.TEACHER:
        return []
    return [Condition(NON_TEACHER_HOST, host.email if host else None, config.rules.host_grace_seconds)]


def no_recording(roster: Roster, config: SchoolConfig) -> list[Condition]:
    if config.rules.recording_source == "off" or roster.recording:
        return []
    return [Condition(NO_RECORDING, None, config.rules.recording_grace_seconds)]


RULES: tuple[Callable[[Roster, SchoolConfig], list[Condition]], ...] = (  # each assumes a pupil is present
    external_participant, fewer_than_two_pupils, non_teacher_host, no_recording)


def evaluate(roster: Roster, config: SchoolConfig) -> list[Condition]:
    """Every condition that holds now. All four rules concern lessons: they apply only while a pupil is present
    (so nothing holds once the meeting has ended)."""
    if roster.count(PersonClass.PUPIL) == 0:
        return []
    return [condition for rule in RULES for condition in rule(roster, config)]


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
