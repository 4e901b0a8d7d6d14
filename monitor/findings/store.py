"""Keeps the findings: each read of a lesson's or a teacher's settings replaces the open findings of that lesson or
teacher (new ones open, fixed ones resolve, the rest stay open), once, however many workers record at once.

Recording one subject takes a lock for that subject (PostgreSQL: a transaction advisory lock; SQLite: the write
lock), so that each finding is reported opened or resolved to one caller only; the partial unique index on
(kind, subject, setting) of the open findings stands behind it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Connection, Engine, case, func, select, text, update

from ..db import writing
from ..incidents.store import UPSERTING_INSERTS
from .appendix import Finding
from .models import FindingNotice, FindingRow

KINDS = ("meeting", "user")
SUBJECT_LOCKS = 0x66696E64
"""The first key of the findings' advisory locks on PostgreSQL (the second is the subject's)."""

findings_table = FindingRow.__table__
notices = FindingNotice.__table__


@dataclass(frozen=True)
class FindingRecord:
    """A finding as kept: times aware UTC."""

    id: int
    kind: str
    subject: str
    setting: str
    expected: str
    actual: str
    words: str
    fix: str
    topic: str | None
    host_email: str | None
    start_time: datetime | None
    series: bool
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


COLUMNS = [findings_table.c[f.name] for f in fields(FindingRecord)]


@dataclass(frozen=True)
class Recorded:
    """What one read changed: the findings it opened and resolved, and those open after it."""

    opened: list[FindingRecord]
    resolved: list[FindingRecord]
    open: list[FindingRecord]


def findings_key(findings: list[Finding]) -> str:
    """The same for the same set of findings, in any order."""
    items = sorted({(f.setting, f.expected, f.actual) for f in findings})
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()


def _subject_lock_key(kind: str, subject: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{kind}\n{subject}".encode()).digest()[:4], "big", signed=True)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"a finding's kind is meeting or user, not {kind!r}")


class FindingStore:
    def __init__(self, engine: Engine):
        dialect = engine.dialect.name
        if dialect not in UPSERTING_INSERTS:
            raise ValueError(f"findings are kept in SQLite or PostgreSQL, not in {dialect}")
        self.engine = engine
        self._insert = UPSERTING_INSERTS[dialect]

    def record(self, kind: str, subject: str, findings: list[Finding], at: datetime, *, topic: str | None = None,
               host_email: str | None = None, start_time: datetime | None = None, series: bool = False) -> Recorded:
        """The read of this subject's settings at ``at``: its open findings not in ``findings`` resolve at ``at``,
        new ones open (first seen ``at``), the others stay open (last seen ``at``, with what Zoom says now). A read
        older than one recorded already (``at`` before a finding of the subject was last seen or resolved) changes
        nothing."""
        _check_kind(kind)
        read = {finding.setting: finding for finding in findings}
        lesson = {"topic": topic, "host_email": host_email, "start_time": start_time, "series": series}
        of_subject = (findings_table.c.kind == kind, findings_table.c.subject == subject)
        with writing(self.engine) as conn:
            self._lock_subject(conn, kind, subject)
            if self._recorded_after(conn, kind, subject, at):
                return Recorded([], [], self._select(conn, *of_subject, findings_table.c.resolved_at.is_(None)))
            current = {row.setting: row.id for row in conn.execute(
                select(findings_table.c.setting, findings_table.c.id)
                .where(*of_subject, findings_table.c.resolved_at.is_(None)))}
            fixed = [row_id for setting, row_id in current.items() if setting not in read]
            if fixed:
                conn.execute(update(findings_table).where(findings_table.c.id.in_(fixed)).values(resolved_at=at))
            opened = []
            for setting, finding in read.items():
                values = {"expected": finding.expected, "actual": finding.actual, "words": finding.words,
                          "fix": finding.fix, "last_seen": at, **lesson}
                if setting in current:
                    conn.execute(update(findings_table).where(findings_table.c.id == current[setting]).values(values))
                else:
                    opened.append(conn.execute(findings_table.insert().values(
                        kind=kind, subject=subject, setting=setting, first_seen=at, **values)
                        .returning(findings_table.c.id)).scalar_one())
            still_open = self._select(conn, *of_subject, findings_table.c.resolved_at.is_(None))
            resolved = self._select(conn, findings_table.c.id.in_(fixed)) if fixed else []
        return Recorded([f for f in still_open if f.id in opened], resolved, still_open)

    def resolve_all(self, kind: str, subject: str, at: datetime) -> int:
        """The lesson was deleted (or Zoom no longer knows it): its open findings resolve. Returns how many."""
        _check_kind(kind)
        with writing(self.engine) as conn:
            return conn.execute(update(findings_table).where(
                findings_table.c.kind == kind, findings_table.c.subject == subject,
                findings_table.c.resolved_at.is_(None)).values(resolved_at=at)).rowcount

    def list(self, *, kind: str | None = None, open_only: bool = False, limit: int = 500) -> list[FindingRecord]:
        """Newest first (by when first seen)."""
        conditions = []
        if kind is not None:
            _check_kind(kind)
            conditions.append(findings_table.c.kind == kind)
        if open_only:
            conditions.append(findings_table.c.resolved_at.is_(None))
        with self.engine.connect() as conn:
            return self._select(conn, *conditions, limit=limit)

    def counts(self, since: datetime, until: datetime) -> dict[str, dict[str, int]]:
        """For each kind (meeting, user): how many findings were found and resolved in [since, until), and how many
        were still open at ``until``."""
        c = findings_table.c

        def number(condition) -> object:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        statement = select(c.kind, number((c.first_seen >= since) & (c.first_seen < until)).label("found"),
                           number((c.resolved_at >= since) & (c.resolved_at < until)).label("resolved"),
                           number((c.first_seen < until) & (c.resolved_at.is_(None) | (c.resolved_at >= until)))
                           .label("open")).group_by(c.kind)
        counted = {kind: {"found": 0, "resolved": 0, "open": 0} for kind in KINDS}
        with self.engine.connect() as conn:
            for row in conn.execute(statement):
                counted[row.kind] = {"found": int(row.found), "resolved": int(row.resolved), "open": int(row.open)}
        return counted

    def claim_notice(self, subject: str, findings: list[Finding], at: datetime) -> bool:
        """True once only for a lesson (its meeting id) and this exact set of findings: the caller then tells its
        host. An empty set is never claimed."""
        if not findings:
            return False
        with self.engine.begin() as conn:
            claimed = conn.execute(self._insert(notices)
                                   .values(subject=subject, findings_key=findings_key(findings), claimed_at=at)
                                   .on_conflict_do_nothing(index_elements=["subject", "findings_key"])
                                   .returning(notices.c.subject)).first()
        return claimed is not None

    @staticmethod
    def _lock_subject(conn: Connection, kind: str, subject: str) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"),
                         {"space": SUBJECT_LOCKS, "key": _subject_lock_key(kind, subject)})

    @staticmethod
    def _recorded_after(conn: Connection, kind: str, subject: str, at: datetime) -> bool:
        c = findings_table.c
        latest = conn.execute(select(func.max(c.last_seen), func.max(c.resolved_at))
                              .where(c.kind == kind, c.subject == subject)).one()
        return any(moment is not None and moment > at for moment in latest)

    @staticmethod
    def _select(conn: Connection, *conditions, limit: int | None = None) -> list[FindingRecord]:
        statement = select(*COLUMNS).where(*conditions).order_by(findings_table.c.first_seen.desc(),
                                                                 findings_table.c.id.desc())
        if limit is not None:
            statement = statement.limit(limit)
        return [FindingRecord(**row._mapping) for row in conn.execute(statement)]
