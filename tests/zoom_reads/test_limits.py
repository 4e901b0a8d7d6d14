"""Zoom's API under load and failure, with real `monitor worker` processes on the real Redis: 200 lessons created at
once are all read, never more than max_requests_per_second at Zoom, 429s waited out and an expired token renewed
without a failed job; Zoom down for a minute loses no check."""
from __future__ import annotations

import os
import threading
import time

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import create_engine

from monitor.background import ZOOM
from monitor.clock import wall_clock
from monitor.config import load_config
from monitor.migrations import migrate
from monitor.services import Services
from monitor.wiring import connect_redis
from monitor.zoom_api import ZoomApi

from .. import zoom
from ..school import CONFIG_TOML, write_config
from ..worker_processes import wait_for
from ..zoom_api_server import safe_meeting
from .test_triggers import created

pytestmark = pytest.mark.slow
BUDGET = 10
CONFIG = CONFIG_TOML + f"""
[zoom_api]
enabled = true
max_requests_per_second = {BUDGET}
"""
FAST_WORKER = {"MONITOR_WORKER_HEARTBEAT_SECONDS": "1", "MONITOR_WORKER_HEARTBEAT_GRACE_SECONDS": "11",
               "MONITOR_WORKER_MAINTENANCE_SECONDS": "1"}


@pytest.fixture
def school(tmp_path, real_redis_url, real_redis, zoom_api_server, workers):
    """The test's side of the service (it takes the deliveries) and the environment of its workers."""
    config_path = write_config(tmp_path, CONFIG)
    database_url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    engine = create_engine(database_url)
    migrate(engine)
    redis = connect_redis(real_redis_url)
    api = ZoomApi(zoom_api_server.credentials(), redis, max_requests_per_second=BUDGET, clock=wall_clock)
    svc = Services(config=load_config(config_path), redis=redis, database=engine, webhook_secret=zoom.SECRET,
                   api_token="token", zoom=api)
    workers.env = {**os.environ, **zoom_api_server.environment(), **FAST_WORKER, "MONITOR_CONFIG": str(config_path),
                   "REDIS_URL": real_redis_url, "DATABASE_URL": database_url,
                   "ZOOM_WEBHOOK_SECRET_TOKEN": zoom.SECRET, "MONITOR_API_TOKEN": "token"}
    yield svc
    api.close()


def unsafe_lesson(server, meeting_id: str) -> None:
    meeting = safe_meeting(meeting_id)
    meeting["settings"]["waiting_room"] = False
    server.meetings[meeting_id] = meeting


def lessons_found(svc) -> int:
    return len({f.subject for f in svc.findings.list(kind="meeting", open_only=True, limit=1000)})


def failed_jobs(svc) -> list[str]:
    return FailedJobRegistry(queue=Queue(ZOOM, connection=svc.redis)).get_job_ids()


def test_200_lessons_created_at_once_stay_under_the_budget_through_429s_and_an_expired_token(
        school, zoom_api_server, workers):
    ids = [str(82000000000 + n) for n in range(200)]
    for meeting_id in ids:
        unsafe_lesson(zoom_api_server, meeting_id)
    for meeting_id in ids:
        school.pipeline.process(created(meeting_id))
    zoom_api_server.rate_limit(3, retry_after="1")                  # Zoom's own limit, as other apps use it too

    def expire_half_way():
        wait_for(lambda: len(zoom_api_server.api_requests()) >= 100, 120, "half the reads")
        zoom_api_server.expire_tokens()
    expiry = threading.Thread(target=expire_half_way, daemon=True)
    expiry.start()
    started = time.monotonic()
    for _ in range(2):
        workers.start()
    wait_for(lambda: lessons_found(school) == 200, 120, "every lesson read", workers.logs)
    took = time.monotonic() - started
    expiry.join(1)
    assert zoom_api_server.busiest_second() <= BUDGET, f"{zoom_api_server.busiest_second()} requests in one second"
    assert len(zoom_api_server.token_requests()) >= 2, "the expired token was renewed"
    assert failed_jobs(school) == [], "nothing failed: the 429s were waited out, the token renewed"
    assert took >= 200 / BUDGET * 0.9, f"200 reads in {took:.1f} s: faster than the budget allows"


def test_zoom_down_for_a_minute_loses_no_check(school, zoom_api_server, workers):
    unsafe_lesson(zoom_api_server, zoom.MEETING_ID)
    zoom_api_server.fail(seconds=60, status=503)
    school.pipeline.process(created())
    workers.start()
    wait_for(lambda: lessons_found(school) == 1, 150, "the lesson read once Zoom is back", workers.logs)
    assert failed_jobs(school) == []
    assert any(r.path == f"/v2/meetings/{zoom.MEETING_ID}" for r in zoom_api_server.api_requests())
