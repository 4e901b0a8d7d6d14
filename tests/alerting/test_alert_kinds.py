"""Alerts a busy DSL reads at a glance: one alert for a rule broken in many lessons at once, reminders and escalations
that say so and what is new, and another breach in a lesson already alerted said to be one. Real SMTP, RQ jobs."""
from __future__ import annotations

import dataclasses

import pytest

from .. import zoom
from .test_alerts import PUPILS, follow_up, outsider_lesson, run_worker

TOPICS = ("Year 7 English", "Year 8 Science", "Year 9 Maths", "Year 10 History", "Year 11 Art")


def lesson_with_outsider(svc, n: int, topic: str, t: float = zoom.T0) -> None:
    """A recorded lesson with its teacher and two pupils, which an outsider joins."""
    uuid, meeting_id = f"lesson-{n}==", str(81000000100 + n)
    for event in (zoom.started(t, uuid), zoom.joined(t, "t", "a.teacher@gatehouse.sch.uk", uuid),
                  zoom.recording("started", t, uuid),
                  *(zoom.joined(t + 1, f"p{i}", p, uuid, name=f"Pupil {i}") for i, p in enumerate(PUPILS)),
                  zoom.joined(t + 5, "x", "", uuid, name="Visitor")):
        event["payload"]["object"].update(topic=topic, id=meeting_id)
        svc.pipeline.process(event)


def waiting(svc, seconds: int = 30):
    return dataclasses.replace(svc, config=dataclasses.replace(svc.config, alerts=svc.config.alerts.model_copy(
        update={"group_wait_seconds": seconds})))


def subjects(mailbox) -> list[str]:
    return [mail["Subject"].strip() for _, mail, _ in mailbox.received]


def plain(mailbox, n: int) -> str:
    return mailbox.received[n][1].get_body(("plain",)).get_content()


def test_one_rule_broken_in_many_lessons_at_once_is_one_alert_listing_them(alerting, receiver):
    svc, mailbox = alerting
    svc = waiting(svc)
    for n, topic in enumerate(TOPICS):
        lesson_with_outsider(svc, n, topic)
    run_worker(svc)
    incidents = svc.incidents.list()
    assert len(incidents) == 5 and {i["alert_state"] for i in incidents} == {"alerted"}   # each its own incident
    assert subjects(mailbox) == ["Safeguarding alert: 5 lessons, someone from outside the school"]
    assert len(receiver.requests) == 1                                                    # one Slack post too
    body = plain(mailbox, 0)
    assert body.splitlines()[2].startswith("The same breach in 5 lessons at once: someone from outside the school")
    for n, topic in enumerate(TOPICS):
        [incident] = [i for i in incidents if i["meeting_uuid"] == f"lesson-{n}=="]
        assert f"11:06  {topic} (Meeting ID {81000000100 + n})" in body
        assert f"https://monitor.gatehouse.sch.uk/incidents/{incident['id']}" in body
    assert "incidents?rule=external_participant&since=2026-11-18" in body
    assert "Visitor" not in body and "Pupil" not in body.replace("pupils", "")
    alerts = {a.alert_id for i in incidents for a in svc.alerts.attempts(i["id"])}
    assert len(alerts) == 1, "every lesson's incident shows the one alert that told of it"


def test_different_rules_in_different_lessons_stay_separate_alerts(alerting):
    svc, mailbox = alerting
    svc = waiting(svc)
    outsider_lesson(svc)                                     # Year 9 Maths: an outsider, and then ...
    svc.pipeline.process(zoom.role_changed(zoom.T0 + 6, "p0", PUPILS[0], "host"))   # ... a pupil hosts it
    lesson_with_outsider(svc, 1, "Year 7 English")           # an outsider in another lesson too
    svc.clock.advance(200)
    svc.pipeline.fire_due_checks()
    run_worker(svc)
    assert sorted(subjects(mailbox)) == ["Safeguarding alert: 2 lessons, someone from outside the school",
                                         "Safeguarding alert: Year 9 Maths"]
    assert "a lesson with pupils was not hosted by a teacher" in plain(mailbox, subjects(mailbox).index(
        "Safeguarding alert: Year 9 Maths"))


def test_a_reminder_and_an_escalation_say_so_and_what_is_new_since_the_first_alert(alerting):
    svc, mailbox = alerting
    outsider_lesson(svc)
    run_worker(svc)
    svc.clock.advance(300)
    svc.pipeline.process(zoom.left(zoom.T0 + 300, "x", "stranger@gmail.com"))      # the outsider leaves ...
    svc.clock.advance(180)
    svc.pipeline.process(zoom.joined(zoom.T0 + 480, "x2", "stranger@gmail.com", name="Stranger"))  # ... and is back
    follow_up(svc, 7)
    follow_up(svc, 45)
    assert subjects(mailbox) == [
        "Safeguarding alert: Year 9 Maths",
        "Escalated: not acknowledged for 15 min (Safeguarding alert: Year 9 Maths)",
        "Reminder 1: Safeguarding alert: Year 9 Maths"]
    escalation, reminder = plain(mailbox, 1).splitlines()[2], plain(mailbox, 2).splitlines()[2]
    assert escalation.startswith("Escalated: not acknowledged for 15 min. Since the first alert at 11:06: it "
                                 "happened again once; it has not cleared. In Year 9 Maths, someone from outside")
    assert reminder.startswith("Reminder 1: not acknowledged for 60 min. Since the first alert at 11:06: it happened "
                               "again once; it has not cleared.")
    assert "Stranger" not in plain(mailbox, 1) + plain(mailbox, 2)


def test_another_breach_in_a_lesson_already_alerted_is_a_new_alert_that_says_so(alerting):
    svc, mailbox = alerting
    outsider_lesson(svc)
    run_worker(svc)
    svc.pipeline.process(zoom.role_changed(zoom.T0 + 6, "p0", PUPILS[0], "host"))
    svc.clock.advance(200)
    svc.pipeline.fire_due_checks()
    run_worker(svc)
    assert subjects(mailbox) == ["Safeguarding alert: Year 9 Maths",
                                 "Safeguarding alert: another breach in Year 9 Maths"]
    assert plain(mailbox, 1).splitlines()[2].startswith(
        "Another breach in the same lesson: in Year 9 Maths, a lesson with pupils was not hosted by a teacher.")


@pytest.mark.parametrize("lessons, shown", [(3, 3), (50, 20)])
def test_a_chat_card_lists_twenty_lessons_and_says_how_many_more(lessons, shown):
    from monitor.alerting.channels.slack import slack_payload
    from monitor.alerting.channels.teams import teams_payload
    from monitor.alerting.content import alert_message
    from monitor.alerting.samples import SAMPLE_STORM, sample_config

    storm = [dataclasses.replace(SAMPLE_STORM[0], id=n, meeting_uuid=f"m{n}", topic=f"Lesson {n:02d}")
             for n in range(lessons)]
    message = alert_message(sample_config(), storm, "k")
    assert len(message.lessons) == lessons
    [listing] = [b for b in slack_payload(message)["blocks"] if "Lesson 00" in str(b)]
    teams = str(teams_payload(message))
    for n in range(lessons):
        assert (f"Lesson {n:02d} (" in listing["text"]["text"]) == (n < shown)
        assert (f"Lesson {n:02d} (" in teams) == (n < shown)
    assert ("and 30 more: open the list" in listing["text"]["text"]) == (lessons == 50)
