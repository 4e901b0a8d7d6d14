"""The digests kept (one per week, unique) and what a digest is made from, read from the database.

Sending is claimed in the database, so that two schedulers or workers never send one week's digest twice: the
claim is one UPDATE that only one of them can win, and it lapses after CLAIM_MINUTES in case the sender died.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, Engine, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..incidents.models import Base, Incident
from ..incidents.store import UPSERTING_INSERTS
from ..lessons import LessonRow, LessonStore
from .figures import TREND_WEEKS, Digest, IncidentFacts
from .week import Week

CLAIM_MINUTES = 10
"""Longer than an SMTP delivery can take (its timeout is 10 s)."""


class DigestRow(Base):
    __tablename__ = "digests"

    week: Mapped[str] = mapped_column(primary_key=True)
    made_at: Mapped[datetime]
    figures: Mapped[dict]
    sending_since: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    sent_to: Mapped[list | None] = mapped_column(JSON)


digests, incidents = DigestRow.__table__, Incident.__table__


class DigestStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.lessons = LessonStore(engine)
        self._insert = UPSERTING_INSERTS[engine.dialect.name]

    def facts(self, start: datetime, end: datetime) -> list[IncidentFacts]:
        """The incidents a digest of [start, end) needs: opened in it or in the four weeks before, or opened
        earlier and not closed before it began (open, overdue, and times to acknowledge and close)."""
        trend_start = start - timedelta(weeks=TREND_WEEKS)
        columns = [incidents.c[name] for name in IncidentFacts.__dataclass_fields__]
        statement = select(*columns).where(
            incidents.c.opened_at < end,
            or_(incidents.c.opened_at >= trend_start, incidents.c.closed_at.is_(None),
                incidents.c.closed_at >= start, incidents.c.acknowledged_at >= start))
        with self.engine.connect() as conn:
            return [IncidentFacts(**row._mapping) for row in conn.execute(statement)]

    def last_activity(self, before: datetime) -> datetime | None:
        """When the latest incident before then opened, or the latest lesson with pupils started, if any."""
        lessons = LessonRow.__table__
        with self.engine.connect() as conn:
            opened = conn.execute(select(func.max(incidents.c.opened_at)).where(incidents.c.opened_at < before))
            started = conn.execute(select(func.max(lessons.c.started_at))
                                   .where(lessons.c.started_at < before, lessons.c.pupils > 0))
            found = [moment for moment in (opened.scalar(), started.scalar()) if moment is not None]
        return max(found) if found else None

    def keep(self, digest: Digest) -> None:
        """Stores the week's figures; once it has been sent, the stored figures are the ones sent and stay."""
        values = {"week": digest.week, "made_at": digest.made_at, "figures": digest.model_dump(mode="json")}
        insert = self._insert(digests).values(**values)
        with self.engine.begin() as conn:
            conn.execute(insert.on_conflict_do_update(
                index_elements=["week"], set_={"made_at": insert.excluded.made_at,
                                               "figures": insert.excluded.figures},
                where=digests.c.sent_at.is_(None)))

    def get(self, week: Week | str) -> tuple[Digest, datetime | None] | None:
        """The stored digest and when it was sent (None: not yet)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(digests).where(digests.c.week == str(week))).first()
        return (Digest.model_validate(row.figures), row.sent_at) if row else None

    def all(self) -> list[dict]:
        """Every stored digest, newest week first: week, made_at, sent_at."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(digests.c.week, digests.c.made_at, digests.c.sent_at)
                                .order_by(digests.c.week.desc())).all()
        return [dict(row._mapping) for row in rows]

    def claim(self, week: Week | str, now: datetime, *, again: bool = False) -> bool:
        """True for the one caller that may send the week's digest now. ``again``: even if it was sent before."""
        conditions = [digests.c.week == str(week),
                      or_(digests.c.sending_since.is_(None),
                          digests.c.sending_since < now - timedelta(minutes=CLAIM_MINUTES))]
        if not again:
            conditions.append(digests.c.sent_at.is_(None))
        with self.engine.begin() as conn:
            return conn.execute(update(digests).where(*conditions).values(sending_since=now)).rowcount == 1

    def sent(self, week: Week | str, now: datetime, recipients: list[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(digests).where(digests.c.week == str(week))
                         .values(sending_since=None, sent_at=now, sent_to=recipients))

    def release(self, week: Week | str) -> None:
        """The send failed: the next attempt may claim it at once."""
        with self.engine.begin() as conn:
            conn.execute(update(digests).where(digests.c.week == str(week)).values(sending_since=None))
