"""Alerts through real `monitor worker` processes on the real Redis, killed in the middle of a delivery.

RQ runs each job in a work horse, a child process in a process group of its own. Killing the worker's group leaves
the horse running: it finishes the delivery. Killing the horse too leaves the job "started" until its heartbeat
lapses; a worker cleaning up then retries it, 10 s later. With the defaults that is 75-90 s. These workers beat
every second, their jobs' heartbeats last 11 s past the last one and they clean up every second, so the retry is
due about 23 s after the kill; it is enqueued once a scheduler runs again, when the killed scheduler's lock (61 s,
fixed by RQ) has lapsed: about 65 s after the kill.
"""
import base64
import json
import os
import signal
import time
from datetime import datetime, timezone

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import create_engine, text

from monitor import keys
from monitor.alerting.store import CUT_OFF
from monitor.app import create_app
from monitor.background import ALERTS
from monitor.config import load_config
from monitor.migrations import migrate
from monitor.services import Services
from monitor.wiring import connect_redis

from .. import zoom
from ..local_servers import smtp_server
from ..school import AT_ONCE_EVERY_DAY, CONFIG_TOML, SIGNED_WEBHOOK, write_config
from ..worker_processes import wait_for

pytestmark = pytest.mark.integration

CONFIG = CONFIG_TOML + f"""
[alerts]
base_url = "https://monitor.gatehouse.sch.uk"
{AT_ONCE_EVERY_DAY}
[alerts.channels.hook]
{SIGNED_WEBHOOK}
[alerts.channels.dsl]
type = "email"
to = ["dsl@gatehouse.sch.uk"]

[[alerts.routes]]
channels = ["hook", "dsl"]
"""
HOOK = "/hooks/safeguarding"
RECOVERY_SECONDS = 150
"""How long a test waits for RQ to retry a killed worker's job: about 65 s is expected, on a busy machine more."""
FAST_WORKER = {"MONITOR_WORKER_HEARTBEAT_SECONDS": "1", "MONITOR_WORKER_HEARTBEAT_GRACE_SECONDS": "11",
               "MONITOR_WORKER_MAINTENANCE_SECONDS": "1"}


@pytest.fixture
def mailbox():
    with smtp_server() as (port, box):
        box.port = port
        yield box


def setup(tmp_path, real_redis_url, receiver, mailbox, database_url: str, config: str = CONFIG):
    """Services on the test's side, and the environment a worker needs."""
    config_path = write_config(tmp_path, config)
    engine = create_engine(database_url)
    migrate(engine)
    svc = Services(config=load_config(config_path), redis=connect_redis(real_redis_url), database=engine,
                   webhook_secret=zoom.SECRET, api_token="token")
    env = {**os.environ, "MONITOR_CONFIG": str(config_path), "REDIS_URL": real_redis_url,
           "DATABASE_URL": database_url, "ZOOM_WEBHOOK_SECRET_TOKEN": zoom.SECRET, "MONITOR_API_TOKEN": "token",
           "ALERTS_WEBHOOK_URL": receiver.url(HOOK), "ALERTS_WEBHOOK_SECRET": "whsec-test",
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox.port), "SMTP_SECURITY": "none",
           "ALERTS_FROM": "alerts@gatehouse.sch.uk", **FAST_WORKER}
    return svc, env


def outsider_joins(svc, uuid: str = zoom.UUID) -> dict:
    """A recorded lesson hosted by its teacher, two pupils, then an outsider: one incident, opened now."""
    now = time.time()
    for event in (zoom.started(now, uuid), zoom.joined(now, "t", "a.teacher@gatehouse.sch.uk", uuid),
                  zoom.recording("started", now, uuid),
                  zoom.joined(now, "p1", "pupil1@gatehouse.sch.uk", uuid),
                  zoom.joined(now, "p2", "pupil2@gatehouse.sch.uk", uuid), zoom.joined(now + 1, "x", "", uuid)):
        svc.pipeline.process(event)
    [incident] = svc.incidents.list(meeting_uuid=uuid)
    return incident


def delivery_job(svc, alert_id: int, channel: str) -> Job:
    from monitor.alerting.notify import job_id

    return Job.fetch(f"deliver-{job_id(alert_id, channel)}", connection=svc.redis)


def outcomes(svc, incident_id: int) -> list[tuple]:
    return [(a.channel, a.attempt, a.outcome) for a in svc.alerts.attempts(incident_id)]


def hook_requests(receiver) -> list:
    return [(headers, body) for path, headers, body in receiver.requests if path == HOOK]


def waiting_for_lock(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted "
                                 "AND relation = 'alert_deliveries'::regclass")).scalar_one()


