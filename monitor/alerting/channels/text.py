"""Words the channels share, and the reasons they give when a delivery fails (without secrets or addresses)."""
from __future__ import annotations

import re
from collections.abc import Sequence

LINK_LABEL = "Open in the incident queue"
EMAIL_ADDRESS = re.compile(r"<?[^\s<>@()\[\],;:\"]+@[^\s<>@()\[\],;:\"]+>?")


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
