"""Retention (README, Retention): what is past its period in ``[retention]`` is deleted, or, for a closed incident's
evidence, reduced (its pupils' e-mails and names removed, each pupil counted by class). The audit log, and each
incident's decision, rationale and notes, are never touched: the job only adds to the audit log what it did.

``due`` and ``apply`` choose with the same conditions, so a dry run lists exactly what a run would change then."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, delete, func, select, update

from ..alerting.models import AlertDelivery
from ..config import RetentionSection
from ..db import writing
from ..findings.models import FindingNotice, FindingRow
from ..incidents.concerned import person_key
from ..incidents.models import Incident, IncidentOccurrence, IncidentPerson, UncheckedCondition
from ..incidents.triage import write_audit
from ..lessons import LessonRow
from ..times import iso_utc
from .redact import pupils, redact

log = logging.getLogger(__name__)

RETENTION = (None, "monitor:retention")
"""Who the audit log says did it."""
REMOVED = "retention"
"""Why a pupil is not named in reduced evidence."""

incidents, occurrences, people = Incident.__table__, IncidentOccurrence.__table__, IncidentPerson.__table__
lessons, deliveries, unchecked = LessonRow.__table__, AlertDelivery.__table__, UncheckedCondition.__table__
findings, notices = FindingRow.__table__, FindingNotice.__table__


def years_before(moment: datetime, years: int) -> datetime:
    """The same day and time ``years`` calendar years earlier (29 February: the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@dataclass(frozen=True)
class Cutoffs:
    """What came before each of these moments is past its period."""

    lessons: datetime
    delivery_attempts: datetime
    set_aside_checks: datetime
    findings: datetime
    evidence: datetime

    @classmethod
    def of(cls, settings: RetentionSection, now: datetime) -> "Cutoffs":
        return cls(lessons=now - timedelta(days=settings.lessons_days),
                   delivery_attempts=now - timedelta(days=settings.delivery_attempts_days),
                   set_aside_checks=now - timedelta(days=settings.set_aside_checks_days),
                   findings=now - timedelta(days=settings.findings_days),
                   evidence=years_before(now, settings.evidence_years))

    def deletions(self) -> dict[str, tuple]:
        """Each table's rows past their period: (table, condition)."""
        still_open = select(findings.c.subject).where(findings.c.resolved_at.is_(None), findings.c.kind == "meeting")
        return {
            "lessons": (lessons, lessons.c.started_at < self.lessons),
            "delivery_attempts": (deliveries, deliveries.c.at < self.delivery_attempts),
            "set_aside_checks": (unchecked, unchecked.c.set_aside_at < self.set_aside_checks),
            "findings": (findings, and_(findings.c.resolved_at.is_not(None), findings.c.resolved_at < self.findings)),
            # a notice is what stops a teacher being told twice of one set of findings: kept while any is open
            "finding_notices": (notices, and_(notices.c.claimed_at < self.findings,
                                              notices.c.subject.not_in(still_open))),
        }

    def evidence_due(self):
        return and_(incidents.c.status == "closed", incidents.c.closed_at < self.evidence,
                    incidents.c.evidence_reduced_at.is_(None))


@dataclass
class Outcome:
    """What a run deleted (or a dry run would): rows by kind, and the closed incidents whose evidence is reduced
    (id -> when it was closed)."""

    cutoffs: Cutoffs
    deleted: dict[str, int]
    incidents: dict[int, datetime] = field(default_factory=dict)

    def audit_detail(self) -> dict:
        return {**self.deleted, "incidents_reduced": sorted(self.incidents)}

    def described(self, settings: RetentionSection, zone: ZoneInfo, day_format: str, *, done: bool) -> list[str]:
        """What was (or would be) deleted and reduced, in lines for a person: no one is named, incidents by id."""
        def day(moment: datetime) -> str:
            return moment.astimezone(zone).strftime(day_format)

        c = self.cutoffs
        lines = ["Deleted:" if done else "Would delete:"]
        for kind, words, before, key in (
                ("lessons", "lesson record(s) that began before", c.lessons, "lessons_days"),
                ("delivery_attempts", "alert delivery attempt(s) made before", c.delivery_attempts,
                 "delivery_attempts_days"),
                ("set_aside_checks", "check(s) set aside before", c.set_aside_checks, "set_aside_checks_days"),
                ("findings", "Zoom settings finding(s) resolved before", c.findings, "findings_days"),
                ("finding_notices", "notice(s) to teachers of findings, made before", c.findings, "findings_days")):
            lines.append(f"  {self.deleted[kind]} {words} {day(before)} ({key} = {getattr(settings, key)})")
        lines.append(f"{'Reduced' if done else 'Would reduce'} the evidence of {len(self.incidents)} closed "
                     f"incident(s), closed before {day(c.evidence)} (evidence_years = {settings.evidence_years}): "
                     "their pupils' e-mails and names removed, each pupil counted by class"
                     + (":" if self.incidents else "."))
        lines += [f"  #{number} closed {day(closed_at)}" for number, closed_at in sorted(self.incidents.items())]
        return lines


class RetentionHeld(RuntimeError):
    """[retention] hold is set: a run changes nothing."""


class Retention:
    def __init__(self, engine: Engine, settings: RetentionSection):
        self.engine = engine
        self.settings = settings

    def due(self, now: datetime) -> Outcome:
        """What a run now would delete and reduce; changes nothing."""
        cutoffs = Cutoffs.of(self.settings, now)
        with self.engine.connect() as conn:
            deleted = {kind: conn.execute(select(func.count()).select_from(table).where(condition)).scalar_one()
                       for kind, (table, condition) in cutoffs.deletions().items()}
            due = conn.execute(select(incidents.c.id, incidents.c.closed_at).where(cutoffs.evidence_due())
                               .order_by(incidents.c.id)).all()
        return Outcome(cutoffs, deleted, {row.id: row.closed_at for row in due})

    def apply(self, now: datetime, run: str = "daily") -> Outcome:
        """Deletes and reduces what is past its period, and writes what it did into the audit log (``run``: daily,
        or command when run by hand)."""
        if self.settings.hold:
            raise RetentionHeld("retention is on hold ([retention] hold = true): nothing was deleted or reduced")
        cutoffs = Cutoffs.of(self.settings, now)
        with writing(self.engine) as conn:
            deleted = {kind: conn.execute(delete(table).where(condition)).rowcount
                       for kind, (table, condition) in cutoffs.deletions().items()}
        with self.engine.connect() as conn:
            due = conn.execute(select(incidents.c.id).where(cutoffs.evidence_due())
                               .order_by(incidents.c.id)).scalars().all()
        reduced = {}
        for incident_id in due:
            closed_at = self._reduce(incident_id, cutoffs, now)
            if closed_at is not None:
                reduced[incident_id] = closed_at
        outcome = Outcome(cutoffs, deleted, reduced)
        with writing(self.engine) as conn:
            write_audit(conn, RETENTION, "retention", None, {**outcome.audit_detail(), "run": run}, now)
        log.info("retention: deleted %s; reduced the evidence of %d closed incident(s)",
                 ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in deleted.items()), len(reduced))
        return outcome

    def _reduce(self, incident_id: int, cutoffs: Cutoffs, now: datetime) -> datetime | None:
        """Removes the pupils' e-mails and names from one closed incident's evidence (and its occurrences'), and
        from whom it concerns; None when it is no longer due (reopened, or reduced by another run meanwhile)."""
        with writing(self.engine) as conn:
            row = conn.execute(select(incidents).where(incidents.c.id == incident_id, cutoffs.evidence_due())
                               .with_for_update()).first()
            if row is None:
                return None
            values = {"evidence": redact(row.evidence, pupils, REMOVED)[0], "evidence_reduced_at": now}
            if row.subject and row.subject_class == "pupil":
                values |= {"subject": None, "subject_key": f"{REMOVED}:{person_key(row.subject)}"}
            if row.host_email and row.host_class == "pupil":
                values["host_email"] = None
            conn.execute(update(incidents).where(incidents.c.id == incident_id).values(**values))
            for occurrence in conn.execute(select(occurrences.c.id, occurrences.c.evidence)
                                           .where(occurrences.c.incident_id == incident_id)).all():
                conn.execute(update(occurrences).where(occurrences.c.id == occurrence.id)
                             .values(evidence=redact(occurrence.evidence, pupils, REMOVED)[0]))
            named = conn.execute(delete(people).where(people.c.incident_id == incident_id,
                                                      people.c.person_class == "pupil")).rowcount
            write_audit(conn, RETENTION, "reduce_evidence", incident_id,
                        {"pupils": named, "closed_at": iso_utc(row.closed_at),
                         "after_years": self.settings.evidence_years}, now)
        return row.closed_at
