"""One path for every Zoom event, live or replayed: event model -> roster (-> rules, incidents, later)."""
from __future__ import annotations

import hashlib
import json
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


def fingerprint(body: dict[str, Any]) -> str:
    """Identifies a delivery of an event that belongs to no roster, whatever order Zoom wrote its keys in."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


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
            counted = self.store.count_ignored(event.event, fingerprint(body))
            return ("ignored" if counted else "duplicate"), None
        return ("applied" if self.store.apply(change) else "duplicate"), change.uuid

    def roster(self, uuid: str) -> Roster | None:
        facts = self.store.load(uuid)
        return build_roster(self.config, uuid, *facts) if facts else None

    def rosters(self) -> list[Roster]:
        return [r for r in map(self.roster, self.store.meeting_uuids()) if r is not None]
