"""Which deliveries make the monitor read Zoom's API: each read a job on the zoom queue, never on the webhook's path;
nothing at all with [zoom_api] off, and never in a replay."""
from __future__ import annotations

import json

from click.testing import CliRunner
from rq import Queue

from monitor.background import ZOOM
from monitor.cli import main

from .. import zoom
from ..school import write_config
from .conftest import ZOOM_CONFIG, zoom_jobs

UNKNOWN_HOST = "uNkNoWn-HoSt-1"


def created(meeting_id: str = zoom.MEETING_ID, at: float = zoom.T0) -> dict:
    return zoom.body("meeting.created", at, {"uuid": "cReAtEd==", "id": int(meeting_id), "host_id": zoom.HOST_ID,
                                             "topic": "Year 9 Maths", "type": 2, "settings": {"use_pmi": False}})


def updated(meeting_id: str = zoom.MEETING_ID, at: float = zoom.T0 + 60) -> dict:
    return {"event": "meeting.updated", "event_ts": int(at * 1000), "payload": {
        "account_id": "acc", "operator": "a.teacher@gatehouse.sch.uk", "scope": "all",
        "object": {"id": int(meeting_id), "settings": {"waiting_room": False}},
        "old_object": {"id": int(meeting_id), "settings": {"waiting_room": True}}}}


def settings_updated(user_id: str, at: float = zoom.T0) -> dict:
    return {"event": "user.settings_updated", "event_ts": int(at * 1000), "payload": {
        "account_id": "acc", "operator": "a.teacher@gatehouse.sch.uk",
        "object": {"id": user_id, "settings": {"in_meeting": {"chat": True}}},
        "old_object": {"id": user_id, "settings": {"in_meeting": {"chat": False}}}}}


def test_created_updated_and_deleted_lessons_and_changed_settings_are_read(zoom_services, zoom_client, deliver):
    for body in (created(), updated(), updated(), settings_updated(zoom.HOST_ID),
                 zoom.body("meeting.deleted", zoom.T0 + 90, {"uuid": "cReAtEd==", "id": int(zoom.MEETING_ID)})):
        response = zoom_client.post("/zoom/webhook", data=zoom.raw(body),
                                    headers=zoom.signed_headers(zoom.raw(body), int(zoom.T0)))
        assert response.status_code == 200
    assert zoom_jobs(zoom_services) == [
        ("zoom_read_meeting", (zoom.MEETING_ID,)), ("zoom_read_meeting", (zoom.MEETING_ID,)),
        ("zoom_read_user", (zoom.HOST_ID,)), ("zoom_meeting_deleted", (zoom.MEETING_ID,))], \
        "one read for each change (a repeated delivery reads nothing more)"


def test_a_lessons_first_event_of_the_day_reads_its_settings_once_across_processes(zoom_services):
    zoom_services.pipeline.process(zoom.started(zoom.T0))
    zoom_services.pipeline.process(zoom.joined(zoom.T0 + 1, "p1", "pupil1@gatehouse.sch.uk"))
    other_process = type(zoom_services.pipeline.zoom_reads)(zoom_services.redis, zoom_services.clock)
    other_process.after("meeting.participant_joined", zoom.joined(zoom.T0 + 2, "p2", "pupil2@gatehouse.sch.uk"),
                        None)
    assert zoom_jobs(zoom_services) == [("zoom_read_meeting", (zoom.MEETING_ID,))]


def test_a_host_nobody_named_is_looked_up_and_a_known_one_is_not(zoom_services):
    zoom_services.pipeline.process(zoom.started(zoom.T0))                       # hosted by the directory's teacher
    unknown = zoom.body("meeting.started", zoom.T0, zoom.meeting_object("sEcOnD==", host_id=UNKNOWN_HOST,
                                                                           id="81000000009"))
    zoom_services.pipeline.process(unknown)
    zoom_services.pipeline.process(zoom.joined(zoom.T0 + 1, "p1", "pupil1@gatehouse.sch.uk", "sEcOnD=="))
    hosts = [args for job, args in zoom_jobs(zoom_services) if job == "zoom_identify_host"]
    assert hosts == [("sEcOnD==", UNKNOWN_HOST)]


def test_with_zoom_api_off_no_delivery_queues_a_read(services, client):
    for body in (created(), updated(), settings_updated(zoom.HOST_ID), zoom.started(zoom.T0)):
        data = zoom.raw(body)
        assert client.post("/zoom/webhook", data=data, headers=zoom.signed_headers(data, int(zoom.T0))).status_code \
            == 200
    assert services.reader is None and Queue(ZOOM, connection=services.redis).count == 0


def test_replay_never_calls_zoom(tmp_path, zoom_api_server, monkeypatch):
    for name, value in zoom_api_server.environment().items():
        monkeypatch.setenv(name, value)
    stream = tmp_path / "lessons.jsonl"
    stream.write_text("".join(json.dumps(body) + "\n" for body in (
        created(), updated(), settings_updated(zoom.HOST_ID), zoom.started(zoom.T0),
        zoom.body("meeting.started", zoom.T0, zoom.meeting_object("sEcOnD==", host_id=UNKNOWN_HOST)),
        zoom.joined(zoom.T0 + 1, "p1", "pupil1@gatehouse.sch.uk", "sEcOnD=="))))
    result = CliRunner().invoke(main, ["replay", "--config", str(write_config(tmp_path, ZOOM_CONFIG)), "--json",
                                       str(stream)])
    assert result.exit_code == 0, result.output
    assert zoom_api_server.requests == []


def test_every_member_of_staffs_settings_are_read_daily_at_six(zoom_services):
    from rq.registry import ScheduledJobRegistry

    from workers import jobs
    from workers.periodic import schedule_periodic

    schedule_periodic(zoom_services)
    registry = ScheduledJobRegistry(queue=Queue(ZOOM, connection=zoom_services.redis))
    [daily] = registry.get_job_ids()
    assert daily == "zoom-staff-2026-11-19"                  # the clock is at 11:06 on the 18th: tomorrow, 06:00
    assert registry.get_scheduled_time(daily).strftime("%H:%M") == "06:00"   # London is on UTC in November
    assert jobs.zoom_read_staff("2026-11-19") == len(zoom_services.config.staff.by_email)
    assert {args for job, args in zoom_jobs(zoom_services) if job == "zoom_read_user"} == {
        (email,) for email in zoom_services.config.staff.by_email}
