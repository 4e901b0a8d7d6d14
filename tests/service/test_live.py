"""The whole service for real: signed deliveries to gunicorn, the real Redis and PostgreSQL, an RQ worker firing
the timed checks. It must open exactly the incidents that replay opens on the same stream."""
import json
import math
import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from redis import Redis
from rq.job import Job
from sqlalchemy import create_engine

from monitor.config import load_config
from monitor.migrations import migrate
from monitor.replay import replay
from monitor.rule_ids import RULE_IDS

from .. import zoom
from ..school import FAST_GRACE, write_config
from ..servers import ROOT, free_port, gunicorn, running

pytestmark = [pytest.mark.integration, pytest.mark.slow]

API_TOKEN = "live-token"
TEACHER, TA = "a.teacher@gatehouse.sch.uk", "c.assistant@gatehouse.sch.uk"
P1, P2 = "pupil1@gatehouse.sch.uk", "pupil2@gatehouse.sch.uk"
SCHOOL_ZONE = "Europe/London"  # the test school's [school] timezone, the default


EXPECTED = sorted([
    ("alone==", "fewer_than_two_pupils", ""),
    ("assistant==", "non_teacher_host", TA),
    ("outsider==", "external_participant", ""),
    ("unrecorded==", "no_recording", ""),
    ("unsupervised==", "pupils_unsupervised", ""),
    ("private==", "private_chat", TEACHER),
    ("chatty==", "chat_in_lesson", ""),
    ("sharing==", "participant_screen_share", P1),
    ("early==", "join_before_host", ""),
    ("personal==", "personal_meeting_id", ""),
    ("late==", "out_of_hours", ""),
])
"""(meeting, rule, subject) of every incident the stream opens: each rule once."""


def lessons(t: float) -> list[dict]:
    """Eleven lessons of seven seconds: one keeps the protocol, each other breaks one rule of the first ten (the
    eleventh, out_of_hours, is ``late_lesson``'s). Staff stay with the pupils throughout unless the rule is theirs
    to break, and chat is sent only where chat is the breach."""
    events = []
    for name, pupils, record, extra in (
        ("clean", (P1, P2), True, []),
        ("outsider", (P1, P2), True, [zoom.joined(t + 1, "outsider-x", "", "outsider==")]),
        ("alone", (P1,), True, []),
        ("assistant", (P1, P2), True, [zoom.joined(t, "assistant-ta", TA, "assistant=="),
                                       zoom.role_changed(t + 0.5, "assistant-ta", TA, "host", uuid="assistant==")]),
        ("unrecorded", (P1, P2), False, []),
        ("unsupervised", (P1, P2), True, [zoom.left(t + 2, "unsupervised-t", TEACHER, "unsupervised==",
                                                    user_id=zoom.HOST_ID)]),
        # after the pupils have left (t + 4 here), so that the private chat is not chat in a lesson too
        ("private", (P1, P2), True, [zoom.chat(t + 4.5, ("private-t", TEACHER), ("private-p0", P1),
                                               recipient_type="guest", uuid="private==")]),
        ("chatty", (P1, P2), True, [zoom.chat(t + 2, ("chatty-p0", P1), uuid="chatty==")]),
        ("sharing", (P1, P2), True, [zoom.sharing("started", t + 2, "sharing-p0", uuid="sharing=="),
                                     zoom.sharing("ended", t + 3, "sharing-p0", uuid="sharing==")]),
        ("early", (P1, P2), True, [zoom.jbh("jbh_joined", t + 0.1, uuid="early==")]),
        ("personal", (P1, P2), True, []),
    ):
        lesson = _lesson(name, t, pupils, record, extra, pupils_leave=t + (4 if name == "private" else 6))
        events += [zoom.on_personal_meeting_id(e) for e in lesson] if name == "personal" else lesson
    return sorted(events, key=lambda e: e["event_ts"])


def late_lesson(end_of_hours: float) -> list[dict]:
    """A lesson kept by the protocol but for its pupils staying on past the end of the lesson hours: nothing but the
    clock says when out_of_hours begins."""
    return _lesson("late", end_of_hours - 9, (P1, P2), True, [], pupils_join=end_of_hours - 1.5,
                   pupils_leave=end_of_hours + 4)


def _lesson(name: str, t: float, pupils: tuple[str, ...], record: bool, extra: list[dict], *,
            pupils_join: float | None = None, pupils_leave: float) -> list[dict]:
    uuid = f"{name}=="
    events = [zoom.started(t, uuid), zoom.joined(t, f"{name}-t", TEACHER, uuid, user_id=zoom.HOST_ID)]
    events += [zoom.recording("started", t, uuid)] if record else []
    join = t + 0.2 if pupils_join is None else pupils_join
    events += [zoom.joined(join, f"{name}-p{i}", p, uuid) for i, p in enumerate(pupils)] + extra
    events += [zoom.left(pupils_leave, f"{name}-p{i}", p, uuid) for i, p in enumerate(pupils)]
    events.append(zoom.ended(max(t + 6.5, pupils_leave + 0.5), uuid))
    return events


def end_of_hours_after(seconds: float) -> float:
    """The first whole minute at least that far ahead, but never midnight: lesson hours are whole minutes of one
    day, and the test's must end between its lessons."""
    minute = math.ceil((time.time() + seconds) / 60) * 60
    local = datetime.fromtimestamp(minute, ZoneInfo(SCHOOL_ZONE))
    return minute + 60 if (local.hour, local.minute) == (0, 0) else minute


def hours_until(end_of_hours: float) -> str:
    """[rules] keys: grace of two seconds for the version-2 rules, lesson hours every day, ending then."""
    end = datetime.fromtimestamp(end_of_hours, ZoneInfo(SCHOOL_ZONE)).strftime("%H:%M")
    return f"""unsupervised_grace_seconds = 2
out_of_hours_grace_seconds = 2
lesson_hours = ["00:00", "{end}"]
lesson_days = [1, 2, 3, 4, 5, 6, 7]
"""


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
    # lesson hours end at a whole minute that is still to come once the service is up (it has 20 s to start): the
    # lessons run just before it, and late_lesson's pupils stay past it
    end_of_hours = end_of_hours_after(20 + 1 + 9)
    config = write_config(tmp_path, FAST_GRACE + hours_until(end_of_hours))
    env = {"MONITOR_CONFIG": str(config), "REDIS_URL": real_redis_url, "DATABASE_URL": postgres_url,
           "ZOOM_WEBHOOK_SECRET_TOKEN": zoom.SECRET, "MONITOR_API_TOKEN": API_TOKEN, "MONITOR_SECRET_KEY": "live-key",
           "MONITOR_DATA_DIR": str(tmp_path / "data")}
    port = free_port()
    worker_log = open(tmp_path / "worker.log", "wb")
    with running(gunicorn(port), port, env) as base:
        worker = subprocess.Popen([sys.executable, "-m", "monitor.cli", "worker"], cwd=ROOT,
                                  env={**__import__("os").environ, **env}, stdout=worker_log, stderr=subprocess.STDOUT)
        # the lessons' times start after the service is up: on a busy machine gunicorn takes seconds to start, and
        # events timed before then would all arrive at once
        assert time.time() + 1 < end_of_hours - 9, "the service started too late for the lessons' hours"
        stream = sorted(lessons(end_of_hours - 9) + late_lesson(end_of_hours), key=lambda e: e["event_ts"])
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
                if len(incidents) >= len(EXPECTED):
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
    assert live == replayed == EXPECTED
    assert sorted({rule for _, rule, _ in EXPECTED}) == sorted(RULE_IDS), "the stream breaks every rule"
