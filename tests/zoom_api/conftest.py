"""The Zoom API tests' sleep: it records each wait and moves the test's clock on by it."""
from __future__ import annotations

import pytest

from monitor.clock import ManualClock


class Sleeper:
    def __init__(self, clock: ManualClock):
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def sleeper(clock):
    return Sleeper(clock)
