"""Zoom API clients for the tests: on the stand-in (tests/zoom_api_server.py), on the test's clock, with a sleep that
records each wait and moves the clock on by it."""
from __future__ import annotations

import pytest
from redis import Redis

from monitor.clock import ManualClock
from monitor.zoom_api import ZoomApi, ZoomCredentials


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


@pytest.fixture
def make_api(zoom_api_server, real_redis_url, real_redis, clock, sleeper):
    """Makes a ZoomApi as one process of the monitor would: its own Redis connection, the shared database."""
    made: list[ZoomApi] = []
    connections: list[Redis] = []

    def make(credentials: ZoomCredentials | None = None, *, max_requests_per_second: float = 50,
             timeout: float = 10, sleep=None) -> ZoomApi:
        connections.append(Redis.from_url(real_redis_url))
        api = ZoomApi(credentials or zoom_api_server.credentials(), connections[-1],
                      max_requests_per_second=max_requests_per_second, clock=clock, sleep=sleep or sleeper,
                      timeout=timeout)
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()
    for redis in connections:
        redis.close()


@pytest.fixture
def zoom_api(make_api):
    return make_api()
