"""How the lesson is hosted and set up: by a teacher, who lets nobody in before them, on a meeting of its own."""
from __future__ import annotations

from ..classes import PersonClass
from ..config import SchoolConfig
from ..events import ZoomEvent
from ..roster.changes import PMI_TYPE
from ..roster.model import Roster
from ..rule_ids import JOIN_BEFORE_HOST, PERSONAL_MEETING_ID
from .condition import Happening, own_time


def non_teacher_host(roster: Roster, config: SchoolConfig, now: int) -> list[str | None]:
    host = roster.host
    if host is not None and host.cls is PersonClass.TEACHER:
        return []
    return [host.email if host else None]


def join_before_host(roster: Roster, config: SchoolConfig, now: int) -> list[str | None]:
    """Someone got in before the host (so the meeting allows it) and a pupil is present, now or later."""
    return [None] if roster.joined_before_host else []


def personal_meeting_id(roster: Roster, config: SchoolConfig, now: int) -> list[str | None]:
    return [None] if roster.personal_meeting_id is not None else []


def join_before_host_after_end(event: ZoomEvent, roster: Roster, config: SchoolConfig,
                               pupils: bool) -> list[Happening]:
    """A join before the host that Zoom delivered after the meeting's end: a breach if a pupil was there at some
    moment between it and the end."""
    if roster.ended_at is None:
        return []  # live, the condition decides
    own = own_time(event)
    moments = sorted({own} | {c.join for p in roster.people if p.cls is PersonClass.PUPIL for c in p.connections
                              if c.join is not None and own < c.join < roster.ended_at})
    if any(roster.pupils_at(moment) for moment in moments):
        return [Happening(JOIN_BEFORE_HOST, None, at=own)]
    return []


def first_seen_on_personal_meeting_id(event: ZoomEvent, roster: Roster) -> bool:
    """The event that first said the meeting is on a Personal Meeting ID, when no pupil is present (else the
    condition decides)."""
    return event.meeting.type == PMI_TYPE and roster.personal_meeting_id == event.event_ts and \
        roster.count(PersonClass.PUPIL) == 0


def personal_meeting_id_first_seen(event: ZoomEvent, roster: Roster, config: SchoolConfig,
                                   pupils: bool) -> list[Happening]:
    """``type`` 4 first said by an event when no pupil is present (a later event, ``meeting.ended``, or one Zoom
    delivered after the end): a breach if a pupil was present at any time before it."""
    own = own_time(event)
    if roster.ended_at is not None and own >= roster.ended_at:
        return []
    was_there = any(c.join is not None and c.join < own for p in roster.people if p.cls is PersonClass.PUPIL
                    for c in p.connections)
    return [Happening(PERSONAL_MEETING_ID, None, at=own if roster.ended_at is not None else None)] if was_there \
        else []
