"""Opens incidents and records their recurrences: once each, however often and from however many processes.

The unique constraints decide every race: confirm() only inserts, with INSERT ... ON CONFLICT DO NOTHING, and the
incident's summary (occurrence count, first occurrence, latest clearing) is recomputed from its occurrence rows under
the incident's row lock, so it never depends on the order in which confirmations arrive.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..classes import STAFF_CLASSES
from ..db import writing
from ..times import iso_utc
from .concerned import concerned, person_key
from .models import Incident, IncidentOccurrence, IncidentPerson, UncheckedCondition

__all__ = ["Confirmation", "Criteria", "IncidentStore", "SetAside", "iso_utc"]

UPSERTING_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
"""Each dialect's INSERT, which has ON CONFLICT DO NOTHING."""

incidents = Incident.__table__
occurrences = IncidentOccurrence.__table__
people = IncidentPerson.__table__
unchecked = UncheckedCondition.__table__


@dataclass(frozen=True)
class Confirmation:
    meeting_uuid: str
    meeting_id: str | None
    topic: str | None
    rule: str
    subject: str | None
    severity: str
    host_email: str | None
    host_class: str | None
    began_at: datetime  # aware UTC
    opened_at: datetime  # aware UTC
    evidence: dict  # JSON-serialisable
    subject_class: str | None = None
    event_key: str = ""
    """The delivery an event rule's breach came from: each is recorded once."""


@dataclass(frozen=True)
class SetAside:
    """A check given up after its retries (see checks.runner)."""

    meeting_uuid: str
    meeting_id: str | None
    topic: str | None
    rule: str
    subject: str | None
    began_at: datetime  # aware UTC
    attempts: int
    error: str
    at: datetime  # aware UTC


@dataclass(frozen=True)
class Criteria:
    """Which incidents: each field given narrows the choice. ``since`` and ``until`` bound opened_at (until
    excluded); ``person`` is an e-mail the incident concerns (see IncidentPerson); of the rules in
    ``staff_subject_only``, only the incidents whose subject is a member of staff match."""

    rule: str | None = None
    rules: tuple[str, ...] | None = None
    staff_subject_only: tuple[str, ...] = ()
    status: str | None = None
    severity: str | None = None
    host_email: str | None = None
    meeting_uuid: str | None = None
    meeting_uuids: tuple[str, ...] | None = None
    person: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def clauses(self) -> list:
        equal = {"rule": self.rule, "status": self.status, "severity": self.severity,
                 "host_email": self.host_email, "meeting_uuid": self.meeting_uuid}
        found = [incidents.c[column] == value for column, value in equal.items() if value is not None]
        if self.rules is not None:
            found.append(incidents.c.rule.in_(self.rules))
        if self.staff_subject_only:
            found.append(or_(incidents.c.rule.not_in(self.staff_subject_only),
                             incidents.c.subject_class.in_(STAFF_CLASSES)))
        if self.meeting_uuids is not None:
            found.append(incidents.c.meeting_uuid.in_(self.meeting_uuids))
        if self.person is not None:
            found.append(incidents.c.id.in_(select(people.c.incident_id).where(people.c.person_key == self.person)))
        if self.since is not None:
            found.append(incidents.c.opened_at >= self.since)
        if self.until is not None:
            found.append(incidents.c.opened_at < self.until)
        return found


def _subject_key(subject: str | None) -> str:
    return subject or ""


def _key(meeting_uuid: str, rule: str, subject: str | None):
    return (incidents.c.meeting_uuid == meeting_uuid, incidents.c.rule == rule,
            incidents.c.subject_key == _subject_key(subject))


