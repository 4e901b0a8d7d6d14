"""The reads of Zoom's API that the jobs run: a lesson's settings, a member of staff's settings, an unknown host's
e-mail. What a read finds against the protocol's appendix is recorded as findings (nothing has happened yet: they are
not incidents); a later read that finds a setting fixed resolves its finding."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from redis import Redis

from .. import keys
from ..classes import classify
from ..clock import Clock, utc_now
from ..config import SchoolConfig, normalise_email
from ..findings.appendix import meeting_findings, user_findings
from ..findings.store import FindingStore
from ..pipeline import Pipeline
from ..zoom_api import ZoomApi
from .notice import send_notice

log = logging.getLogger(__name__)
SERIES = frozenset({3, 8})
"""Meeting types of a recurring series: its occurrences share one meeting id, and one set of findings."""
NOTIFIED_CLASSES = frozenset({"teacher", "staff"})
"""Whom a lesson's findings are e-mailed to (with notify_hosts): its host, when a member of staff."""


@dataclass
class SettingsReader:
    config: SchoolConfig
    api: ZoomApi
    findings: FindingStore
    redis: Redis
    pipeline: Pipeline
    clock: Clock

    def now(self) -> datetime:
        return utc_now(self.clock)

    def read_meeting(self, meeting_id: str) -> None:
        """Reads a lesson's settings and records what breaks the protocol (a deleted meeting's findings resolve)."""
        meeting = self.api.meeting(meeting_id)
        self.redis.set(keys.zoom_meeting_read(meeting_id), "read", ex=keys.ZOOM_READ_SECONDS)
        if meeting is None:
            self.meeting_deleted(meeting_id)
            return
        found = meeting_findings(meeting, self.config.rules.recording_source)
        host = normalise_email(meeting["host_email"]) if meeting.get("host_email") else None
        start = _time(meeting.get("start_time"))
        recorded = self.findings.record("meeting", meeting_id, found, self.now(), topic=meeting.get("topic"),
                                        host_email=host, start_time=start, series=meeting.get("type") in SERIES)
        log.info("meeting %s settings read: %d finding(s), %d new, %d resolved", meeting_id, len(found),
                 len(recorded.opened), len(recorded.resolved))
        if found and host and self.config.zoom_api.notify_hosts and \
                classify(self.config, host) in NOTIFIED_CLASSES and \
                self.findings.claim_notice(meeting_id, found, self.now()):
            send_notice(self.config, host, meeting_id, meeting.get("topic"), start, found)

    def meeting_deleted(self, meeting_id: str) -> None:
        resolved = self.findings.resolve_all("meeting", meeting_id, self.now())
        log.info("meeting %s deleted: %d finding(s) resolved", meeting_id, resolved)

    def read_user(self, user: str) -> None:
        """Reads a member of staff's own Zoom settings (``user``: their e-mail or Zoom user id). Someone the staff
        directory does not list is not read; someone with no Zoom account has nothing to find."""
        member = self.config.staff.find(email=normalise_email(user)) or self.config.staff.find(zoom_user_id=user)
        email = member.email if member else self._email_of(user)
        if email is None or self.config.staff.find(email=email) is None:
            return
        settings = self.api.user_settings(email)
        if settings is None:  # no Zoom account (code 1001): not a finding
            self.findings.resolve_all("user", email, self.now())
            return
        found = user_findings(settings, self.api.user_settings(email, "meeting_security"),
                              self.api.user_settings(email, "meeting_authentication"),
                              self.config.rules.recording_source)
        recorded = self.findings.record("user", email, found, self.now())
        log.info("a member of staff's settings read: %d finding(s), %d new, %d resolved", len(found),
                 len(recorded.opened), len(recorded.resolved))

    def identify_host(self, uuid: str, zoom_user_id: str) -> None:
        """Names a host whom nothing else named, so that the host rule judges the real person (rules.md, "A host
        identified later")."""
        email = self._email_of(zoom_user_id)
        if email:
            self.pipeline.learn_identity(uuid, zoom_user_id, email)

    def _email_of(self, zoom_user_id: str) -> str | None:
        """A Zoom user's e-mail, from Zoom's API, remembered for a day (also that there is none)."""
        cached = self.redis.get(keys.zoom_user_email(zoom_user_id))
        if cached is not None:
            return cached.decode() or None
        user = self.api.user(zoom_user_id)
        email = normalise_email(user["email"]) if user and user.get("email") else None
        self.redis.set(keys.zoom_user_email(zoom_user_id), email or "", ex=keys.ZOOM_READ_SECONDS)
        return email


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
