"""Time is injected: the live service reads the wall clock here, replay and tests drive their own."""
import time
from typing import Callable

Clock = Callable[[], float]
"""Returns the current time in seconds since the epoch."""

wall_clock: Clock = time.time


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