class IncidentStore:
    def __init__(self, engine: Engine):
        dialect = engine.dialect.name
        if dialect not in UPSERTING_INSERTS:
            raise ValueError(f"incidents are kept in SQLite or PostgreSQL, not in {dialect}")
        self.engine = engine
        self._insert = UPSERTING_INSERTS[dialect]

    def confirm(self, c: Confirmation) -> tuple[int, bool]:
        """Opens the incident for (meeting_uuid, rule, subject) or records a recurrence on it.

        Returns (incident id, True when this call opened the incident). The same (meeting_uuid, rule, subject,
        began_at) twice changes nothing the second time.
        """
        subject = c.subject or None
        with writing(self.engine) as conn:
            incident_id = conn.execute(
                self._insert(incidents)
                .values(meeting_uuid=c.meeting_uuid, meeting_id=c.meeting_id, topic=c.topic, rule=c.rule,
                        subject=subject, subject_key=_subject_key(subject), subject_class=c.subject_class,
                        severity=c.severity,
                        host_email=c.host_email, host_class=c.host_class, began_at=c.began_at,
                        opened_at=c.opened_at, occurrences=0, evidence=c.evidence)
                .on_conflict_do_nothing(index_elements=["meeting_uuid", "rule", "subject_key"])
                .returning(incidents.c.id)
            ).scalar()
            opened = incident_id is not None
            if not opened:
                incident_id = self._lock(conn, c.meeting_uuid, c.rule, subject)
            added = conn.execute(
                self._insert(occurrences)
                .values(incident_id=incident_id, began_at=c.began_at, opened_at=c.opened_at, evidence=c.evidence,
                        event_key=c.event_key)
                .on_conflict_do_nothing(index_elements=["incident_id", "began_at", "event_key"])
                .returning(occurrences.c.id)
            ).scalar()
            if added is not None:
                self._summarise(conn, incident_id)
                self._note_people(conn, incident_id, c.evidence)
        return incident_id, opened

    def record_clear(self, meeting_uuid: str, rule: str, subject: str | None, began_at: datetime,
                     cleared_at: datetime) -> None:
        """Sets cleared_at on that occurrence (and on the incident when it is its latest occurrence).

        Idempotent; a no-op when the incident or the occurrence is unknown.
        """
        with writing(self.engine) as conn:
            incident_id = self._lock(conn, meeting_uuid, rule, subject)
            if incident_id is None:
                return
            changed = conn.execute(
                update(occurrences)
                .where(occurrences.c.incident_id == incident_id, occurrences.c.began_at == began_at,
                       occurrences.c.cleared_at.is_distinct_from(cleared_at))
                .values(cleared_at=cleared_at)
            ).rowcount
            if changed:
                self._summarise(conn, incident_id)

    def clear_at_end(self, meeting_uuid: str, ended_at: datetime, rules: frozenset[str]) -> None:
        """The meeting is over: every occurrence of its incidents of these rules (those that can clear) that has not
        cleared clears when the meeting ended (or, having begun after that, when it began). Idempotent."""
        with writing(self.engine) as conn:
            ids = list(conn.execute(select(incidents.c.id).where(
                incidents.c.meeting_uuid == meeting_uuid, incidents.c.rule.in_(rules)).with_for_update()).scalars())
            if not ids:
                return
            later_of_end_and_beginning = case((occurrences.c.began_at > ended_at, occurrences.c.began_at),
                                              else_=ended_at)
            cleared = conn.execute(update(occurrences).where(
                occurrences.c.incident_id.in_(ids), occurrences.c.cleared_at.is_(None))
                .values(cleared_at=later_of_end_and_beginning).returning(occurrences.c.incident_id)).scalars()
            for incident_id in set(cleared):
                self._summarise(conn, incident_id)

    def identify(self, meeting_uuid: str, rule: str, subject: str) -> None:
        """The incident opened for an unidentified subject (null) is this subject's: it gains the e-mail, unless this
        subject has an incident of its own already. Idempotent."""
        with writing(self.engine) as conn:
            if self._lock(conn, meeting_uuid, rule, subject) is not None:
                return
            conn.execute(update(incidents).where(*_key(meeting_uuid, rule, None))
                         .values(subject=subject, subject_key=_subject_key(subject)))

    def mark_alert_enqueued(self, incident_id: int, at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(incidents)
                         .where(incidents.c.id == incident_id, incidents.c.alert_enqueued_at.is_(None))
                         .values(alert_enqueued_at=at))

    def mark_replayed(self, incident_ids: list[int]) -> None:
        """Replay alerts nobody: its incidents still waiting for an alert say so (alert_state "replayed")."""
        if incident_ids:
            with self.engine.begin() as conn:
                conn.execute(update(incidents).where(incidents.c.id.in_(incident_ids),
                                                     incidents.c.alert_state == "pending")
                             .values(alert_state="replayed"))

    def needs_alert(self, incident_id: int) -> bool:
        """True while the incident's alert has not been enqueued; False for an unknown incident."""
        with self.engine.connect() as conn:
            row = conn.execute(select(incidents.c.alert_enqueued_at).where(incidents.c.id == incident_id)).first()
        return row is not None and row.alert_enqueued_at is None

    def awaiting_alert(self, opened_since: datetime) -> list[int]:
        """Incidents opened since then whose alert job was never queued (Redis failed between the commit and the
        enqueue): the outbox the worker's sweep empties. Incidents a replay opened are not alerted, whatever database
        it wrote them to."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(incidents.c.id).where(
                incidents.c.alert_enqueued_at.is_(None), incidents.c.opened_at >= opened_since,
                incidents.c.alert_state != "replayed")
                .order_by(incidents.c.id)).scalars())

    def set_aside(self, c: SetAside) -> None:
        """Records a check that could not be done; the same condition twice is recorded once."""
        with writing(self.engine) as conn:
            conn.execute(self._insert(unchecked).values(
                meeting_uuid=c.meeting_uuid, meeting_id=c.meeting_id, topic=c.topic, rule=c.rule,
                subject_key=_subject_key(c.subject), began_at=c.began_at, attempts=c.attempts, error=c.error,
                set_aside_at=c.at).on_conflict_do_nothing(
                index_elements=["meeting_uuid", "rule", "subject_key", "began_at"]))

    def unchecked(self, *, limit: int = 50) -> list[dict]:
        """The checks set aside, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(unchecked).order_by(unchecked.c.set_aside_at.desc(), unchecked.c.id.desc())
                                .limit(limit)).all()
        return [{"meeting_uuid": r.meeting_uuid, "meeting_id": r.meeting_id, "topic": r.topic, "rule": r.rule,
                 "began_at": iso_utc(r.began_at), "set_aside_at": iso_utc(r.set_aside_at), "attempts": r.attempts,
                 "error": r.error} for r in rows]

    def get(self, incident_id: int) -> dict | None:
        found = self._read(incidents.c.id == incident_id, limit=1)
        return found[0] if found else None

    def list(self, *, limit: int = 500, **criteria) -> list[dict]:
        """Newest first (opened_at desc, id desc), matching every criterion given (see Criteria)."""
        return self._read(*Criteria(**criteria).clauses(), limit=limit)

    def person(self, key: str) -> tuple[str, str] | None:
        """(e-mail, class at their latest incident) of the person with this key, if any incident concerns them."""
        with self.engine.connect() as conn:
            row = conn.execute(select(people.c.email, people.c.person_class).where(people.c.person_key == key)
                               .order_by(people.c.incident_id.desc()).limit(1)).first()
        return (row.email, row.person_class) if row else None

    def counts(self, **criteria) -> dict[str, int]:
        """How many incidents there are in each status, matching every criterion but the status."""
        where = Criteria(**{**criteria, "status": None}).clauses()
        with self.engine.connect() as conn:
            rows = conn.execute(select(incidents.c.status, func.count()).where(*where)
                                .group_by(incidents.c.status)).all()
        return {"new": 0, "acknowledged": 0, "closed": 0} | dict(rows)

    @staticmethod
    def _lock(conn: Connection, meeting_uuid: str, rule: str, subject: str | None) -> int | None:
        """The incident's id, its row locked until the transaction ends (PostgreSQL; SQLite locks the file)."""
        return conn.execute(
            select(incidents.c.id).where(*_key(meeting_uuid, rule, subject)).with_for_update()
        ).scalar()

    def _note_people(self, conn: Connection, incident_id: int, evidence: dict) -> None:
        found = dict(reversed(list(concerned(evidence))))  # an e-mail's first class wins
        if found:
            rows = [{"incident_id": incident_id, "email": email, "person_key": person_key(email), "person_class": cls}
                    for email, cls in found.items()]
            conn.execute(self._insert(people).values(rows)
                         .on_conflict_do_nothing(index_elements=["incident_id", "email"]))

    @staticmethod
    def _summarise(conn: Connection, incident_id: int) -> None:
        """Copies onto the incident its occurrence count, its first occurrence and its latest one's clearing."""
        own = occurrences.c.incident_id == incident_id

        def first(column):
            return (select(column).where(own).order_by(occurrences.c.began_at, occurrences.c.id).limit(1)
                    .scalar_subquery())

        def latest(column):
            return (select(column).where(own).order_by(occurrences.c.began_at.desc(), occurrences.c.id.desc()).limit(1)
                    .scalar_subquery())

        conn.execute(
            update(incidents).where(incidents.c.id == incident_id).values(
                occurrences=select(func.count()).select_from(occurrences).where(own).scalar_subquery(),
                began_at=first(occurrences.c.began_at),
                opened_at=first(occurrences.c.opened_at),
                evidence=first(occurrences.c.evidence),
                cleared_at=latest(occurrences.c.cleared_at),
            )
        )

    def _read(self, *filters, limit: int) -> list[dict]:
        # One statement, so the incidents and their occurrences come from one snapshot.
        page = (select(incidents.c.id).where(*filters)
                .order_by(incidents.c.opened_at.desc(), incidents.c.id.desc()).limit(limit).subquery())
        statement = (
            select(incidents,
                   occurrences.c.began_at.label("occurrence_began_at"),
                   occurrences.c.opened_at.label("occurrence_opened_at"),
                   occurrences.c.cleared_at.label("occurrence_cleared_at"))
            .select_from(incidents.join(page, page.c.id == incidents.c.id)
                         .outerjoin(occurrences, occurrences.c.incident_id == incidents.c.id))
            .order_by(incidents.c.opened_at.desc(), incidents.c.id.desc(), occurrences.c.began_at, occurrences.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(statement).all()
        shown: dict[int, dict] = {}
        for row in rows:
            incident = shown.get(row.id)
            if incident is None:
                incident = shown[row.id] = _incident_json(row)
            if row.occurrence_began_at is not None:
                incident["occurrence_list"].append({
                    "began_at": iso_utc(row.occurrence_began_at),
                    "opened_at": iso_utc(row.occurrence_opened_at),
                    "cleared_at": iso_utc(row.occurrence_cleared_at),
                })
        for incident in shown.values():
            listed = incident["occurrence_list"]
            incident["last_at"] = listed[-1]["began_at"] if listed else incident["began_at"]
        return list(shown.values())


def _incident_json(row) -> dict:
    return {
        "id": row.id,
        "rule": row.rule,
        "meeting_uuid": row.meeting_uuid,
        "meeting_id": row.meeting_id,
        "subject": row.subject,
        "subject_class": row.subject_class,
        "severity": row.severity,
        "status": row.status,
        "topic": row.topic,
        "host": {"email": row.host_email, "class": row.host_class},
        "began_at": iso_utc(row.began_at),
        "opened_at": iso_utc(row.opened_at),
        "cleared_at": iso_utc(row.cleared_at),
        "occurrences": row.occurrences,
        "alert_state": row.alert_state,
        "acknowledged_at": iso_utc(row.acknowledged_at),
        "acknowledged_by": row.acknowledged_by,
        "closed_at": iso_utc(row.closed_at),
        "closed_by": row.closed_by,
        "outcome": row.outcome,
        "rationale": row.rationale,
        "assigned_to": row.assigned_to,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "evidence": row.evidence,
        "occurrence_list": [],
    }