@pytest.mark.slow
def test_a_worker_killed_mid_delivery_leaves_its_horse_to_deliver_exactly_once(
        tmp_path, real_redis_url, real_redis, receiver, mailbox, workers):
    svc, workers.env = setup(tmp_path, real_redis_url, receiver, mailbox, f"sqlite:///{tmp_path / 'monitor.sqlite3'}")
    receiver.delay = 3.0                           # the delivery is in flight for three seconds
    incident = outsider_joins(svc)
    first = workers.start()
    wait_for(lambda: len(hook_requests(receiver)) == 1, 30, "the alert to reach the webhook", workers.logs)
    os.killpg(first.pid, signal.SIGKILL)           # the worker and its scheduler, not the horse
    first.wait(10)
    receiver.delay = 0
    workers.start()
    # the e-mail reaches the mailbox a moment before its worker records it as delivered: wait for the record
    wait_for(lambda: sorted(outcomes(svc, incident["id"])) == [("dsl", 1, "delivered"), ("hook", 1, "delivered")], 60,
             "the horse's delivery and the e-mail", workers.logs)
    alert_id = svc.alerts.attempts(incident["id"])[0].alert_id
    wait_for(lambda: delivery_job(svc, alert_id, "hook").is_finished, 60, "the delivery job to finish", workers.logs)
    assert len(hook_requests(receiver)) == 1 and len(mailbox.received) == 1


@pytest.mark.slow
def test_worker_and_horse_killed_mid_send_a_new_worker_sends_again_with_the_same_key(
        tmp_path, real_redis_url, real_redis, receiver, mailbox, workers):
    svc, workers.env = setup(tmp_path, real_redis_url, receiver, mailbox, f"sqlite:///{tmp_path / 'monitor.sqlite3'}")
    receiver.delay = 10.0                          # holds the request: the horse waits for the answer
    incident = outsider_joins(svc)
    first = workers.start()
    wait_for(lambda: len(hook_requests(receiver)) == 1, 30, "the alert to reach the webhook", workers.logs)
    workers.kill_with_horse(first)
    receiver.delay = 0
    assert outcomes(svc, incident["id"]) == [("hook", 1, "unknown")]          # sent, or not: nobody knows
    assert mailbox.received == []                                             # the e-mail's job never started

    workers.start()
    wait_for(lambda: len(mailbox.received) == 1, 30, "the e-mail, not held up by the cut-off delivery", workers.logs)
    alert_id = svc.alerts.attempts(incident["id"])[0].alert_id
    wait_for(lambda: delivery_job(svc, alert_id, "hook").is_finished, RECOVERY_SECONDS,
             "RQ to retry the cut-off delivery", workers.logs)

    attempts = [a for a in svc.alerts.attempts(incident["id"]) if a.channel == "hook"]
    assert [(a.attempt, a.outcome, a.detail) for a in attempts] == [(1, "unknown", CUT_OFF),
                                                                            (2, "delivered", None)]
    copies = hook_requests(receiver)
    assert len(copies) == 2, "at most twice: once cut off, once again"
    key = svc.alerts.get(alert_id).key
    assert [headers["Idempotency-Key"] for headers, _ in copies] == [key, key]
    assert [json.loads(body)["key"] for _, body in copies] == [key, key]
    assert len(mailbox.received) == 1
    assert FailedJobRegistry(queue=Queue(ALERTS, connection=svc.redis)).get_job_ids() == []
    shown = create_app(svc).test_client().get(f"/api/incidents/{incident['id']}",
                                              headers={"Authorization": "Bearer token"}).get_json()
    assert [(a["channel"], a["outcome"]) for a in shown["alert_attempts"] if a["channel"] == "hook"] == [
        ("hook", "unknown"), ("hook", "delivered")]


@pytest.mark.slow
def test_worker_and_horse_killed_before_sending_a_new_worker_sends_exactly_once(
        tmp_path, real_redis_url, real_redis, receiver, mailbox, workers, postgres_url):
    svc, workers.env = setup(tmp_path, real_redis_url, receiver, mailbox, postgres_url)
    uuid = base64.b64encode(os.urandom(16)).decode()     # the database is shared with other tests
    blocker = svc.database.connect()
    blocker.begin()
    # The horse reads, takes the channel's lease, then stops at its first write to the attempts: before sending.
    blocker.execute(text("LOCK TABLE alert_deliveries IN EXCLUSIVE MODE"))
    try:
        incident = outsider_joins(svc, uuid)
        first = workers.start()
        wait_for(lambda: any(svc.redis.scan_iter(match=keys.alert_sending("*", "hook"))), 30,
                 "the horse to take the channel's lease", workers.logs)
        wait_for(lambda: waiting_for_lock(svc.database) == 1, 30, "the horse to wait for the lock", workers.logs)
        workers.kill_with_horse(first)
    finally:
        blocker.rollback()
        blocker.close()
    assert receiver.requests == []
    assert outcomes(svc, incident["id"]) == []

    workers.start()
    wait_for(lambda: ("hook", 1, "delivered") in outcomes(svc, incident["id"]), RECOVERY_SECONDS,
             "RQ to retry the cut-off delivery", workers.logs)
    alert_id = svc.alerts.attempts(incident["id"])[0].alert_id
    wait_for(lambda: delivery_job(svc, alert_id, "hook").is_finished and sorted(outcomes(svc, incident["id"])) == [
        ("dsl", 1, "delivered"), ("hook", 1, "delivered")], 60, "the delivery jobs to finish", workers.logs)
    assert len(hook_requests(receiver)) == 1 and len(mailbox.received) == 1


