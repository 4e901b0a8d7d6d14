"""Nothing lost when a dependency fails: the database down in the middle of a lesson, a meeting whose check keeps
failing, an alert job that could not be queued. On the in-process stand-ins; tests/checks/test_outage.py stops a real
PostgreSQL server."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue
from sqlalchemy import event
from sqlalchemy.exc import DataError, OperationalError

from monitor import keys
from monitor.background import ALERTS
from monitor.checks import runner

from .. import zoom
from ..signing_in import signed_in
from ..zoom import T0

TEACHER = "a.teacher@gatehouse.sch.uk"
P1, P2 = "pupil1@gatehouse.sch.uk", "pupil2@gatehouse.sch.uk"
OUTSIDER = "stranger@gmail.com"
A_DAY_AGO = datetime.fromtimestamp(T0, timezone.utc) - timedelta(days=1)


@contextmanager
def database_down(engine):
    """Every statement fails as it does when the database server is unreachable."""
    def refuse(*_):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


def lesson_with_pupils(deliver, uuid=zoom.UUID, record=True):
    for e in (zoom.started(T0, uuid), zoom.joined(T0 + 1, "t", TEACHER, uuid, user_id=zoom.HOST_ID),
              *([zoom.recording("started", T0 + 2, uuid)] if record else []),
              zoom.joined(T0 + 3, "p1", P1, uuid), zoom.joined(T0 + 4, "p2", P2, uuid)):
        assert deliver(e).status_code == 200


def rules_of(services, **criteria):
    return sorted(i["rule"] for i in services.incidents.list(**criteria))


def test_an_outsider_whose_join_met_a_database_outage_is_flagged_after_they_left(services, deliver, clock):
    lesson_with_pupils(deliver)
    join, leave = zoom.joined(T0 + 10, "x", OUTSIDER), zoom.left(T0 + 20, "x", OUTSIDER)
    clock.set(T0 + 10)
    with database_down(services.database):
        assert deliver(join).status_code == 503
        clock.set(T0 + 20)
        assert deliver(leave).status_code == 503  # the incident its join began must be stored first
    clock.set(T0 + 300)
    assert deliver(join).status_code == 200     # Zoom's retry, 5 minutes later
    [incident] = services.incidents.list()
    assert (incident["rule"], incident["subject"]) == ("external_participant", OUTSIDER)
    assert incident["cleared_at"] is not None
    assert OUTSIDER in [p["email"] for p in incident["evidence"]["roster"]["external"]]


def test_the_sweep_flags_a_breach_whose_delivery_zoom_never_retried(services, deliver, clock):
    lesson_with_pupils(deliver)
    clock.set(T0 + 10)
    with database_down(services.database):
        assert deliver(zoom.joined(T0 + 10, "x", OUTSIDER)).status_code == 503
    clock.set(T0 + 11)
    services.pipeline.sweep()
    assert rules_of(services) == ["external_participant"]


def test_checks_that_come_due_while_the_database_is_down_are_tried_again_on_their_own(services, deliver, clock):
    lesson_with_pupils(deliver, record=False)       # no recording: flagged 120 s after it began
    clock.set(T0 + 200)
    with database_down(services.database):
        services.pipeline.fire_due_checks()
    assert services.redis.zcard(keys.DEADLINES) == 1  # kept, to be tried again
    clock.set(T0 + 215)
    services.pipeline.sweep()                        # no other lesson did anything meanwhile
    assert rules_of(services) == ["no_recording"]


def test_a_check_that_keeps_failing_is_set_aside_and_holds_up_no_other(services, deliver, clock, monkeypatch, caplog,
                                                                       web):
    bad, good = "bAd0000000000000000000==", "g00d000000000000000000=="
    lesson_with_pupils(deliver, uuid=bad, record=False)
    lesson_with_pupils(deliver, uuid=good, record=False)
    confirm = services.incidents.confirm

    def refuse_the_bad_meeting(c):
        if c.meeting_uuid == bad:  # as PostgreSQL refuses a NUL in its topic
            raise DataError("INSERT", {}, ValueError("a string literal cannot contain NUL (0x00) characters"))
        return confirm(c)

    monkeypatch.setattr(services.incidents, "confirm", refuse_the_bad_meeting)
    caplog.set_level(logging.INFO)
    clock.set(T0 + 200)
    services.pipeline.fire_due_checks()
    assert [i["meeting_uuid"] for i in services.incidents.list()] == [good]
    assert services.incidents.unchecked() == []
    for delay in runner.RETRY_AFTER_SECONDS:        # tried again with backoff, then set aside
        clock.advance(delay - 1)
        services.pipeline.sweep()
        assert services.incidents.unchecked() == []
        clock.advance(2)
        services.pipeline.sweep()
    [unchecked] = services.incidents.unchecked()
    assert (unchecked["meeting_uuid"], unchecked["rule"], unchecked["error"]) == (bad, "no_recording", "DataError")
    assert unchecked["attempts"] == len(runner.RETRY_AFTER_SECONDS) + 1
    assert services.redis.zcard(keys.DEADLINES) == 0
    assert "set aside" in caplog.text
    for secret in (P1, P2, TEACHER, "NUL"):
        assert secret not in caplog.text
    page = " ".join(signed_in(services, web, "dsl").get("/incidents").get_data(as_text=True).split())
    assert "Could not be checked" in page
    assert "Year 9 Maths, from" in page
    assert "whether a lesson with pupils was not being recorded could not be checked" in page


def test_a_meeting_end_that_met_a_database_outage_leaves_the_roster_as_it_was(services, deliver, clock, client):
    lesson_with_pupils(deliver)
    clock.set(T0 + 3000)
    with database_down(services.database):
        assert deliver(zoom.ended(T0 + 3000)).status_code == 503
    assert "ended_at" not in services.pipeline.store.load(zoom.UUID).meeting
    meetings = client.get("/api/meetings", headers={"Authorization": "Bearer test-api-token"}).get_json()
    assert [m["uuid"] for m in meetings["meetings"]] == [zoom.UUID]
    assert deliver(zoom.ended(T0 + 3000)).status_code == 200
    assert services.pipeline.roster(zoom.UUID).ended
    [lesson] = services.pipeline.lessons.between(A_DAY_AGO, A_DAY_AGO + timedelta(days=2))
    assert (lesson.meeting_uuid, lesson.pupils) == (zoom.UUID, 2)


def test_an_incident_whose_alert_job_could_not_be_queued_is_alerted_by_the_sweep(services, deliver, clock,
                                                                                  monkeypatch):
    lesson_with_pupils(deliver)
    enqueue = Queue.enqueue

    def redis_fails(*args, **kwargs):
        raise RedisConnectionError("Redis went away between the commit and the enqueue")

    monkeypatch.setattr(Queue, "enqueue", redis_fails)
    clock.set(T0 + 10)
    assert deliver(zoom.joined(T0 + 10, "x", OUTSIDER)).status_code == 503
    [incident] = services.incidents.list()
    assert services.incidents.awaiting_alert(A_DAY_AGO) == [incident["id"]]
    monkeypatch.setattr(Queue, "enqueue", enqueue)
    services.pipeline.sweep()
    assert f"incident-{incident['id']}-opened" in Queue(ALERTS, connection=services.redis).job_ids
    assert services.incidents.awaiting_alert(A_DAY_AGO) == []
