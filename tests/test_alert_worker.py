"""Alerts through a real RQ worker on the real Redis: a worker killed in the middle of a delivery does not make it
go out twice."""
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine

from monitor.app import connect_redis
from monitor.config import load_config
from monitor.migrations import migrate
from monitor.services import Services

from . import zoom
from .conftest import CONFIG_TOML, write_config
from .servers import ROOT

pytestmark = pytest.mark.integration

ALERTS = CONFIG_TOML + """
[alerts]
group_wait_seconds = 0
repeat_minutes = 0
escalate_after_minutes = 0
working_days = [1, 2, 3, 4, 5, 6, 7]
working_hours = ["00:00", "23:59"]

[alerts.channels.slack]
type = "slack"
url_env = "ALERTS_SLACK_URL"

[[alerts.routes]]
channels = ["slack"]
"""


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.05)


def test_a_worker_killed_mid_delivery_delivers_exactly_once(tmp_path, real_redis_url, real_redis, receiver):
    config_path = write_config(tmp_path, ALERTS)
    database_url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    engine = create_engine(database_url)
    migrate(engine)
    svc = Services(config=load_config(config_path), redis=connect_redis(real_redis_url), database=engine,
                   webhook_secret=zoom.SECRET, api_token="token")
    env = {**os.environ, "MONITOR_CONFIG": str(config_path), "REDIS_URL": real_redis_url,
           "DATABASE_URL": database_url, "ZOOM_WEBHOOK_SECRET_TOKEN": zoom.SECRET, "MONITOR_API_TOKEN": "token",
           "ALERTS_SLACK_URL": receiver.url("/services/T0/B0/secret")}
    receiver.delay = 3.0                           # the delivery is in flight for three seconds
    now = time.time()
    for event in (zoom.joined(now, "p1", "pupil1@gatehouse.sch.uk"), zoom.joined(now, "p2", "pupil2@gatehouse.sch.uk"),
                  zoom.joined(now, "x", "")):
        svc.pipeline.process(event)
    [incident] = svc.incidents.list()

    def worker(log_name):
        """A worker in a process group of its own, with its scheduler; the job it runs forks into another."""
        return subprocess.Popen([sys.executable, "-m", "monitor.cli", "worker"], cwd=ROOT, env=env,
                                stdout=open(tmp_path / log_name, "wb"), stderr=subprocess.STDOUT,
                                start_new_session=True)

    first = worker("first-worker.log")
    try:
        wait_for(lambda: len(receiver.requests) == 1, 30, "the alert to reach the Slack stand-in")
        os.killpg(first.pid, signal.SIGKILL)       # mid-delivery: the worker and its scheduler die at once
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    second = worker("second-worker.log")
    try:
        wait_for(lambda: any(a["ok"] for a in svc.alerts.attempts(incident["id"])), 30, "the delivery to be recorded")
        time.sleep(3)                              # a second delivery, if any, would have come by now
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(10)
    assert len(receiver.requests) == 1
    assert [(a["channel"], a["ok"]) for a in svc.alerts.attempts(incident["id"])] == [("slack", True)]