FOLLOW_UPS = CONFIG.replace("repeat_minutes = 0\nescalate_after_minutes = 0",
                            "repeat_minutes = 0.2\nescalate_after_minutes = 0.1") \
    .replace('channels = ["hook", "dsl"]', 'channels = ["dsl"]\nescalate_to = ["head"]') \
    .replace("[[alerts.routes]]",
             '[alerts.channels.head]\ntype = "email"\nto = ["head@gatehouse.sch.uk"]\n\n[[alerts.routes]]')


def moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@pytest.mark.slow
def test_a_real_worker_escalates_then_repeats_until_acknowledged(
        tmp_path, real_redis_url, real_redis, receiver, mailbox, workers):
    """Escalation after 6 s and a repeat every 12 s, on RQ's scheduler and the wall clock."""
    svc, workers.env = setup(tmp_path, real_redis_url, receiver, mailbox, f"sqlite:///{tmp_path / 'monitor.sqlite3'}",
                             FOLLOW_UPS)
    incident = outsider_joins(svc)
    workers.start()
    to = lambda: [envelope.rcpt_tos for envelope, _, _ in mailbox.received]  # noqa: E731
    wait_for(lambda: ["dsl@gatehouse.sch.uk"] in to()[1:], 60, "a repeat to the DSL", workers.logs)
    ack = create_app(svc).test_client().post(f"/api/incidents/{incident['id']}/acknowledge", json={"by": "Dee Lead"},
                                             headers={"Authorization": "Bearer token"})
    assert ack.status_code == 200
    acknowledged_at = moment(svc.incidents.get(incident["id"])["acknowledged_at"])
    queue = Queue(ALERTS, connection=svc.redis)

    def follow_ups_ended() -> bool:
        """A follow-up ended after the acknowledgement, and none waits."""
        ended = [job.ended_at.replace(tzinfo=timezone.utc) for job in
                 map(lambda i: Job.fetch(i, connection=svc.redis), queue.finished_job_registry.get_job_ids())
                 if job.func_name.endswith("follow_up_alert")]
        waiting = [i for i in queue.scheduled_job_registry.get_job_ids() if i.startswith("follow-up-")]
        return any(at > acknowledged_at for at in ended) and not waiting
    wait_for(follow_ups_ended, 60, "the follow-ups to end", workers.logs)

    alerts = [svc.alerts.get(i) for i in dict.fromkeys(a.alert_id for a in svc.alerts.attempts(incident["id"]))]
    [first] = [a for a in alerts if a.kind == "first"]
    after = {a.kind: (a.created_at - first.created_at).total_seconds()
             for a in sorted(alerts, key=lambda a: a.created_at, reverse=True)}
    assert sorted(after) == ["escalation", "first", "repeat"]
    assert after["escalation"] >= 6 and after["repeat"] >= 12       # the earliest of each: never before its time
    assert all(a.created_at < acknowledged_at for a in alerts), "nothing after the acknowledgement"
    assert to()[:2] == [["dsl@gatehouse.sch.uk"], ["head@gatehouse.sch.uk"]]
    assert to()[2:] == [["dsl@gatehouse.sch.uk"]] * (len(to()) - 2)
    assert len(to()) == len([a for a in svc.alerts.attempts(incident["id"]) if a.outcome == "delivered"])


def test_the_workers_heartbeat_and_clean_up_come_from_the_settings(fake_redis, services):
    """RQ keeps a job's heartbeat 60 s past the last one whatever its worker's settings: `monitor worker` sets it."""
    from rq.job import Job as RQJob

    from monitor.settings import Settings
    from workers.run import forking_worker

    job = RQJob.create("workers.jobs.fire_due_checks", connection=fake_redis, timeout=30)
    default = forking_worker(Settings(), services)
    assert (default.job_monitoring_interval, default.maintenance_interval, default.worker_ttl) == (5, 15, 30)
    assert default.get_heartbeat_ttl(job) == 65
    fast = forking_worker(Settings(**{name.lower(): value for name, value in FAST_WORKER.items()}), services)
    assert (fast.job_monitoring_interval, fast.maintenance_interval, fast.dequeue_timeout) == (1, 1, 1)
    assert fast.get_heartbeat_ttl(job) == 12
