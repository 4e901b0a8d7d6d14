"""One path for every Zoom event, live or replayed: event model -> roster (-> rules, incidents, later)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from redis import Redis

from .clock import Clock
from .config import SchoolConfig
from .events import ZoomEvent, parse_event
from .roster.changes import change_for
from .roster.model import Roster, build_roster
from .roster.store import RosterStore

Outcome = Literal["applied", "duplicate", "ignored"]


@dataclass
class Pipeline:
    config: SchoolConfig
    redis: Redis
    clock: Clock

    def __post_init__(self) -> None:
        self.store = RosterStore(self.redis)

    def process(self, body: dict[str, Any]) -> tuple[Outcome, str | None]:
        """Takes one Zoom event body; returns what happened and the meeting uuid it concerned.

        Raises BadEvent for a body that is not a Zoom event, and redis errors when the event cannot be stored.
        """
        event = parse_event(body)
        change = change_for(event, self.clock()) if isinstance(event, ZoomEvent) else None
        if change is None:
            self.store.count_ignored(event.event)
            return "ignored", None
        return ("applied" if self.store.apply(change) else "duplicate"), change.uuid

    def roster(self, uuid: str) -> Roster | None:
        facts = self.store.load(uuid)
        return build_roster(self.config, uuid, *facts) if facts else None

    def rosters(self) -> list[Roster]:
        return [r for r in map(self.roster, self.store.meeting_uuids()) if r is not None]
