"""A meeting's live state as the stores hold it (Redis, or replay's memory): plain shapes, no I/O, so that the
roster model and the rules can be read without a Redis client."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snapshot:
    """A meeting as a delivery leaves it: its own facts, who is present, its breach conditions."""

    uuid: str
    meeting: dict[str, str]
    present: tuple[str, ...]
    """The person of each connection present (one person may have several); empty once the meeting has ended."""
    conditions: dict[str, str]

    @property
    def version(self) -> str:
        """Grows with every delivery applied to the meeting."""
        return self.meeting.get("events", "0")


@dataclass(frozen=True)
class MeetingState:
    """Everything the store holds on one meeting instance, as strings."""

    uuid: str
    meeting: dict[str, str]
    conditions: dict[str, str]
    connections: dict[str, str]
    joins: dict[str, str]
    leaves: dict[str, str]
    people: dict[str, str]
