"""Time is injected: the live service reads the wall clock here, replay and tests drive their own."""
import time
from datetime import datetime, timezone
from typing import Callable

Clock = Callable[[], float]
"""Returns the current time in seconds since the epoch."""

wall_clock: Clock = time.time


def utc_now(clock: Clock) -> datetime:
    """The clock's time as an aware UTC datetime."""
    return datetime.fromtimestamp(clock(), timezone.utc)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, now: float = 0.0):
        self.now = float(now)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, now: float) -> None:
        self.now = float(now)
