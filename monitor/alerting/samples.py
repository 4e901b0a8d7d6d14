"""Made-up alerts: the test alert of `monitor alerts test`, and the README's samples of what each channel sends,
made by the channels' own code from an invented incident (no real lesson, pupil or school).

    python -m monitor.alerting.samples              prints the README's samples section
    python -m monitor.alerting.samples --write      rewrites it in README.md (a test checks it is current)
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ..config import SchoolConfig, load_config
from ..rules import EXTERNAL_PARTICIPANT, NO_RECORDING
from .channels.email import compose_email, email_text
from .channels.http import encode_json
from .channels.slack import slack_payload
from .channels.teams import teams_payload
from .channels.webhook import webhook_payload, webhook_signature
from .content import Telling, alert_message
from .message import AlertMessage
from .records import AlertIncident

ROOT = Path(__file__).resolve().parents[2]
BEGIN = "<!-- alert samples: made by `python -m monitor.alerting.samples --write`; a test checks they are current -->"
END = "<!-- end of alert samples -->"
SAMPLE_BEGAN_AT = datetime(2026, 11, 18, 10, 10, tzinfo=timezone.utc)
SAMPLE_INCIDENT = AlertIncident(
    id=42, rule=EXTERNAL_PARTICIPANT, severity="high", meeting_uuid="sample-meeting-uuid==", meeting_id="81234567890",
    topic="Year 8 Science", host_email=None, status="new", alert_state="pending", began_at=SAMPLE_BEGAN_AT,
    opened_at=SAMPLE_BEGAN_AT, cleared_at=None)
SAMPLE_KEY = hashlib.sha256(b"sample alert").hexdigest()[:32]
SAMPLE_STORM_AT = datetime(2026, 11, 18, 9, 0, 30, tzinfo=timezone.utc)
SAMPLE_STORM = [dataclasses.replace(
    SAMPLE_INCIDENT, id=50 + n, rule=NO_RECORDING, meeting_uuid=f"sample-{n}==", meeting_id=f"8123456{n:04d}",
    topic=topic, began_at=SAMPLE_STORM_AT, opened_at=SAMPLE_STORM_AT + timedelta(minutes=2))
    for n, topic in enumerate(("Year 7 English", "Year 8 Science", "Year 9 Maths"))]
SAMPLE_REMINDER = Telling(kind="repeat", round=1, first_at=SAMPLE_BEGAN_AT, first_count=1, waited_minutes=60,
                          occurrences_since=1)
SAMPLE_ESCALATION = Telling(kind="escalation", first_at=SAMPLE_BEGAN_AT, first_count=1, waited_minutes=15)
SAMPLE_SENDER = "Safeguarding monitor <alerts@gatehouse.sch.uk>"
SAMPLE_RECIPIENTS = ("dsl@gatehouse.sch.uk",)
SAMPLE_SECRET = "whsec-example-only"
SAMPLE_TIMESTAMP = 1_795_000_000  # 2026-11-18T11:06:40Z
VERIFY = '''import hashlib, hmac, json, time

def verify(secret: bytes, headers, body: bytes) -> dict:
    """The alert in a request from the monitor; ValueError if it is not from the monitor, or is old."""
    timestamp = headers["X-Monitor-Timestamp"]
    expected = "v1=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers.get("X-Monitor-Signature", "")):
        raise ValueError("bad signature")
    if abs(time.time() - int(timestamp)) > 300:
        raise ValueError("too old: a replay?")
    return json.loads(body)   # then drop it if its "key" was seen before
'''


def check_message(config: SchoolConfig, channel: str, at: datetime) -> AlertMessage:
    """A test alert that says plainly it is one, for checking a channel (`monitor alerts test`)."""
    sent = at.astimezone(ZoneInfo(config.school.timezone)).strftime("%a %d %b %Y, %H:%M")
    return AlertMessage(
        title=f"TEST alert from the safeguarding monitor ({config.school.name})",
        text=f"This is a test of the alert channel \"{channel}\", sent with \"monitor alerts test\". "
             "No lesson is involved and nothing needs doing.",
        facts=(("Test", "yes, not a real alert"), ("Channel", channel), ("Sent", sent), ("Severity", "low")),
        link=f"{config.alerts.base_url.rstrip('/')}/incidents",
        severity="low",
        key=f"test-{hashlib.sha256(f'{channel}:{at.isoformat()}'.encode()).hexdigest()[:27]}",
    )


def sample_config() -> SchoolConfig:
    config = load_config(ROOT / "config" / "monitor.example.toml")
    return dataclasses.replace(config, alerts=config.alerts.model_copy(
        update={"base_url": "https://monitor.gatehouse.sch.uk"}))


def sample_message(config: SchoolConfig) -> AlertMessage:
    return alert_message(config, [SAMPLE_INCIDENT], SAMPLE_KEY)


def _json(value, indent: int = 0, room: int = 116) -> str:
    """Indented JSON that keeps whatever fits in ``room`` characters on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) <= room or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {_json(v, indent + 2, 116 - indent - len(k) - 6)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _json(v, indent + 2, 116 - indent - 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def _block(language: str, text: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def readme_section() -> str:
    config = sample_config()
    message = sample_message(config)
    mail = compose_email(message, SAMPLE_SENDER, SAMPLE_RECIPIENTS)
    headers = "\n".join(f"{name}: {mail[name]}" for name in
                        ("From", "To", "Subject", "Message-ID", "Auto-Submitted", "Importance"))
    body = encode_json(webhook_payload(message, SAMPLE_TIMESTAMP))
    request = "\n".join([
        "POST <the URL in the channel's url_env>", "Content-Type: application/json",
        f"Idempotency-Key: {message.key}", f"X-Monitor-Timestamp: {SAMPLE_TIMESTAMP}",
        f"X-Monitor-Signature: {webhook_signature(SAMPLE_SECRET, SAMPLE_TIMESTAMP, body)}", "",
        _json(json.loads(body))])
    return "\n".join([
        BEGIN,
        "An invented incident (an outsider in \"Year 8 Science\"), as each channel carries it.",
        "",
        "**E-mail**: one message to the channel's `to`, with these headers (and `Date`), `multipart/alternative`:",
        _block("", headers),
        "Its plain-text part:",
        _block("", email_text(message)),
        "Its HTML part says the same, every text HTML-escaped: the title as a heading in the severity's colour "
        "(high: dark red), the sentence, the facts as a two-column table, and a button \"Open in the incident "
        "queue\" to the link.",
        "",
        "**Microsoft Teams**: one Adaptive Card (version 1.4) posted to the Workflows or incoming-webhook URL. Teams "
        "reads its texts as Markdown, so each character that would make a link, emphasis, code or HTML has a "
        "backslash before it (a topic `[click](https://...)` shows as typed):",
        _block("json", _json(teams_payload(message))),
        "**Slack**: Block Kit blocks posted to the incoming-webhook URL. The facts' labels are bold (`mrkdwn`); "
        "every other text, the topic's included, is `plain_text`, which Slack shows as typed (mrkdwn has no escape "
        "for `*`, `_`, `~` or a backtick); `text`, the notification's fallback, has `&`, `<` and `>` escaped:",
        _block("json", _json(slack_payload(message))),
        "**Webhook** (`type = \"webhook\"`): a signed JSON POST (secret here: `whsec-example-only`). The body is "
        "shown indented; the monitor sends it on one line, and the signature covers those raw bytes:",
        _block("http", request),
        "To verify it, the receiver computes the signature over the timestamp header, a `.` and the raw body, "
        "compares in constant time, refuses old timestamps, and drops a `key` it has seen (every HTTP channel "
        "sends the key as `Idempotency-Key` too):",
        _block("python", VERIFY),
        "",
        "**Several lessons at once**: when one rule breaks in several lessons within the group wait (09:00, three "
        "lessons not recorded), one alert lists them (the webhook's `lessons`, a table in the e-mail, twenty lines "
        "in a chat card), each lesson still its own incident in the queue. Its e-mail's plain-text part:",
        _block("", email_text(alert_message(config, SAMPLE_STORM, SAMPLE_KEY))),
        "**Reminders and escalations** say so first, and what is new since the first alert. Subjects and first "
        "sentences:",
        _block("", "\n".join(f"{m.title}\n    {m.text}" for m in (
            alert_message(config, [SAMPLE_INCIDENT], SAMPLE_KEY, SAMPLE_REMINDER),
            alert_message(config, [SAMPLE_INCIDENT], SAMPLE_KEY, SAMPLE_ESCALATION),
            alert_message(config, [SAMPLE_INCIDENT], SAMPLE_KEY, Telling(again=True))))),
        END,
    ])


def rewrite(readme: Path) -> bool:
    """Puts the current samples into the README; returns whether anything changed."""
    text = readme.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    updated = text[:start] + readme_section() + text[end:]
    if updated != text:
        readme.write_text(updated)
    return updated != text


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        print("README.md updated" if rewrite(ROOT / "README.md") else "README.md is current")
    else:
        print(readme_section())
