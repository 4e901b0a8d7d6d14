"""Who is with the pupils: a member of staff, and never one pupil alone with staff outside an approved 1:1."""
from __future__ import annotations

from typing import Iterable

from ..classes import PersonClass
from ..config import SchoolConfig
from ..roster.model import Person, Roster


def _with_media(people: Iterable[Person]) -> list[Person]:
    # Zoom webhooks carry no camera or microphone state: everyone present counts as on video and audio.
    # A media signal (e.g. Zoom RTMS) would refine this here.
    return list(people)


def is_approved_one_to_one(roster: Roster, config: SchoolConfig) -> bool:
    exemptions = config.exemptions
    host_email = roster.host.email if roster.host else None
    return (host_email is not None and host_email in exemptions.one_to_one_hosts) or \
        (roster.meeting_id is not None and roster.meeting_id in exemptions.one_to_one_meetings)


def fewer_than_two_pupils(roster: Roster, config: SchoolConfig, now: int) -> list[str | None]:
    present = _with_media(roster.present)
    pupils = roster.count(PersonClass.PUPIL)
    if pupils != 1 or len(present) == 1 or is_approved_one_to_one(roster, config):
        return []
    return [None]


def pupils_unsupervised(roster: Roster, config: SchoolConfig, now: int) -> list[str | None]:
    if roster.count(PersonClass.TEACHER) or roster.count(PersonClass.STAFF):
        return []
    return [None]
