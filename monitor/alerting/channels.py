"""The channels that deliver an alert: e-mail, Microsoft Teams, Slack and a generic signed JSON webhook.

A channel only formats and sends: it adds nothing to what the AlertMessage says. Its words are plain text, some of
them Zoom's (a meeting's topic is whatever its host typed), so each channel puts them in its markup as text: HTML
escaped in the e-mail, Markdown escaped for Teams, plain_text objects for Slack; the webhook's JSON is data. The
URLs of Teams and Slack webhooks are secrets (whoever knows one can post to the channel), so errors name only their
scheme and host.
"""
from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import httpx

from monitor.alerting.message import AlertMessage
from monitor.clock import Clock, wall_clock
from monitor.times import iso_ms

log = logging.getLogger(__name__)

# httpx logs every request's full URL at INFO, and these URLs are secrets.
logging.getLogger("httpx").setLevel(logging.WARNING)

LINK_LABEL = "Open in the incident queue"
SECURITIES = ("starttls", "ssl", "none")
TLS = ssl.create_default_context()
"""Verified TLS for the webhooks, made once: making it loads the certificate store (about 0.1 s a delivery when a
worker's freshly forked job made it each time)."""
SEVERITY_COLOURS = {"high": "#b00020", "medium": "#b45f06", "low": "#1f5fa8"}
TEAMS_COLOURS = {"high": "Attention", "medium": "Warning"}
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>~]|&(?=#?\w+;))")
MARKDOWN_LINE_START = re.compile(r"^(\s*)(\d*)([#+=-]|(?<=\d)[.)])", re.MULTILINE)
EMAIL_ADDRESS = re.compile(r"<?[^\s<>@()\[\],;:\"]+@[^\s<>@()\[\],;:\"]+>?")
SLACK_HEADER_MAX, SLACK_TEXT_MAX, SLACK_FIELD_MAX, SLACK_FIELDS_PER_SECTION = 150, 3000, 2000, 10


class DeliveryError(Exception):
    """The channel refused or could not be reached; the message says which and why (no secrets)."""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _reason(text: str, secrets: Sequence[str | None] = ()) -> str:
    """A server's reason, fit for the log: without the channel's secrets, and without the e-mail addresses that
    mail servers quote ("550 5.1.1 <dsl@school.example>: unknown user")."""
    for secret in secrets:
        if secret and len(secret) > 1:
            text = text.replace(secret, "…")
    return _clip(_one_line(EMAIL_ADDRESS.sub("an address", text)), 200) or "no reason given"


# --- e-mail -----------------------------------------------------------------------------------------------------

def message_id(key: str, sender: str) -> str:
    """The same alert key always gives the same Message-ID, so a mail client or archive can drop a resend."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<alert.{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def email_text(message: AlertMessage) -> str:
    width = max((len(label) for label, _ in message.facts), default=0)
    facts = "\n".join(f"{label + ':':<{width + 1}} {value}" for label, value in message.facts)
    parts = [message.title, message.text, facts, f"{LINK_LABEL}: {message.link}"]
    return "\n\n".join(part for part in parts if part) + "\n"


def email_html(message: AlertMessage) -> str:
    e = html.escape
    colour = SEVERITY_COLOURS.get(message.severity, SEVERITY_COLOURS["low"])
    rows = "".join(
        f'<tr><th align="left" style="padding:4px 16px 4px 0;color:#555">{e(label)}</th>'
        f'<td style="padding:4px 0">{e(value)}</td></tr>'
        for label, value in message.facts)
    return (
        '<!DOCTYPE html>\n<html><body style="font-family:Arial,Helvetica,sans-serif;color:#1a1a1a">\n'
        f'<h2 style="margin:0 0 12px;color:{colour}">{e(message.title)}</h2>\n'
        f'<p style="margin:0 0 16px">{e(message.text)}</p>\n'
        f'<table role="presentation" style="border-collapse:collapse;margin:0 0 20px">{rows}</table>\n'
        f'<p><a href="{e(message.link)}" style="display:inline-block;padding:10px 18px;background:{colour};'
        f'color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold">{e(LINK_LABEL)}</a></p>\n'
        '</body></html>\n')


def compose_email(message: AlertMessage, sender: str, recipients: Sequence[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = _one_line(message.title)
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
    """Sends through the school's SMTP server, with verified TLS unless security is "none"."""

    def __init__(self, *, host: str, port: int, security: str = "starttls", username: str | None = None,
                 password: str | None = None, sender: str, timeout: float = 10,
                 ssl_context: ssl.SSLContext | None = None):
        if security not in SECURITIES:
            raise ValueError(f"e-mail security must be one of {', '.join(SECURITIES)}, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.username, self._password = username, password
        self.sender, self.timeout = sender, timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def send(self, message: AlertMessage, recipients: Sequence[str]) -> None:
        """One e-mail to all the recipients: plain text and HTML alternatives, the subject is the title."""
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

    def _error(self, exc: Exception, reason: str) -> DeliveryError:
        reason = _reason(reason, [self._password])
        return DeliveryError(f"e-mail via {self.host}:{self.port}: {type(exc).__name__}: {reason}")


# --- HTTP webhooks ----------------------------------------------------------------------------------------------

def encode_json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class _HttpChannel:
    kind = "webhook"

    def __init__(self, url: str, timeout: float = 10):
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise ValueError(f"{self.kind}: not a valid URL") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError(f"{self.kind}: the URL must start with https:// (or http://) and name a host")
        host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
        port = f":{parsed.port}" if parsed.port else ""
        self.origin = f"{parsed.scheme}://{host}{port}"
        self.url, self.timeout = url, timeout
        self._secrets = [url, parsed.raw_path.decode("ascii", "replace"), parsed.path, parsed.query.decode()]

    def _post(self, message: AlertMessage, body: bytes, headers: dict[str, str] | None = None) -> None:
        """Every POST carries the alert's key as Idempotency-Key: a resend of the same alert has the same one."""
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.key, **(headers or {})}
        try:
            response = httpx.post(self.url, content=body, timeout=self.timeout, verify=TLS, headers=headers)
        except httpx.HTTPError as exc:
            reason = _reason(str(exc), self._secrets)
            raise DeliveryError(f"{self.kind} {self.origin}: {type(exc).__name__}: {reason}") from None
        if not response.is_success:
            phrase = _reason(response.reason_phrase, self._secrets) if response.reason_phrase else ""
            raise DeliveryError(f"{self.kind} {self.origin}: HTTP {response.status_code} {phrase}".rstrip())


def teams_text(text: str) -> str:
    """Plain text for a card's Markdown (TextBlock, Fact): CommonMark's backslash before each character that would
    make a link, an autolink or HTML, emphasis, code or an entity, and before a heading's or a list's mark at the
    start of a line, so that a topic "[click](https://evil.example)" shows as typed and links nowhere."""
    inline = MARKDOWN_INLINE.sub(r"\\\1", text)
    return MARKDOWN_LINE_START.sub(r"\1\2\\\3", inline)


def teams_payload(message: AlertMessage) -> dict:
    title = {"type": "TextBlock", "text": teams_text(message.title), "weight": "Bolder", "size": "Medium",
             "wrap": True}
    if message.severity in TEAMS_COLOURS:
        title["color"] = TEAMS_COLOURS[message.severity]
    facts = [{"title": teams_text(label), "value": teams_text(value)} for label, value in message.facts]
    card = {
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            title,
            {"type": "TextBlock", "text": teams_text(message.text), "wrap": True},
            {"type": "FactSet", "facts": facts},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": LINK_LABEL, "url": message.link}],
    }
    return {"type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}


class TeamsChannel(_HttpChannel):
    """A Microsoft Teams incoming webhook: a Workflows (Power Automate) "post to a channel when a webhook request
    is received" flow, or a classic incoming-webhook connector. Posts one Adaptive Card."""
    kind = "Teams webhook"

    def send(self, message: AlertMessage, recipients: Sequence[str] = ()) -> None:
        """The recipients are ignored: the Teams channel decides who sees it."""
        self._post(message, encode_json(teams_payload(message)))


def slack_escape(text: str) -> str:
    """Slack's control characters in a mrkdwn text, escaped: no <url|link>, <@mention> or <!channel> from it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_plain(text: str, limit: int) -> dict:
    """Text that Slack shows as typed: a plain_text object has no mrkdwn (no *bold*, _italic_, ~strike~, `code`,
    which mrkdwn cannot escape) and no <url|link>."""
    return {"type": "plain_text", "text": _clip(text, limit), "emoji": False}


def slack_payload(message: AlertMessage) -> dict:
    """The facts' labels (the monitor's own words) in bold, each beside its value as plain text: two fields a fact."""
    fields = [field for label, value in message.facts for field in (
        {"type": "mrkdwn", "text": f"*{slack_escape(label)}*"}, slack_plain(value, SLACK_FIELD_MAX))]
    blocks = [
        {"type": "header", "text": slack_plain(_one_line(message.title), SLACK_HEADER_MAX)},
        {"type": "section", "text": slack_plain(message.text, SLACK_TEXT_MAX)},
        *({"type": "section", "fields": fields[start:start + SLACK_FIELDS_PER_SECTION]}
          for start in range(0, len(fields), SLACK_FIELDS_PER_SECTION)),
        {"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": LINK_LABEL}, "url": message.link}]},
    ]
    return {"text": slack_escape(message.title), "blocks": blocks}


class SlackChannel(_HttpChannel):
    """A Slack incoming webhook. Posts Block Kit blocks, with the title as the notification's fallback text."""
    kind = "Slack webhook"

    def send(self, message: AlertMessage, recipients: Sequence[str] = ()) -> None:
        """The recipients are ignored: the Slack channel decides who sees it."""
        self._post(message, encode_json(slack_payload(message)))


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """v1=hex(HMAC-SHA256(secret, "{timestamp}." + raw body))"""
    return "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def webhook_facts(message: AlertMessage) -> dict[str, str]:
    """A label given more than once (one "Breach" per rule) keeps every value, one a line."""
    facts: dict[str, str] = {}
    for label, value in message.facts:
        facts[label] = f"{facts[label]}\n{value}" if label in facts else value
    return facts


def webhook_payload(message: AlertMessage, timestamp: int) -> dict:
    return {
        "type": "safeguarding.alert",
        "key": message.key,
        "title": message.title,
        "text": message.text,
        "facts": webhook_facts(message),
        "link": message.link,
        "severity": message.severity,
        "sent_at": iso_ms(timestamp * 1000),
    }


class WebhookChannel(_HttpChannel):
    """A generic JSON webhook, so that a school can feed its own system. Each alert is one POST of

        {"type": "safeguarding.alert", "key": "...", "title": "...", "text": "...", "facts": {"Lesson": "..."},
         "link": "https://...", "severity": "high", "sent_at": "2026-11-18T11:06:02Z"}

    with two headers:

        X-Monitor-Timestamp: 1795000000          unix seconds, the same instant as sent_at
        X-Monitor-Signature: v1=<hex HMAC-SHA256(secret, "{timestamp}." + raw body)>

    To verify a delivery, compute the signature with the shared secret over the timestamp header, a ".", and the
    request body's raw bytes exactly as received (re-serialised JSON would not match); compare it with
    X-Monitor-Signature in constant time; reject a timestamp more than a few minutes from your clock (a replay).
    A resent alert keeps its "key" (also in the Idempotency-Key header) and gets a new timestamp and signature:
    deduplicate by "key".
    """
    kind = "webhook"

    def __init__(self, url: str, secret: str, timeout: float = 10, *, clock: Clock = wall_clock):
        super().__init__(url, timeout)
        if not secret:
            raise ValueError("webhook: the signing secret is empty")
        self._secret, self.clock = secret, clock
        self._secrets.append(secret)

    def send(self, message: AlertMessage, recipients: Sequence[str] = ()) -> None:
        """The recipients are ignored: the receiving system decides who sees it."""
        timestamp = int(self.clock())
        body = encode_json(webhook_payload(message, timestamp))
        self._post(message, body, {"X-Monitor-Timestamp": str(timestamp),
                                   "X-Monitor-Signature": webhook_signature(self._secret, timestamp, body)})
