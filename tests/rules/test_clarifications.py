"""rules.md, Clarifications (version 2): edge cases of the first four rules, each through replay and the live path."""
from __future__ import annotations

import fakeredis
import pytest

from monitor.db import make_engine
from monitor.incidents import IncidentStore
from monitor.migrations import migrate

from .. import zoom
from ..zoom import T0
from .test_breaches import P1, P2, TA, TEACHER, flagged, lesson, live, ms, replayed

ALIAS = "Alex.Teacher@Gatehouse.sch.uk.alias.example"
"""Not the directory's address (nor a school domain): Zoom sends the account's e-mail as it knows it."""


@pytest.fixture
def live_incidents(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    migrate(engine)
    yield IncidentStore(engine)
    engine.dispose()


def both(tmp_path, config, incidents, events) -> list[tuple]:
    """What replay flags, checked against what the live path opens on the same deliveries."""
    replay_found = replayed(tmp_path, config, events)
    live_found = live(config, fakeredis.FakeRedis(server=fakeredis.FakeServer()), incidents, events)
    assert sorted((i["rule"], i["subject"], i["began_at"], i["opened_at"]) for i in replay_found) == \
        sorted(live_found)
    return replay_found


def test_a_teacher_known_by_zoom_user_id_is_the_teacher_whatever_email_zoom_sends(tmp_path, school_config,
                                                                                  live_incidents):
    """Joined from an alias that is not the directory's address: still the teacher, so no outsider, nobody alone."""
    events = [zoom.started(T0), zoom.recording("started", T0 + 1),
              zoom.joined(T0 + 2, "t", ALIAS, user_id=zoom.HOST_ID),
              zoom.joined(T0 + 10, "p1", P1), zoom.joined(T0 + 11, "p2", P2), zoom.ended(T0 + 900)]
    assert both(tmp_path, school_config, live_incidents, events) == []


def test_subjects_are_lower_cased_emails(tmp_path, school_config, live_incidents):
    events = lesson(host_events=[zoom.role_changed(T0 + 100, "p0", P1.upper(), "host")])
    found = both(tmp_path, school_config, live_incidents, events)
    assert flagged(found) == [("non_teacher_host", P1)]


def test_a_host_passed_from_one_non_teacher_to_another_does_not_restart_the_grace(tmp_path, school_config,
                                                                                  live_incidents):
    """The teaching assistant hosts for 60 s, then a pupil: the condition held for 120 s at T0+220, and its subject
    is the host then."""
    hosts = [zoom.joined(T0 + 50, "ta", TA),
             zoom.role_changed(T0 + 100, "ta", TA, "host"), zoom.role_changed(T0 + 160, "p0", P1, "host")]
    found = both(tmp_path, school_config, live_incidents, lesson(host_events=hosts))
    assert flagged(found) == [("non_teacher_host", P1)]
    [incident] = found
    assert (incident["began_at"], incident["opened_at"]) == (ms(100.25), ms(220.25))


def test_once_confirmed_the_next_non_teacher_hosts_incident_opens_at_once_keeping_the_beginning(
        tmp_path, school_config, live_incidents):
    hosts = [zoom.joined(T0 + 50, "ta", TA),
             zoom.role_changed(T0 + 100, "ta", TA, "host"), zoom.role_changed(T0 + 400, "p0", P1, "host")]
    found = both(tmp_path, school_config, live_incidents, lesson(host_events=hosts))
    assert flagged(found) == [("non_teacher_host", TA), ("non_teacher_host", P1)]
    by_subject = {i["subject"]: i for i in found}
    assert (by_subject[TA]["began_at"], by_subject[TA]["opened_at"]) == (ms(100.25), ms(220.25))
    assert by_subject[TA]["cleared_at"] == ms(400.25)
    assert (by_subject[P1]["began_at"], by_subject[P1]["opened_at"]) == (ms(100.25), ms(400.25))


def test_a_teacher_hosting_again_ends_the_chain(tmp_path, school_config, live_incidents):
    hosts = [zoom.joined(T0 + 50, "ta", TA), zoom.role_changed(T0 + 100, "ta", TA, "host"),
             zoom.role_changed(T0 + 150, "t", TEACHER, "host", user_id=zoom.HOST_ID),
             zoom.role_changed(T0 + 200, "p0", P1, "host")]
    found = both(tmp_path, school_config, live_incidents, lesson(host_events=hosts))
    [incident] = found
    assert (incident["subject"], incident["began_at"], incident["opened_at"]) == (P1, ms(200.25), ms(320.25))


def test_role_changes_with_the_same_event_ts_the_one_delivered_later_wins(tmp_path, school_config, live_incidents):
    to_ta = zoom.role_changed(T0 + 100, "ta", TA, "host")
    to_teacher = zoom.role_changed(T0 + 100, "t", TEACHER, "host", user_id=zoom.HOST_ID)
    assert to_ta["event_ts"] == to_teacher["event_ts"]
    ta_last = both(tmp_path, school_config, live_incidents,
                   lesson(host_events=[zoom.joined(T0 + 50, "ta", TA), to_teacher, to_ta]))
    assert flagged(ta_last) == [("non_teacher_host", TA)]


def test_recording_events_with_the_same_event_ts_not_recording_wins(tmp_path, school_config, live_incidents):
    stopped, resumed = zoom.recording("stopped", T0 + 100), zoom.recording("resumed", T0 + 100)
    for order in ([stopped, resumed], [resumed, stopped]):
        found = replayed(tmp_path, school_config, lesson(extra=order))
        assert flagged(found) == [("no_recording", None)]


@pytest.mark.parametrize("late", ["outsider", "pupil"])
def test_presence_learnt_after_the_fact_while_the_meeting_goes_on(tmp_path, school_config, live_incidents, late):
    """A join delivered after its own leave, the meeting still going: the time it shows overlapped a pupil's."""
    outsider_join, outsider_leave = zoom.joined(T0 + 100, "x", "stranger@gmail.com"), \
        zoom.left(T0 + 200, "x", "stranger@gmail.com")
    pupil_join, pupil_leave = zoom.joined(T0 + 150, "p9", "pupil9@gatehouse.sch.uk"), \
        zoom.left(T0 + 250, "p9", "pupil9@gatehouse.sch.uk")
    events = [zoom.started(T0), zoom.recording("started", T0 + 1), zoom.joined(T0 + 2, "t", TEACHER)]
    if late == "outsider":
        events += [pupil_join, zoom.joined(T0 + 151, "p8", "pupil8@gatehouse.sch.uk"), outsider_leave, outsider_join]
    else:
        events += [outsider_join, outsider_leave, pupil_leave, pupil_join]
    events += [zoom.ended(T0 + 900)]
    found = both(tmp_path, school_config, live_incidents, events)
    assert flagged(found) == [("external_participant", "stranger@gmail.com")]
    assert found[0]["began_at"] == ms(150)


def test_a_host_identified_later_is_the_same_host(tmp_path, school_config, live_incidents):
    """Unidentified for longer than the grace (the incident opens for "the host could not be identified"); the host's
    own join then gives their e-mail: the same incident gains it, and no second one opens."""
    events = [zoom.started(T0), zoom.recording("started", T0 + 1), zoom.joined(T0 + 2, "t", TEACHER),
              zoom.joined(T0 + 10, "p1", P1), zoom.joined(T0 + 11, "p2", P2),
              zoom.joined(T0 + 300, "h", TA, user_id="unlistedHostId"), zoom.ended(T0 + 900)]
    for event in events:  # a host the directory does not list by Zoom user id
        event["payload"]["object"]["host_id"] = "unlistedHostId"
    found = both(tmp_path, school_config, live_incidents, events)
    assert flagged(found) == [("non_teacher_host", TA)]
    assert (found[0]["began_at"], found[0]["opened_at"]) == (ms(10.25), ms(130.25))
