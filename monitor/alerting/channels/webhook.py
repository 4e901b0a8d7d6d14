"""A generic signed JSON webhook, for the school's own system."""
from __future__ import annotations

import hashlib
import hmac

from ...clock import Clock, wall_clock
from ...times import iso_ms
from ..message import AlertMessage
from .http import HttpChannel, encode_json


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
        "lessons": [{"lesson": line.lesson, "meeting_id": line.meeting_id, "when": line.when, "link": line.link}
                    for line in message.lessons],
        "severity": message.severity,
        "sent_at": iso_ms(timestamp * 1000),
    }


class WebhookChannel(HttpChannel):
    """A generic JSON webhook, so that a school can feed its own system. Each alert is one POST of

        {"type": "safeguarding.alert", "key": "...", "title": "...", "text": "...", "facts": {"Lesson": "..."},
         "link": "https://...", "lessons": [], "severity": "high", "sent_at": "2026-11-18T11:06:02Z"}

    where "lessons" is empty unless one rule broke in several lessons at once; then it lists them, each
    {"lesson": "Year 9 Maths", "meeting_id": "81000000002", "when": "09:02", "link": "https://..."}.

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

    def request(self, message: AlertMessage) -> tuple[bytes, dict[str, str]]:
        timestamp = int(self.clock())
        body = encode_json(webhook_payload(message, timestamp))
        return body, {"X-Monitor-Timestamp": str(timestamp),
                      "X-Monitor-Signature": webhook_signature(self._secret, timestamp, body)}
