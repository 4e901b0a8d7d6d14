"""The e-mail a teacher gets when their scheduled lesson's Zoom settings break the protocol (``notify_hosts``): once
per lesson and set of findings, in plain words, with how to fix each in Zoom. It goes through the alerts' SMTP
server; it names the lesson and the settings, nobody else."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from ..alerting.channels import DeliveryError, smtp_channel
from ..alerting.message import AlertMessage
from ..config import SchoolConfig
from ..findings.appendix import Finding

log = logging.getLogger(__name__)


def notice(config: SchoolConfig, meeting_id: str, topic: str | None, start: datetime | None,
           findings: Sequence[Finding]) -> AlertMessage:
    lesson = " ".join((topic or "").split()) or f"meeting {meeting_id}"
    when = start.astimezone(ZoneInfo(config.school.timezone)).strftime(config.school.date_format) if start else None
    count = f"{len(findings)} Zoom setting{'s' if len(findings) > 1 else ''}"
    facts = [("Lesson", lesson), ("Meeting ID", meeting_id), *([("When", when)] if when else [])]
    facts += [(f"Setting {n}", f"{f.words} {f.fix}") for n, f in enumerate(findings, start=1)]
    key = hashlib.sha256(f"{meeting_id}:{sorted(f.setting for f in findings)}".encode()).hexdigest()[:32]
    return AlertMessage(
        title=f"Before your lesson {lesson}: {count} to change in Zoom",
        text=f"{config.school.name}'s remote-teaching protocol asks for different Zoom settings for your lesson "
             f"{lesson}. Please change {'them' if len(findings) > 1 else 'it'} in Zoom before the lesson starts; "
             "the safeguarding lead sees these too.",
        facts=tuple(facts), link=f"https://zoom.us/meeting/{meeting_id}/edit", severity="medium", key=key)


def send_notice(config: SchoolConfig, host: str, meeting_id: str, topic: str | None, start: datetime | None,
                findings: Sequence[Finding]) -> None:
    """Sends it. A failure is logged, not retried (the findings stay on the settings page for the DSL): the notice
    was claimed before sending, so that no two workers send it."""
    try:
        smtp_channel(to=[host]).send(notice(config, meeting_id, topic, start, findings))
    except DeliveryError as exc:
        log.warning("the e-mail to meeting %s's host about its settings failed: %s", meeting_id, exc)
