"""The findings' tables, on the incidents' Base (one metadata, one migration history in monitor/migrations: change
both together)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from ..incidents.models import Base

OPEN = text("resolved_at IS NULL")


class FindingRow(Base):
    """One setting of a lesson or of a teacher's Zoom account that differs from the protocol's appendix, from when it
    was first read so until a read found it fixed (or the lesson was deleted)."""

    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint("kind IN ('meeting', 'user')", name="ck_findings_kind"),
        # one open finding per setting of a lesson or teacher, however many workers record it at once
        Index("uq_findings_open_setting", "kind", "subject", "setting", unique=True,
              sqlite_where=OPEN, postgresql_where=OPEN),
        Index("ix_findings_first_seen", "first_seen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """meeting or user"""
    subject: Mapped[str]
    """The meeting id, or the teacher's e-mail."""
    setting: Mapped[str] = mapped_column(String(128))
    expected: Mapped[str]
    actual: Mapped[str]
    words: Mapped[str] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None]
    host_email: Mapped[str | None]
    start_time: Mapped[datetime | None]
    """The lesson's time (of a series: its next lesson's), when Zoom gave one."""
    series: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A recurring meeting: one set of findings for every lesson of the series."""
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class FindingNotice(Base):
    """The teacher was told (or is being told) of this exact set of findings on their lesson: told once only."""

    __tablename__ = "finding_notices"

    subject: Mapped[str] = mapped_column(primary_key=True)
    findings_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """A digest of the set of findings (each setting, expected and actual value)."""
    claimed_at: Mapped[datetime]
