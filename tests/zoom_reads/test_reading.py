"""A read of Zoom's API as the jobs run it, against the stand-in: a lesson's settings become findings and a later
read that finds them fixed resolves them; the teacher is e-mailed once per set of findings; a member of staff's own
settings; a host nobody named is named, and the host rule judges the real person."""
from __future__ import annotations

from .. import zoom
from ..zoom_api_server import safe_meeting, safe_user_settings
from .conftest import replaced, run_zoom_jobs
from .test_triggers import UNKNOWN_HOST, created, settings_updated

TEACHER = "a.teacher@gatehouse.sch.uk"


def open_settings(svc, kind: str = "meeting") -> list[str]:
    return sorted(f.setting for f in svc.findings.list(kind=kind, open_only=True))


def test_a_lessons_unsafe_settings_are_found_before_it_and_resolved_once_fixed(zoom_services, zoom_api_server,
                                                                                mailbox):
    meeting = safe_meeting(zoom.MEETING_ID, host_email=TEACHER)
    meeting["settings"].update(waiting_room=False, join_before_host=True, auto_recording="none")
    zoom_api_server.meetings[zoom.MEETING_ID] = meeting
    zoom_services.pipeline.process(created())
    run_zoom_jobs(zoom_services)
    assert open_settings(zoom_services) == ["auto_recording", "join_before_host", "waiting_room"]
    [(envelope, mail, _)] = mailbox.received
    assert envelope.rcpt_tos == [TEACHER]
    assert mail["Subject"].strip() == "Before your lesson Year 9 Maths: 3 Zoom settings to change in Zoom"
    body = mail.get_body(("plain",)).get_content()
    assert "Join before host is on" in body and "In Zoom: Meetings > edit the lesson" in body

    zoom_services.pipeline.process(created(at=zoom.T0 + 5))        # read again, nothing fixed: no second e-mail
    run_zoom_jobs(zoom_services)
    assert len(mailbox.received) == 1

    meeting["settings"].update(waiting_room=True, join_before_host=False, auto_recording="cloud")
    zoom_services.pipeline.process(created(at=zoom.T0 + 10))
    run_zoom_jobs(zoom_services)
    assert open_settings(zoom_services) == []
    assert sorted(f.setting for f in zoom_services.findings.list(kind="meeting")) == [
        "auto_recording", "join_before_host", "waiting_room"], "resolved ones are kept for the record"
    assert len(mailbox.received) == 1


def test_a_deleted_lesson_resolves_its_findings(zoom_services, zoom_api_server):
    meeting = safe_meeting(zoom.MEETING_ID)
    meeting["settings"]["use_pmi"] = True
    zoom_api_server.meetings[zoom.MEETING_ID] = meeting
    zoom_services.pipeline.process(created())
    run_zoom_jobs(zoom_services)
    assert open_settings(zoom_services) == ["use_pmi"]
    del zoom_api_server.meetings[zoom.MEETING_ID]                   # Zoom answers 404, code 3001
    zoom_services.pipeline.process(created(at=zoom.T0 + 5))
    run_zoom_jobs(zoom_services)
    assert open_settings(zoom_services) == []


def test_only_a_member_of_staff_hosting_is_e_mailed_and_only_with_notify_hosts(zoom_services, zoom_api_server,
                                                                               mailbox):
    meeting = safe_meeting(zoom.MEETING_ID, host_email="visitor@partner.org")
    meeting["settings"]["waiting_room"] = False
    zoom_api_server.meetings[zoom.MEETING_ID] = meeting
    zoom_services.pipeline.process(created())
    run_zoom_jobs(zoom_services)
    quiet = replaced(zoom_services, notify_hosts=False)
    zoom_api_server.meetings["81000000001"] = dict(safe_meeting("81000000001", host_email=TEACHER),
                                                   password="")
    quiet.pipeline.process(created("81000000001"))
    run_zoom_jobs(quiet)
    assert open_settings(zoom_services) == ["password", "waiting_room"]
    assert mailbox.received == []


def test_a_teachers_own_settings_are_read_when_zoom_says_they_changed(zoom_services, zoom_api_server):
    settings = safe_user_settings()
    settings["in_meeting"].update(chat=True, private_chat=True)
    settings["meeting_security"]["waiting_room"] = False
    zoom_api_server.add_user(TEACHER, zoom.HOST_ID, settings)
    zoom_api_server.add_user("someone@elsewhere.org", "nOt-StAfF")
    zoom_services.pipeline.process(settings_updated(zoom.HOST_ID))
    zoom_services.pipeline.process(settings_updated("nOt-StAfF"))     # not in the staff directory: not read
    run_zoom_jobs(zoom_services)
    assert open_settings(zoom_services, "user") == ["in_meeting.chat", "in_meeting.private_chat",
                                                    "meeting_security.waiting_room"]
    assert {f.subject for f in zoom_services.findings.list(kind="user")} == {TEACHER}
    settings["in_meeting"]["chat"] = False
    zoom_services.reader.read_user(TEACHER)
    assert open_settings(zoom_services, "user") == ["in_meeting.private_chat", "meeting_security.waiting_room"]


def test_a_member_of_staff_without_a_zoom_account_is_no_finding(zoom_services, zoom_api_server):
    zoom_services.reader.read_user("b.music@gatehouse.sch.uk")
    assert zoom_services.findings.list() == []


def lesson_hosted_by_someone_unknown(svc, uuid: str = "sEcOnD==") -> None:
    """A recorded lesson with two pupils, hosted by a Zoom user whom neither the directory nor an event names."""
    for event in (zoom.body("meeting.started", zoom.T0, zoom.meeting_object(uuid, host_id=UNKNOWN_HOST)),
                  zoom.recording("started", zoom.T0, uuid),
                  zoom.joined(zoom.T0 + 1, "p1", "pupil1@gatehouse.sch.uk", uuid),
                  zoom.joined(zoom.T0 + 1, "p2", "pupil2@gatehouse.sch.uk", uuid)):
        svc.pipeline.process(event)


def test_a_host_nobody_named_is_named_by_zoom_and_the_host_rule_judges_them(zoom_services, zoom_api_server):
    zoom_api_server.add_user("c.assistant@gatehouse.sch.uk", UNKNOWN_HOST)
    svc = zoom_services
    lesson_hosted_by_someone_unknown(svc)
    run_zoom_jobs(svc)                                               # the lookup, well inside the host grace
    svc.clock.advance(200)
    svc.pipeline.fire_due_checks()
    [incident] = [i for i in svc.incidents.list() if i["rule"] == "non_teacher_host"]
    assert incident["subject"] == "c.assistant@gatehouse.sch.uk"
    assert [r.path for r in zoom_api_server.api_requests()].count(f"/v2/users/{UNKNOWN_HOST}") == 1


def test_a_host_named_after_the_grace_gives_the_unidentified_incident_their_e_mail(zoom_services, zoom_api_server):
    zoom_api_server.add_user("c.assistant@gatehouse.sch.uk", UNKNOWN_HOST)
    svc = zoom_services
    lesson_hosted_by_someone_unknown(svc)
    svc.clock.advance(200)
    svc.pipeline.fire_due_checks()                                   # Zoom had not answered: "unidentified"
    [before] = [i for i in svc.incidents.list() if i["rule"] == "non_teacher_host"]
    assert before["subject"] is None
    run_zoom_jobs(svc)
    [after] = [i for i in svc.incidents.list() if i["rule"] == "non_teacher_host"]
    assert (after["id"], after["subject"]) == (before["id"], "c.assistant@gatehouse.sch.uk")
