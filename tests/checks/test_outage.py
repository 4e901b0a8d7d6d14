"""The database stopped for a minute in the middle of a school's lessons, in the production shape (gunicorn, a
`monitor worker`, the real Redis, a PostgreSQL server of the test's own): once it is back, every breach is flagged and
alerted, whether Zoom retried its delivery or the breach came due while the database was down."""
import json
import os
import time

import httpx
import pytest
from rq import Worker

from .. import zoom
from ..local_servers import PrivatePostgres
from ..school import AT_ONCE_EVERY_DAY, FAST_GRACE, SIGNED_WEBHOOK, write_config
from ..servers import free_port, gunicorn, release, running
from ..worker_processes import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OUTAGE_SECONDS = 60
API_TOKEN = "outage-token"
HOOK = "/hooks/outage"
TEACHER, OUTSIDER = "a.teacher@gatehouse.sch.uk", "stranger@gmail.com"
CONFIG = FAST_GRACE + f"""
[alerts]
{AT_ONCE_EVERY_DAY}
[alerts.channels.hook]
{SIGNED_WEBHOOK}
[[alerts.routes]]
channels = ["hook"]
"""


@pytest.fixture
def postgres():
    try:
        server = PrivatePostgres()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    server.start()
    yield server
    server.remove()


class Zoom:
    """Delivers as Zoom does: each delivery answered with a 5xx is sent again later (retry)."""

    def __init__(self, base: str):
        self.base, self.failed = base, []

    def send(self, event: dict) -> int:
        data = zoom.raw(event)
        status = httpx.post(f"{self.base}/zoom/webhook", content=data, timeout=5,
                            headers=zoom.signed_headers(data, int(time.time()))).status_code
        if status >= 500:
            self.failed.append(event)
        return status

    def retry(self) -> list[int]:
        again, self.failed = self.failed, []
        return [self.send(event) for event in again]


def lesson(uuid: str, at: float, *, pupils: int, record: bool) -> list[dict]:
    events = [zoom.started(at, uuid), zoom.joined(at, "t", TEACHER, uuid, user_id=zoom.HOST_ID)]
    events += [zoom.recording("started", at, uuid)] if record else []
    return events + [zoom.joined(at + 1, f"p{i}", f"pupil{i}@gatehouse.sch.uk", uuid) for i in range(pupils)]


def incidents(base: str) -> dict[tuple[str, str], dict]:
    found = httpx.get(f"{base}/api/incidents", headers={"Authorization": f"Bearer {API_TOKEN}"},
                      timeout=5).json()["incidents"]
    return {(i["meeting_uuid"], i["rule"]): i for i in found}


def test_a_minute_without_the_database_loses_no_breach(tmp_path, real_redis_url, real_redis, receiver, postgres,
                                                       workers):
    env = {"MONITOR_CONFIG": str(write_config(tmp_path, CONFIG)), "REDIS_URL": real_redis_url,
           "DATABASE_URL": postgres.url, "ZOOM_WEBHOOK_SECRET_TOKEN": zoom.SECRET, "MONITOR_API_TOKEN": API_TOKEN,
           "MONITOR_SECRET_KEY": "outage-session-key", "ALERTS_WEBHOOK_URL": receiver.url(HOOK),
           "ALERTS_WEBHOOK_SECRET": "whsec-outage"}
    workers.env = {**os.environ, **env}
    port = free_port()
    release(env)
    with running(gunicorn(port), port, env) as base:
        workers.start()
        wait_for(lambda: Worker.count(connection=real_redis) == 1, 30, "the worker to start", workers.logs)
        sender, now = Zoom(base), time.time()
        streams = {"outsider==": lesson("outsider==", now, pupils=2, record=True),      # an outsider comes later
                   "unrecorded==": lesson("unrecorded==", now, pupils=2, record=False),  # due in 2 s
                   "alone==": lesson("alone==", now, pupils=1, record=True)}             # one pupil: due in 2 s
        deliveries = [event for stream in streams.values() for event in stream]
        assert [sender.send(event) for event in deliveries] == [200] * len(deliveries)

        postgres.stop()
        stopped = time.monotonic()
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 503
        assert sender.send(zoom.joined(time.time(), "x", OUTSIDER, "outsider==")) == 503
        assert sender.send(zoom.left(time.time() + 1, "x", OUTSIDER, "outsider==")) == 503
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))  # the other two come due meanwhile
        postgres.start()

        assert sender.retry() == [200, 200]  # Zoom's retries of the outsider's join and leave
        expected = {("outsider==", "external_participant"), ("unrecorded==", "no_recording"),
                    ("alone==", "fewer_than_two_pupils")}
        wait_for(lambda: set(incidents(base)) == expected, 60, "the three incidents", workers.logs)
        opened = incidents(base)
        assert opened["outsider==", "external_participant"]["subject"] == OUTSIDER
        links = lambda: {json.loads(body)["link"] for path, _, body in receiver.requests if path == HOOK}  # noqa: E731
        wait_for(lambda: all(any(link.endswith(f"/incidents/{i['id']}") for link in links())
                             for i in opened.values()), 60, "an alert for each incident", workers.logs)
