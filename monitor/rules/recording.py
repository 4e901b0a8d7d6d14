"""Whether the lesson is recorded."""
from __future__ import annotations

from ..config import SchoolConfig
from ..roster.model import Roster


def no_recording(roster: Roster, config: SchoolConfig, now: int) -> list[str | None]:
    if config.rules.recording_source == "off" or roster.recording:
        return []
    return [None]
