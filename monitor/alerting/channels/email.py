"""E-mail through the school's SMTP server: one message, plain text and HTML alternatives."""
from __future__ import annotations

import hashlib
import html
import logging
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from ..message import AlertMessage
from .channel import DeliveryError
from .text import LINK_LABEL, lesson_lines, one_line, reason

log = logging.getLogger(__name__)

SECURITIES = ("starttls", "ssl", "none")
NO_STARTTLS = "the server does not offer STARTTLS: set SMTP_SECURITY=none or ssl"
NO_SSL = "the server does not speak SSL/TLS on connecting: set SMTP_SECURITY=starttls or none"
"""What an IT admin reads when SMTP_SECURITY does not match the server (the usual mistake when setting it up)."""
SEVERITY_COLOURS = {"high": "#b00020", "medium": "#b45f06", "low": "#1f5fa8"}


def message_id(key: str, sender: str) -> str:
    """The same alert key always gives the same Message-ID, so a mail client or archive can drop a resend."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<alert.{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def email_text(message: AlertMessage) -> str:
    width = max((len(label) for label, _ in message.facts), default=0)
    facts = "\n".join(f"{label + ':':<{width + 1}} {value}" for label, value in message.facts)
    lessons = "\n".join(f"{line}\n    {lesson.link}" for line, lesson in zip(lesson_lines(message), message.lessons))
    parts = [message.title, message.text, facts, lessons and f"Lessons:\n{lessons}", f"{LINK_LABEL}: {message.link}"]
    return "\n\n".join(part for part in parts if part) + "\n"


def email_html(message: AlertMessage) -> str:
    e = html.escape
    colour = SEVERITY_COLOURS.get(message.severity, SEVERITY_COLOURS["low"])
    rows = "".join(
        f'<tr><th align="left" style="padding:4px 16px 4px 0;color:#555">{e(label)}</th>'
        f'<td style="padding:4px 0">{e(value)}</td></tr>'
        for label, value in message.facts)
    lessons = "".join(
        f'<tr><td style="padding:4px 16px 4px 0">{e(line.when)}</td><td style="padding:4px 16px 4px 0">'
        f'<a href="{e(line.link)}">{e(line.lesson)}</a></td><td style="padding:4px 0;color:#555">'
        f'Meeting ID {e(line.meeting_id)}</td></tr>'
        for line in message.lessons)
    if lessons:
        lessons = f'<table role="presentation" style="border-collapse:collapse;margin:0 0 20px">{lessons}</table>\n'
    return (
        '<!DOCTYPE html>\n<html><body style="font-family:Arial,Helvetica,sans-serif;color:#1a1a1a">\n'
        f'<h2 style="margin:0 0 12px;color:{colour}">{e(message.title)}</h2>\n'
        f'<p style="margin:0 0 16px">{e(message.text)}</p>\n'
        f'<table role="presentation" style="border-collapse:collapse;margin:0 0 20px">{rows}</table>\n'
        f'{lessons}'
        f'<p><a href="{e(message.link)}" style="display:inline-block;padding:10px 18px;background:{colour};'
        f'color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold">{e(LINK_LABEL)}</a></p>\n'
        '</body></html>\n')


def compose_email(message: AlertMessage, sender: str, recipients: Sequence[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = one_line(message.title)
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = message_id(message.key, sender)
    mail["Auto-Submitted"] = "auto-generated"
    if message.severity == "high":
        mail["Importance"] = "high"
    mail.set_content(email_text(message))
    mail.add_alternative(email_html(message), subtype="html")
    return mail


class EmailChannel:
    """Sends through the school's SMTP server, with verified TLS unless security is "none", to ``to``."""

    kind = "e-mail"

    def __init__(self, *, host: str, port: int, security: str = "starttls", username: str | None = None,
                 password: str | None = None, sender: str, to: Sequence[str] = (), timeout: float = 10,
                 ssl_context: ssl.SSLContext | None = None):
        if security not in SECURITIES:
            raise ValueError(f"e-mail security must be one of {', '.join(SECURITIES)}, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.username, self._password = username, password
        self.sender, self.to, self.timeout = sender, tuple(to), timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def send(self, message: AlertMessage, recipients: Sequence[str] | None = None) -> None:
        """One e-mail to the channel's ``to`` (or to ``recipients``): plain text and HTML alternatives, the subject
        is the title."""
        recipients = self.to if recipients is None else recipients
        if not recipients:
            raise ValueError("an e-mail alert needs at least one recipient")
        self.send_mail(compose_email(message, self.sender, recipients), recipients)

    def send_mail(self, mail: EmailMessage, recipients: Sequence[str]) -> None:
        """Sends a composed e-mail (its From is this channel's sender) to the recipients."""
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=self.ssl_context)
                if self.username:
                    smtp.login(self.username, self._password or "")
                refused = smtp.send_message(mail, from_addr=parseaddr(self.sender)[1], to_addrs=list(recipients))
        except smtplib.SMTPRecipientsRefused as exc:
            raise self._error(exc, f"all {len(exc.recipients)} recipients refused") from None
        except smtplib.SMTPNotSupportedError as exc:
            if self.security == "starttls" and "STARTTLS" in str(exc):
                raise self._hint(NO_STARTTLS) from None
            raise self._error(exc, self._describe(exc)) from None
        except ssl.SSLError as exc:
            if self.security == "ssl" and not isinstance(exc, ssl.SSLCertVerificationError):
                raise self._hint(NO_SSL) from None
            raise self._error(exc, self._describe(exc)) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise self._error(exc, self._describe(exc)) from None
        if refused:
            # Raising would make the caller resend to everyone who already has it.
            log.warning("e-mail via %s:%s: %d of %d recipients refused", self.host, self.port, len(refused),
                        len(recipients))

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.ssl_context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    @staticmethod
    def _describe(exc: Exception) -> str:
        if isinstance(exc, smtplib.SMTPResponseException):
            error = exc.smtp_error
            text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
            return f"{exc.smtp_code} {text}"
        return str(exc)

    def _hint(self, hint: str) -> DeliveryError:
        return DeliveryError(f"e-mail via {self.host}:{self.port}: {hint}")

    def _error(self, exc: Exception, why: str) -> DeliveryError:
        why = reason(why, [self._password])
        return DeliveryError(f"e-mail via {self.host}:{self.port}: {type(exc).__name__}: {why}")
