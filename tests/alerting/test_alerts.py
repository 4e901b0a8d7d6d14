"""Alerts end to end with real parts: RQ jobs on Redis, a real SMTP server, a local stand-in for Slack."""
from __future__ import annotations

import dataclasses
from datetime import timedelta, timezone

import pytest
from rq import Queue, Retry, SimpleWorker
from rq.registry import FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry

from monitor.alerting import dispatch, notify
from monitor.background import ALERTS, QUEUES
from monitor.config import load_config
from workers import jobs

from .. import zoom
from ..local_servers import smtp_server
from ..school import CHAT_CHANNELS, CONFIG_TOML, SIGNED_WEBHOOK, write_config

PUPILS = ("pupil1@gatehouse.sch.uk", "pupil2@gatehouse.sch.uk")


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
    assert [(a.channel, a.attempt, a.ok) for a in svc.alerts.attempts(incident["id"])] == [
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
    assert dispatch.send_meeting_alerts(svc.alerting, incident["meeting_uuid"]) == []
    assert svc.incidents.get(incident["id"])["alert_state"] == "cleared"
    assert receiver.requests == [] and mailbox.received == []


def test_a_failing_channel_is_retried_and_its_failure_shows_on_the_incident(alerting, receiver, monkeypatch, client):
    svc, mailbox = alerting
    monkeypatch.setattr(notify, "RETRIES", Retry(max=2))
    receiver.status = 500
    outsider_lesson(svc)
    run_worker(svc, rounds=6)
    [incident] = svc.incidents.list()
    attempts = [(a.channel, a.attempt, a.ok) for a in svc.alerts.attempts(incident["id"])]
    assert attempts == [("dsl", 1, True), ("slack", 1, False), ("slack", 2, False), ("slack", 3, False)]
    assert all("HTTP 500" in a.detail for a in svc.alerts.attempts(incident["id"]) if not a.ok)
    assert all("secret" not in (a.detail or "") for a in svc.alerts.attempts(incident["id"]))
    shown = client.get(f"/api/incidents/{incident['id']}", headers={"Authorization": "Bearer test-api-token"})
    assert [(a["channel"], a["ok"]) for a in shown.get_json()["alert_attempts"]] == [
        ("dsl", True), ("slack", False), ("slack", False), ("slack", False)]
    failed = FailedJobRegistry(queue=Queue(ALERTS, connection=svc.redis)).get_job_ids()
    assert len(failed) == 1 and failed[0].startswith("deliver-")
    assert len(mailbox.received) == 1


def mail_to(mailbox) -> list[list[str]]:
    return [envelope.rcpt_tos for envelope, _, _ in mailbox.received]


def follow_up(svc, minutes: float) -> None:
    """Time passes; the follow-up job (scheduled by RQ in real time) runs as the scheduler would run it then."""
    svc.clock.advance(minutes * 60)
    for alert_id in sorted({a.alert_id for i in svc.incidents.list() for a in svc.alerts.attempts(i["id"])}):
        if svc.alerts.get(alert_id).kind == "first":
            dispatch.follow_up_alert(svc.alerting, alert_id)
    run_worker(svc)


def test_an_unacknowledged_alert_escalates_then_repeats_and_an_ack_stops_both(alerting, client):
    svc, mailbox = alerting
    outsider_lesson(svc)
    run_worker(svc)
    assert mail_to(mailbox) == [["dsl@gatehouse.sch.uk"]]
    alerts_queue = Queue(ALERTS, connection=svc.redis)
    ran = FinishedJobRegistry(queue=alerts_queue).get_job_ids() + ScheduledJobRegistry(queue=alerts_queue).get_job_ids()
    assert any(job.startswith("follow-up-") for job in ran), "the follow-up is scheduled with RQ"
    follow_up(svc, 10)
    assert len(mailbox.received) == 1                                  # not yet
    follow_up(svc, 6)
    assert mail_to(mailbox)[1:] == [["head@gatehouse.sch.uk"]]         # escalated after 15 minutes
    follow_up(svc, 50)
    assert mail_to(mailbox)[2:] == [["dsl@gatehouse.sch.uk"]]          # repeated after an hour
    [incident] = svc.incidents.list()
    response = client.post(f"/api/incidents/{incident['id']}/acknowledge", json={"by": "Dee S. Lead"},
                           headers={"Authorization": "Bearer test-api-token"})
    assert response.status_code == 200 and response.get_json()["status"] == "acknowledged"
    assert response.get_json()["acknowledged_by"] == "Dee S. Lead (API)"
    assert [(h["who"], h["action"]) for h in svc.triage.history(incident["id"])] == [
        ("Dee S. Lead (API)", "acknowledge")]
    follow_up(svc, 60)
    assert len(mailbox.received) == 3                                  # the acknowledgement stopped the repeats
    kinds = [a.kind for a in svc.alerts.attempts(incident["id"]) if a.channel != "slack"]
    assert kinds == ["first", "escalation", "repeat"]


def test_a_silence_holds_back_matching_incidents(alerting, client, receiver):
    svc, mailbox = alerting
    headers = {"Authorization": "Bearer test-api-token"}
    response = client.post("/api/silences", headers=headers, json={
        "meeting_id": "853 9384 7045", "rule": "external_participant", "ends_at": "2026-11-18T13:00:00Z",
        "author": "Dee S. Lead", "reason": "visiting speaker, checked in person"})
    assert response.status_code == 201, response.get_json()
    silence = response.get_json()
    assert silence["meeting_id"] == "85393847045" and silence["starts_at"] == "2026-11-18T11:06:40Z"
    outsider_lesson(svc)
    run_worker(svc)
    [incident] = svc.incidents.list()
    assert incident["alert_state"] == "silenced" and mailbox.received == [] and receiver.requests == []
    assert client.get("/api/silences", headers=headers).get_json()["silences"] == [silence]
    assert client.delete(f"/api/silences/{silence['id']}", headers=headers).status_code == 200
    assert client.get("/api/silences", headers=headers).get_json()["silences"] == []


@pytest.mark.parametrize("body, message", [
    ({"ends_at": "2026-11-18T13:00:00Z", "author": "a", "reason": "r"}, "at least one of"),
    ({"rule": "no_recording", "ends_at": "2026-12-30T13:00:00Z", "author": "a", "reason": "r"}, "at most 30 days"),
    ({"rule": "no_recording", "ends_at": "2026-11-18T13:00:00", "author": "a", "reason": "r"}, "ends_at"),
    ({"rule": "no_recording", "ends_at": "2026-11-18T13:00:00Z", "author": "a"}, "reason"),
    ({"rule": "loud_music", "ends_at": "2026-11-18T13:00:00Z", "author": "a", "reason": "r"}, "rule"),
])
def test_a_silence_must_say_what_until_when_who_and_why(client, body, message):
    response = client.post("/api/silences", json=body, headers={"Authorization": "Bearer test-api-token"})
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_alert_actions_need_the_token(client):
    assert client.get("/api/incidents/1").status_code == 401
    assert client.post("/api/incidents/1/acknowledge", json={"by": "x"}).status_code == 401
    assert client.post("/api/silences", json={}).status_code == 401
    assert client.get("/api/silences").status_code == 401
    assert client.delete("/api/silences/1").status_code == 401


def test_a_meeting_level_alert_holds_back_later_per_participant_ones(alerting, receiver):
    svc, mailbox = alerting
    for event in (zoom.started(zoom.T0), zoom.recording("started", zoom.T0),
                  *(zoom.joined(zoom.T0 + 1, f"p{i}", p) for i, p in enumerate(PUPILS)),
                  zoom.joined(zoom.T0 + 2, "ta", "c.assistant@gatehouse.sch.uk"),
                  zoom.role_changed(zoom.T0 + 3, "ta", "c.assistant@gatehouse.sch.uk", "host")):
        svc.pipeline.process(event)
    svc.clock.advance(200)
    svc.pipeline.fire_due_checks()
    run_worker(svc)                                                    # the non-teacher host is alerted
    svc.pipeline.process(zoom.joined(zoom.T0 + 210, "x", ""))         # then an outsider joins the same lesson
    run_worker(svc)
    states = {i["rule"]: i["alert_state"] for i in svc.incidents.list()}
    assert states == {"non_teacher_host": "alerted", "external_participant": "inhibited"}
    assert len(receiver.requests) == 1 and len(mailbox.received) == 1


def test_no_second_worker_sends_while_one_is_sending(alerting, receiver):
    from monitor import keys

    svc, mailbox = alerting
    svc = dataclasses.replace(svc, config=dataclasses.replace(svc.config, alerts=svc.config.alerts.model_copy(
        update={"group_wait_seconds": 30})))
    outsider_lesson(svc)
    [incident] = svc.incidents.list()
    [alert_id] = dispatch.send_meeting_alerts(svc.alerting, incident["meeting_uuid"])
    svc.redis.set(keys.alert_sending(alert_id, "slack"), "1")      # a worker is sending it right now
    with pytest.raises(notify.DeliveryInProgress):
        notify.deliver_alert(svc.alerting, alert_id, "slack")
    assert receiver.requests == []
    svc.redis.delete(keys.alert_sending(alert_id, "slack"))
    notify.deliver_alert(svc.alerting, alert_id, "slack")
    notify.deliver_alert(svc.alerting, alert_id, "slack")            # RQ ran it twice: it goes out once
    assert len(receiver.requests) == 1


def test_a_follow_up_is_never_due_before_its_step(alerting):
    """RQ keeps due times in whole seconds, cut down: an alert made mid-second is followed up on the next one."""
    svc, _ = alerting
    svc.clock.advance(0.4)
    outsider_lesson(svc)
    [incident] = svc.incidents.list()
    [alert_id] = dispatch.send_meeting_alerts(svc.alerting, incident["meeting_uuid"])
    created = svc.alerts.get(alert_id).created_at
    registry = ScheduledJobRegistry(queue=Queue(ALERTS, connection=svc.redis))
    [due] = [registry.get_scheduled_time(i) for i in registry.get_job_ids() if i.startswith("follow-up-")]
    assert due.replace(tzinfo=timezone.utc) - created == timedelta(minutes=15, seconds=0.6)


ALL_CHANNELS = CONFIG_TOML + f"""
[alerts]
base_url = "https://monitor.gatehouse.sch.uk"
group_wait_seconds = 30
working_days = [1, 2, 3, 4, 5, 6, 7]
working_hours = ["00:00", "23:59"]

[alerts.channels.dsl]
type = "email"
to = ["dsl@gatehouse.sch.uk"]

{CHAT_CHANNELS}
[alerts.channels.feed]
{SIGNED_WEBHOOK}
[[alerts.routes]]
channels = ["dsl", "teams", "slack", "feed"]
"""
LESSON_B = "bB8xqzIiQ1eQ0x3m0GOg2A=="
PRIVATE = (b"ava.pupil", b"Ava Pupil", b"noah.pupil", b"Noah Pupil", b"mia.pupil", b"Mia Pupil", b"stranger@gmail",
           b"Stranger Danger", b"a.teacher", b"Alex Teacher")


def test_a_posted_breach_stream_reaches_every_channel_grouped_once_and_without_anyone(
        tmp_path, services, receiver, monkeypatch, deliver, clock):
    """Two lessons, two breaches each, every delivery posted twice: one alert per lesson on each of the four
    channels, and no name or e-mail of anyone in any of them."""
    with smtp_server() as (port, mailbox):
        for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
                            "ALERTS_FROM": "alerts@gatehouse.sch.uk", "ALERTS_TEAMS_URL": receiver.url("/teams"),
                            "ALERTS_SLACK_URL": receiver.url("/slack"), "ALERTS_WEBHOOK_URL": receiver.url("/feed"),
                            "ALERTS_WEBHOOK_SECRET": "whsec-test"}.items():
            monkeypatch.setenv(name, value)
        svc = dataclasses.replace(services, config=load_config(write_config(tmp_path, ALL_CHANNELS)), notifier=None)
        jobs.bind(svc)
        t = zoom.T0
        stream = [
            # lesson A: an outsider joins, then a pupil is made host
            zoom.started(t), zoom.joined(t, "t", "a.teacher@gatehouse.sch.uk", name="Alex Teacher"),
            zoom.recording("started", t),
            zoom.joined(t + 1, "a", "ava.pupil@gatehouse.sch.uk", name="Ava Pupil"),
            zoom.joined(t + 1, "n", "noah.pupil@gatehouse.sch.uk", name="Noah Pupil"),
            zoom.joined(t + 2, "x", "stranger@gmail.com", name="Stranger Danger"),
            zoom.role_changed(t + 3, "a", "ava.pupil@gatehouse.sch.uk", "host", name="Ava Pupil"),
            # lesson B: one pupil alone with the teacher, not recorded
            zoom.started(t, LESSON_B), zoom.joined(t, "t", "a.teacher@gatehouse.sch.uk", LESSON_B, name="Alex Teacher"),
            zoom.joined(t + 1, "m", "mia.pupil@gatehouse.sch.uk", LESSON_B, name="Mia Pupil"),
        ]
        for event in stream + stream:
            assert deliver(event).status_code == 200
        clock.advance(200)
        svc.pipeline.fire_due_checks()
        run_worker(svc)
    rules = sorted((i["meeting_uuid"] == LESSON_B, i["rule"]) for i in svc.incidents.list())
    assert rules == [(False, "external_participant"), (False, "non_teacher_host"),
                     (True, "fewer_than_two_pupils"), (True, "no_recording")]
    assert sorted(path for path, _, _ in receiver.requests) == [
        "/feed", "/feed", "/slack", "/slack", "/teams", "/teams"]
    assert len(mailbox.received) == 2
    sent = [body for _, _, body in receiver.requests] + [envelope.content for envelope, _, _ in mailbox.received]
    assert all(b"and 1 other breach" in text for text in sent)
    for text in sent + [str(headers).encode() for _, headers, _ in receiver.requests]:
        for private in PRIVATE:
            assert private not in text, private


def test_the_sending_lease_outlasts_a_delivery_but_not_the_retry_of_a_killed_one():
    """A delivery job is stopped before its lease runs out, so no two workers send at once; RQ retries the job of a
    killed worker only once its heartbeat (60 s) and the first retry interval are over, when the lease has gone."""
    from monitor import keys

    assert notify.DELIVERY_TIMEOUT < keys.ALERT_SENDING_SECONDS < 60 + notify.RETRIES.intervals[0]
