"""The whole service for real: signed deliveries to gunicorn, the real Redis and PostgreSQL, an RQ worker firing
the timed checks. It must open exactly the incidents that replay opens on the same stream."""
import json
import subprocess
import sys
import time

import httpx
import pytest
from redis import Redis
from rq.job import Job
from sqlalchemy import create_engine

from monitor.config import load_config
from monitor.migrations import migrate
from monitor.replay import replay

from .. import zoom
from ..school import FAST_GRACE, write_config
from ..servers import ROOT, free_port, gunicorn, running

pytestmark = [pytest.mark.integration, pytest.mark.slow]

API_TOKEN = "live-token"
TEACHER, TA = "a.teacher@gatehouse.sch.uk", "c.assistant@gatehouse.sch.uk"
P1, P2 = "pupil1@gatehouse.sch.uk", "pupil2@gatehouse.sch.uk"


def lessons(t: float) -> list[dict]:
    """Five lessons of seven seconds: one keeps the protocol, each other breaks one rule."""
    events = []
    for name, pupils, record, extra in (
        ("clean", (P1, P2), True, []),
        ("outsider", (P1, P2), True, [zoom.joined(t + 1, "outsider-x", "", "outsider==")]),
        ("alone", (P1,), True, []),
        ("assistant", (P1, P2), True, [zoom.joined(t, "assistant-ta", TA, "assistant=="),
                                       zoom.role_changed(t + 0.5, "assistant-ta", TA, "host", uuid="assistant==")]),
        ("unrecorded", (P1, P2), False, []),
    ):
        uuid = f"{name}=="
        events += [zoom.started(t, uuid), zoom.joined(t, f"{name}-t", TEACHER, uuid, user_id=zoom.HOST_ID)]
        events += [zoom.recording("started", t, uuid)] if record else []
        events += [zoom.joined(t + 0.2, f"{name}-p{i}", p, uuid) for i, p in enumerate(pupils)] + extra
        events += [zoom.left(t + 6, f"{name}-p{i}", p, uuid) for i, p in enumerate(pupils)]
        events.append(zoom.ended(t + 6.5, uuid))
    return sorted(events, key=lambda e: e["event_ts"])


@pytest.fixture
def empty_postgres(postgres_url):
    """The session's PostgreSQL database, migrated, without incidents."""
    engine = create_engine(postgres_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE incidents RESTART IDENTITY CASCADE")
    engine.dispose()
    return postgres_url


def test_live_service_opens_exactly_what_replay_opens(tmp_path, real_redis_url, real_redis, empty_postgres):
    postgres_url = empty_postgres
    config = write_config(tmp_path, FAST_GRACE)
    env = {"MONITOR_CONFIG": str(config), "REDIS_URL": real_redis_url, "DATABASE_URL": postgres_url,
           "ZOOM_WEBHOOK_SECRET_TOKEN": zoom.SECRET, "MONITOR_API_TOKEN": API_TOKEN, "MONITOR_SECRET_KEY": "live-key",
           "MONITOR_DATA_DIR": str(tmp_path / "data")}
    port = free_port()
    worker_log = open(tmp_path / "worker.log", "wb")
    with running(gunicorn(port), port, env) as base:
        worker = subprocess.Popen([sys.executable, "-m", "monitor.cli", "worker"], cwd=ROOT,
                                  env={**__import__("os").environ, **env}, stdout=worker_log, stderr=subprocess.STDOUT)
        # the lessons' times start once the service is up: on a busy machine gunicorn takes seconds to start, and
        # events timed before then would all arrive at once
        stream = lessons(time.time() + 2)
        delivered = [e for event in stream for e in (event, event)]           # Zoom's at-least-once
        try:
            with httpx.Client() as client:
                for event in delivered:
                    time.sleep(max(0.0, event["event_ts"] / 1000 - time.time()))
                    data = zoom.raw(event)
                    response = client.post(f"{base}/zoom/webhook", content=data,
                                           headers=zoom.signed_headers(data, int(time.time())))
                    assert response.status_code == 200, response.text
            incidents = []
            for _ in range(100):
                incidents = httpx.get(f"{base}/api/incidents", headers={"Authorization": f"Bearer {API_TOKEN}"}) \
                    .json()["incidents"]
                if len(incidents) >= 4:
                    break
                time.sleep(0.2)
            time.sleep(2)     # nothing more may open
            incidents = httpx.get(f"{base}/api/incidents", headers={"Authorization": f"Bearer {API_TOKEN}"}) \
                .json()["incidents"]
            redis = Redis.from_url(real_redis_url)
            for _ in range(50):
                jobs = [Job.fetch(f"incident-{i['id']}-opened", connection=redis) for i in incidents]
                if all(job.is_finished for job in jobs):
                    break
                time.sleep(0.2)
            assert all(job.is_finished for job in jobs), "every opened incident's alert job ran"
        finally:
            worker.terminate()
            worker.wait(10)
    live = sorted((i["meeting_uuid"], i["rule"], i["subject"] or "") for i in incidents)
    path = tmp_path / "stream.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in delivered))
    replayed = sorted((i["meeting_uuid"], i["rule"], i["subject"] or "")
                      for i in replay([path], load_config(config)).incidents)
    assert live == replayed == [
        ("alone==", "fewer_than_two_pupils", ""),
        ("assistant==", "non_teacher_host", TA),
        ("outsider==", "external_participant", ""),
        ("unrecorded==", "no_recording", ""),
    ]
