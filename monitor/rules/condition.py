from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Condition:
    """A breach condition that holds in the roster as it stands; the checks time it."""

    rule: str
    subject: str | None
    grace_seconds: int

    @property
    def key(self) -> tuple[str, str | None]:
        return self.rule, self.subject


@dataclass(frozen=True)
class Happening:
    """A breach that one event is (a chat message, a screen shared): it opens at once and has nothing to clear."""

    rule: str
    subject: str | None
    at: int | None = None
    """When it happened (ms), for an event Zoom delivered after the meeting's end: the roster of that moment is the
    evidence. None: the roster as it stands."""
    facts: dict = field(default_factory=dict, compare=False)
    """What the incident records of the event (never its content)."""


def own_time(event) -> int:
    """When an event happened (ms): a chat message's or a shared screen's own time, else ``event_ts``; for
    ``meeting.ended``, the meeting's last moment (just before its end), so that what it first says (``type`` 4) is
    judged against the meeting it ends."""
    if event.event == "meeting.ended":
        return (event.meeting.end_time or event.event_ts) - 1
    chat = getattr(event.meeting, "chat_message", None)
    details = getattr(event.participant, "sharing_details", None)
    own = chat.date_time if chat else details.date_time if details else None
    return own if own is not None else event.event_ts
