"""Alerts end to end with real parts: RQ jobs on Redis, a real SMTP server, a local stand-in for Slack."""
from __future__ import annotations

import dataclasses

import pytest
from rq import Queue, Retry, SimpleWorker
from rq.registry import FailedJobRegistry

import workers.alerts
from monitor.config import load_config
from workers import jobs
from workers.queues import ALERTS, QUEUES

from . import zoom
from .conftest import CONFIG_TOML, write_config
from .local_servers import smtp_server

PUPILS = ("pupil1@gatehouse.sch.uk", "pupil2@gatehouse.sch.uk")


def alerts_config(tmp_path, smtp_port: int, wait: int = 0):
    return load_config(write_config(tmp_path, CONFIG_TOML + f"""
[alerts]
base_url = "https://monitor.gatehouse.sch.uk"
group_wait_seconds = {wait}
working_days = [1, 2, 3, 4, 5, 6, 7]
working_hours = ["00:00", "23:59"]

[alerts.channels.dsl]
type = "email"
to = ["dsl@gatehouse.sch.uk"]

[alerts.channels.slack]
type = "slack"
url_env = "ALERTS_SLACK_URL"

[[alerts.routes]]
channels = ["dsl", "slack"]
"""))


@pytest.fixture
def alerting(tmp_path, services, receiver, monkeypatch):
    """The test services with alert routes to a real SMTP server and the Slack stand-in; yields (services, mailbox)."""
    with smtp_server() as (port, mailbox):
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(port))
        monkeypatch.setenv("SMTP_SECURITY", "none")
        monkeypatch.setenv("ALERTS_FROM", "alerts@gatehouse.sch.uk")
        monkeypatch.setenv("ALERTS_SLACK_URL", receiver.url("/services/T0/B0/secret"))
        svc = dataclasses.replace(services, config=alerts_config(tmp_path, port), notifier=None)
        jobs.bind(svc)
        yield svc, mailbox


def run_worker(svc, rounds: int = 4) -> None:
    """Runs queued and due jobs, several passes, as the worker's scheduler would over time."""
    queues = [Queue(name, connection=svc.redis) for name in QUEUES]
    for _ in range(rounds):
        SimpleWorker(queues, connection=svc.redis).work(burst=True, with_scheduler=True)


def outsider_lesson(svc, t=zoom.T0):
    for event in (zoom.started(t), zoom.joined(t, "t", "a.teacher@gatehouse.sch.uk"), zoom.recording("started", t),
                  *(zoom.joined(t + 1, f"p{i}", p, name=f"Pupil {i}") for i, p in enumerate(PUPILS)),
                  zoom.joined(t + 5, "x", "stranger@gmail.com", name="Stranger Danger")):
        svc.pipeline.process(event)


def test_an_opened_incident_reaches_every_channel_once_without_anyones_name(alerting, receiver):
    svc, mailbox = alerting
    outsider_lesson(svc)
    outsider_lesson(svc)                       # Zoom delivered everything twice
    run_worker(svc)
    [incident] = svc.incidents.list()
    assert incident["alert_state"] == "alerted"
    [(envelope, mail, _)] = mailbox.received
    [(path, _, body)] = receiver.requests
    assert mail["Subject"] == "Safeguarding alert: Year 9 Maths" and envelope.rcpt_tos == ["dsl@gatehouse.sch.uk"]
    assert f"https://monitor.gatehouse.sch.uk/incidents/{incident['id']}".encode() in body
    everything = body + envelope.content
    for private in (b"pupil1", b"Pupil 0", b"stranger@gmail.com", b"Stranger Danger", b"a.teacher"):
        assert private not in everything
    assert [(a["channel"], a["attempt"], a["ok"]) for a in svc.alerts.attempts(incident["id"])] == [
        ("dsl", 1, True), ("slack", 1, True)]


def test_breaches_of_one_meeting_in_the_group_wait_make_one_alert(alerting, receiver):
    svc, mailbox = alerting
    outsider_lesson(svc)
    svc.pipeline.process(zoom.role_changed(zoom.T0 + 6, "p0", PUPILS[0], "host"))
    svc.clock.advance(200)                     # the host check's grace runs out ...
    svc.pipeline.fire_due_checks()
    run_worker(svc)                            # ... before the group is sent
    assert sorted(i["rule"] for i in svc.incidents.list()) == ["external_participant", "non_teacher_host"]
    assert len(receiver.requests) == 1 and len(mailbox.received) == 1
    assert b"and 1 other breach" in receiver.requests[0][2]


def test_an_incident_that_clears_within_the_group_wait_sends_nothing(alerting, receiver, tmp_path):
    svc, mailbox = alerting
    svc = dataclasses.replace(svc, config=dataclasses.replace(svc.config, alerts=svc.config.alerts.model_copy(
        update={"group_wait_seconds": 30})))
    outsider_lesson(svc)
    svc.clock.advance(10)
    svc.pipeline.process(zoom.left(zoom.T0 + 15, "x", "stranger@gmail.com"))
    svc.clock.advance(30)
    [incident] = svc.incidents.list()
    assert workers.alerts.send_meeting_alerts(svc, incident["meeting_uuid"]) is None
    assert svc.incidents.get(incident["id"])["alert_state"] == "cleared"
    assert receiver.requests == [] and mailbox.received == []


def test_a_failing_channel_is_retried_and_its_failure_shows_on_the_incident(alerting, receiver, monkeypatch):
    svc, mailbox = alerting
    monkeypatch.setattr(workers.alerts, "RETRIES", Retry(max=2))
    receiver.status = 500
    outsider_lesson(svc)
    run_worker(svc, rounds=6)
    [incident] = svc.incidents.list()
    attempts = [(a["channel"], a["attempt"], a["ok"]) for a in svc.alerts.attempts(incident["id"])]
    assert attempts == [("dsl", 1, True), ("slack", 1, False), ("slack", 2, False), ("slack", 3, False)]
    assert all("HTTP 500" in a["detail"] for a in svc.alerts.attempts(incident["id"]) if not a["ok"])
    assert all("secret" not in (a["detail"] or "") for a in svc.alerts.attempts(incident["id"]))
    failed = FailedJobRegistry(queue=Queue(ALERTS, connection=svc.redis)).get_job_ids()
    assert len(failed) == 1 and failed[0].startswith("deliver-")
    assert len(mailbox.received) == 1
