"""Words the channels share, and the reasons they give when a delivery fails (without secrets or addresses)."""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..message import AlertMessage

LINK_LABEL = "Open in the incident queue"
LESSONS_IN_A_CHAT = 20
"""A chat card lists this many of a storm's lessons; the link opens them all."""
EMAIL_ADDRESS = re.compile(r"<?[^\s<>@()\[\],;:\"]+@[^\s<>@()\[\],;:\"]+>?")


def lesson_lines(message: AlertMessage, limit: int | None = None) -> list[str]:
    """A storm's lessons, a line each ("09:02  Year 9 Maths (Meeting ID 81000000002)"), the last saying how many more
    there are when ``limit`` leaves some out."""
    shown = message.lessons[:limit]
    lines = [f"{line.when}  {line.lesson} (Meeting ID {line.meeting_id})" for line in shown]
    if len(shown) < len(message.lessons):
        lines.append(f"... and {len(message.lessons) - len(shown)} more: open the list")
    return lines


def one_line(text: str) -> str:
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def reason(text: str, secrets: Sequence[str | None] = ()) -> str:
    """A server's reason, fit for the log: without the channel's secrets, and without the e-mail addresses that
    mail servers quote ("550 5.1.1 <dsl@school.example>: unknown user")."""
    for secret in secrets:
        if secret and len(secret) > 1:
            text = text.replace(secret, "…")
    return clip(one_line(EMAIL_ADDRESS.sub("an address", text)), 200) or "no reason given"
