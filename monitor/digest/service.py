"""Making, keeping and sending the weekly digest; and the hourly tick that sends it when it is due."""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ..alerting.channels import EmailChannel, smtp_channel
from ..clock import Clock, utc_now, wall_clock
from ..config import SchoolConfig
from ..findings.store import FindingStore
from .figures import Digest, make_digest
from .render import render_html, render_text, title
from .store import DigestStore
from .week import Week, due_week

log = logging.getLogger(__name__)


def compose(digest: Digest, sender: str, recipients: list[str], link: str, now: float) -> EmailMessage:
    """One e-mail: plain text and HTML alternatives. The Message-ID is the same for every send of a week's digest,
    so that a mail client or archive can drop a resend."""
    mail = EmailMessage()
    mail["Subject"] = title(digest)
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(now, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    key = hashlib.sha256(f"{digest.school}|{digest.week}".encode()).hexdigest()[:24]
    mail["Message-ID"] = f"<digest.{digest.week}.{key}@{domain}>"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(render_text(digest, link))
    mail.add_alternative(render_html(digest, link), subtype="html")
    return mail


class DigestService:
    def __init__(self, config: SchoolConfig, engine: Engine, clock: Clock = wall_clock, *,
                 environ: Mapping[str, str] = os.environ,
                 channel: Callable[[Mapping[str, str]], EmailChannel] = smtp_channel):
        self.config, self.clock, self.environ, self._channel = config, clock, environ, channel
        self.store = DigestStore(engine)
        self.findings = FindingStore(engine)
        self.tz = ZoneInfo(config.school.timezone)

    def now(self) -> datetime:
        return utc_now(self.clock)

    def last_week(self) -> Week:
        """The last whole week, school time."""
        return Week.containing(self.now(), self.tz).before()

    def latest_week(self) -> Week:
        """The latest whole week with lessons or incidents (the last whole week when there were none at all): what a
        reader asks for without naming a week."""
        last = self.last_week()
        activity = self.store.last_activity(last.bounds(self.tz)[1])
        return Week.containing(activity, self.tz) if activity is not None else last

    def make(self, week: Week) -> Digest:
        """The week's digest from the database as it stands (neither kept nor sent)."""
        start, end = week.bounds(self.tz)
        trend_start = week.before(4).bounds(self.tz)[0]
        return make_digest(week, self.store.facts(start, end), self.store.lessons.between(trend_start, end),
                           tz=self.tz, school=self.config.school.name,
                           overdue_days=self.config.digest.overdue_days,
                           staff_names={email: m.name for email, m in self.config.staff.by_email.items()},
                           made_at=self.now(), findings=self._findings(start, end))

    def _findings(self, start: datetime, end: datetime) -> dict | None:
        """The week's counts of findings, when Zoom's API is connected or there are some."""
        counts = self.findings.counts(start, end)
        if self.config.zoom_api.enabled or any(n for kind in counts.values() for n in kind.values()):
            return counts
        return None

    def link(self, week: Week | str) -> str:
        return f"{self.config.alerts.base_url.rstrip('/')}/digests/{week}"

    def due_week(self, at: datetime | None = None) -> Week:
        """The latest week whose digest is due at ``at`` (default: now)."""
        return due_week(at or self.now(), self.tz, self.config.digest.weekday, self.config.digest.hour)

    def send(self, week: Week, *, again: bool = False) -> str:
        """Makes and keeps the week's digest and e-mails it to the recipients, unless it was sent already (or,
        with ``again``, even then, with the figures kept when it was first sent).

        Returns what happened: sent, kept (no recipients), already sent, or being sent (by another worker just
        now). Raises DeliveryError when the mail server refuses."""
        digest = self.make(week)
        self.store.keep(digest)
        recipients = list(self.config.digest.recipients)
        if not recipients:
            log.info("digest %s kept; no [digest] recipients to send it to", week)
            return "kept"
        if not self.store.claim(week, self.now(), again=again):
            stored = self.store.get(week)
            return "already sent" if stored and stored[1] else "being sent"
        try:
            digest = self.store.get(week)[0]  # as kept: once sent, a resend sends the same figures
            channel = self._channel(self.environ)
            channel.send_mail(compose(digest, channel.sender, recipients, self.link(week), self.clock()), recipients)
        except Exception:
            self.store.release(week)
            raise
        self.store.sent(week, self.now(), recipients)
        log.info("digest %s sent to %d recipient(s)", week, len(recipients))
        return "sent"

    def tick(self, at: datetime) -> str | None:
        """Sends the digest that is due at ``at`` unless it is done; None when there was nothing to do."""
        week = self.due_week(at)
        stored = self.store.get(week)
        if stored is not None and (stored[1] is not None or not self.config.digest.recipients):
            return None
        return self.send(week)
