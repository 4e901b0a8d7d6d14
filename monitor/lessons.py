"""The durable record of the lessons the monitor saw: live rosters leave Redis a day after a meeting's last event,
and the weekly digest counts lessons and their hours long after that.

One row per meeting instance (uuid), written when the meeting ends: one database write per meeting, nothing per
participant event. A meeting whose ``meeting.ended`` never arrives is recorded by ``record_unended`` once it has been
quiet for a while (its end then is its last join or leave, ``end_seen`` false). A lesson is a meeting in which at
least one pupil was present; meetings of staff alone are recorded too (``pupils`` 0), so that a pupil's join that
Zoom delivers after the end still makes it a lesson.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Mapped, mapped_column

from .classes import PersonClass
from .incidents.models import Base
from .incidents.store import UPSERTING_INSERTS
from .roster.model import Roster
from .times import utc


class LessonRow(Base):
    __tablename__ = "lessons"

    meeting_uuid: Mapped[str] = mapped_column(primary_key=True)
    meeting_id: Mapped[str | None]
    topic: Mapped[str | None]
    host_email: Mapped[str | None]
    host_class: Mapped[str | None]
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime]
    end_seen: Mapped[bool]
    """False when the end is the meeting's last join or leave, because Zoom's meeting.ended never came."""
    pupils: Mapped[int]
    """How many pupils were present at some time."""


lessons = LessonRow.__table__


@dataclass(frozen=True)
class Lesson:
    meeting_uuid: str
    started_at: datetime
    ended_at: datetime
    pupils: int
    meeting_id: str | None = None
    topic: str | None = None
    host_email: str | None = None
    host_class: str | None = None
    end_seen: bool = True

    @property
    def hours(self) -> float:
        return max((self.ended_at - self.started_at).total_seconds(), 0) / 3600


def _activity(roster: Roster) -> list[int]:
    return [t for person in roster.people for c in person.connections for t in (c.join, c.leave) if t is not None]


def lesson_of(roster: Roster, *, ended_at: int | None = None) -> Lesson | None:
    """The record of an ended meeting (or of one taken as ended at ``ended_at``, ms); None when it has no time."""
    activity = _activity(roster)
    start = roster.started_at or (min(activity) if activity else None) or roster.opened_at
    end = roster.ended_at or ended_at
    if start is None or end is None:
        return None
    pupils = sum(1 for p in roster.people if p.cls is PersonClass.PUPIL and any(c.join for c in p.connections))
    host = roster.host
    return Lesson(meeting_uuid=roster.uuid, meeting_id=roster.meeting_id, topic=roster.topic,
                  host_email=host.email if host else None,
                  host_class=host.cls.value if host and host.cls else None,
                  started_at=utc(start), ended_at=utc(max(start, end)), pupils=pupils,
                  end_seen=roster.ended_at is not None)


def quiet_since(roster: Roster) -> int | None:
    """When anything last happened in the meeting, as far as its roster tells (ms)."""
    times = _activity(roster) + [t for t in (roster.started_at, roster.opened_at) if t is not None]
    return max(times) if times else None


class LessonStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._insert = UPSERTING_INSERTS[engine.dialect.name]

    def record(self, lesson: Lesson) -> None:
        """Idempotent: a repeat changes nothing. A later record of the same meeting replaces an earlier one only
        when it knows more: the real end after an inferred one, or more pupils (a join Zoom delivered late)."""
        values = {name: getattr(lesson, name) for name in
                  ("meeting_uuid", "meeting_id", "topic", "host_email", "host_class", "started_at", "ended_at",
                   "end_seen", "pupils")}
        insert = self._insert(lessons).values(**values)
        knows_more = (~lessons.c.end_seen & insert.excluded.end_seen) | (insert.excluded.pupils > lessons.c.pupils)
        with self.engine.begin() as conn:
            conn.execute(insert.on_conflict_do_update(
                index_elements=["meeting_uuid"],
                set_={name: insert.excluded[name] for name in values if name != "meeting_uuid"},
                where=knows_more))

    def between(self, start: datetime, end: datetime) -> list[Lesson]:
        """The meetings with pupils that started in [start, end)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(lessons).where(lessons.c.started_at >= start, lessons.c.started_at < end,
                                                      lessons.c.pupils > 0)
                                .order_by(lessons.c.started_at)).all()
        return [Lesson(**row._mapping) for row in rows]
