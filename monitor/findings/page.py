"""What the settings page shows, from the findings kept: pure, so that its sorting is tested without a browser.

Open findings of a lesson whose day has passed (a lesson of one date, not a series) are no longer "upcoming": they
are kept apart, folded, for the record, like the resolved ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .store import FindingRecord

RESOLVED_SHOWN = 200


@dataclass
class Subject:
    """A lesson (its meeting id) or a teacher (their e-mail) with its findings, newest first."""

    kind: str
    subject: str
    findings: list[FindingRecord] = field(default_factory=list)

    @property
    def latest(self) -> FindingRecord:
        """The newest finding, whose lesson facts (topic, host, time) are the latest read."""
        return max(self.findings, key=lambda f: f.last_seen)

    @property
    def first_seen(self) -> datetime:
        return min(f.first_seen for f in self.findings)


@dataclass
class SettingsPage:
    upcoming: list[Subject]
    past: list[Subject]
    teachers: list[Subject]
    resolved: list[FindingRecord]

    @property
    def empty(self) -> bool:
        return not (self.upcoming or self.past or self.teachers or self.resolved)


def by_subject(findings: list[FindingRecord]) -> list[Subject]:
    """Grouped by lesson or teacher, in the order of each one's newest finding (``findings`` newest first); a
    subject's findings newest first, those of one read in the order they were found (contracts.md's)."""
    subjects: dict[tuple[str, str], Subject] = {}
    for finding in findings:
        subjects.setdefault((finding.kind, finding.subject), Subject(finding.kind, finding.subject)).findings.append(
            finding)
    for subject in subjects.values():
        subject.findings.sort(key=lambda f: f.id)
        subject.findings.sort(key=lambda f: f.first_seen, reverse=True)
    return list(subjects.values())


def _past(lesson: Subject, today_began: datetime) -> bool:
    facts = lesson.latest
    return not facts.series and facts.start_time is not None and facts.start_time < today_began


def settings_page(open_findings: list[FindingRecord], resolved: list[FindingRecord],
                  today_began: datetime) -> SettingsPage:
    """``open_findings`` newest first; of ``resolved``, the resolved ones are kept (the latest RESOLVED_SHOWN);
    ``today_began``: the start of the school's day now (a lesson earlier than that is past)."""
    lessons = by_subject([f for f in open_findings if f.kind == "meeting"])
    return SettingsPage(
        upcoming=[lesson for lesson in lessons if not _past(lesson, today_began)],
        past=[lesson for lesson in lessons if _past(lesson, today_began)],
        teachers=by_subject([f for f in open_findings if f.kind == "user"]),
        resolved=sorted((f for f in resolved if not f.is_open), key=lambda f: (f.resolved_at, f.id),
                        reverse=True)[:RESOLVED_SHOWN],
    )
