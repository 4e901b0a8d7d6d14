"""The incident tables, and the declarative Base of every table (the alert tables are in monitor/alerting/models.py).
Their history lives in monitor/migrations: change both together."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Takes aware datetimes and gives them back in UTC: PostgreSQL keeps the offset, SQLite gets naive UTC text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: incidents keep aware UTC times")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict: JSON}


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        # subject_key is the subject or "": NULLs never collide in a UNIQUE index
        UniqueConstraint("meeting_uuid", "rule", "subject_key", name="uq_incidents_meeting_rule_subject"),
        CheckConstraint("severity IN ('high', 'medium', 'low')", name="ck_incidents_severity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_uuid: Mapped[str]
    meeting_id: Mapped[str | None]
    topic: Mapped[str | None]
    rule: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None]
    subject_key: Mapped[str]
    subject_class: Mapped[str | None] = mapped_column(String(16))
    """The class of the person the subject is (e.g. the adult of a private chat), when it is a person."""
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    host_email: Mapped[str | None]
    host_class: Mapped[str | None]
    began_at: Mapped[datetime]
    opened_at: Mapped[datetime] = mapped_column(index=True)
    cleared_at: Mapped[datetime | None]
    occurrences: Mapped[int] = mapped_column(default=0, server_default="0")
    evidence: Mapped[dict]
    alert_enqueued_at: Mapped[datetime | None]
    alert_state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    """pending (waiting for its group), alerted, cleared (within the group wait: nothing sent), unrouted,
    silenced, inhibited (a meeting-level breach of the same meeting speaks for it), replayed (opened by
    ``monitor replay``, which alerts nobody)."""
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    """no_action, action_taken or referred"""
    rationale: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[str | None]
    """the e-mail of the member of staff it is assigned to"""
    due_on: Mapped[date | None]
    evidence_reduced_at: Mapped[datetime | None]
    """When retention removed its pupils' e-mails and names from its evidence (README, Retention)."""
    created_at: Mapped[datetime] = mapped_column(server_default=text("CURRENT_TIMESTAMP"))


class IncidentOccurrence(Base):
    __tablename__ = "incident_occurrences"
    __table_args__ = (UniqueConstraint("incident_id", "began_at", "event_key",
                                       name="uq_incident_occurrences_incident_began_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE", name="fk_incident_occurrences_incident"))
    began_at: Mapped[datetime]
    opened_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]
    evidence: Mapped[dict]
    event_key: Mapped[str] = mapped_column(default="", server_default="")
    """The delivery an event rule's occurrence came from; '' for a condition's."""


class AuditEntry(Base):
    """Who viewed or changed what, when. Append-only: the database refuses updates and deletes."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_incident_id", "incident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    account_id: Mapped[int | None]
    account_email: Mapped[str]
    action: Mapped[str] = mapped_column(String(32))
    incident_id: Mapped[int | None]
    detail: Mapped[dict]


class IncidentNote(Base):
    """A note written on an incident. Append-only, like the audit log."""

    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", name="fk_incident_notes_incident"), index=True)
    at: Mapped[datetime]
    account_id: Mapped[int | None]
    author_email: Mapped[str]
    text: Mapped[str] = mapped_column(Text)


class IncidentPerson(Base):
    """Everyone with an e-mail whom an incident concerns (present at one of its occurrences, or its host), by class:
    what a chronology of one pupil or one member of staff is read from."""

    __tablename__ = "incident_people"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE", name="fk_incident_people_incident"), primary_key=True)
    email: Mapped[str] = mapped_column(primary_key=True)
    person_key: Mapped[str] = mapped_column(String(24), index=True)
    person_class: Mapped[str] = mapped_column(String(16))


class UncheckedCondition(Base):
    """A timed check that failed again and again and was set aside, so that it holds up no other: the DSL sees that
    this lesson could not be checked for this rule."""

    __tablename__ = "unchecked_conditions"
    __table_args__ = (UniqueConstraint("meeting_uuid", "rule", "subject_key", "began_at",
                                       name="uq_unchecked_conditions_condition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_uuid: Mapped[str]
    meeting_id: Mapped[str | None]
    topic: Mapped[str | None]
    rule: Mapped[str] = mapped_column(String(64))
    subject_key: Mapped[str]
    began_at: Mapped[datetime]
    attempts: Mapped[int]
    error: Mapped[str] = mapped_column(String(64))
    """The kind of error (its class name): never its text, which may quote personal data."""
    set_aside_at: Mapped[datetime] = mapped_column(index=True)
