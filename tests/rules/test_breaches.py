"""The breaches, end to end through the pipeline: grace periods to the millisecond, recurrences, and each rule
under Zoom's delivery reality (duplicates, retries minutes later, local reordering, late and stale deliveries,
meeting.ended first). Replay and the live path (Redis scripts, checks fired by the clock) must agree."""
from __future__ import annotations

import pytest

from monitor.clock import ManualClock
from monitor.pipeline import Pipeline

from .. import zoom
from ..notifier import RecordingNotifier
from ..zoom import T0
from .runs import P1, P2, TA, TEACHER, duplicated, flagged, late_and_stale, lesson, live, ms, replayed, shuffled

# --- each rule, with its timing -------------------------------------------------------------------------------------

def test_a_clean_lesson_flags_nothing(tmp_path, school_config):
    assert replayed(tmp_path, school_config, lesson()) == []


def test_an_outsider_is_flagged_at_once_with_their_email_or_null(tmp_path, school_config):
    extra = [zoom.joined(T0 + 100, "x1", "Stranger@Gmail.com"), zoom.joined(T0 + 200, "x2", ""),
             zoom.joined(T0 + 210, "x3", ""), zoom.left(T0 + 300, "x1", "Stranger@Gmail.com")]
    incidents = replayed(tmp_path, school_config, lesson(extra=extra))
    assert flagged(incidents) == [("external_participant", None), ("external_participant", "stranger@gmail.com")]
    by_subject = {i["subject"]: i for i in incidents}
    assert by_subject["stranger@gmail.com"]["began_at"] == by_subject["stranger@gmail.com"]["opened_at"] == ms(100.25)
    null = by_subject[None]
    outsiders = null["evidence"]["roster"]["external"]
    assert [o["connections"] for o in outsiders if o["email"] is None] == [["x2"]]   # listed at the moment it opened


def test_the_one_to_one_grace_is_strict(tmp_path, school_config):
    def alone_for(seconds):
        events = [zoom.started(T0), zoom.recording("started", T0), zoom.joined(T0 + 1, "t", TEACHER),
                  zoom.joined(T0 + 10, "p1", P1), zoom.joined(T0 + 10 + seconds, "p2", P2), zoom.ended(T0 + 900)]
        # event_ts of a participant event is its payload time + 0.25 s (see tests/zoom.py)
        return replayed(tmp_path, school_config, events)
    assert alone_for(120) == []           # cleared exactly when the grace ran out: not longer than the grace
    [incident] = alone_for(121)
    assert (incident["rule"], incident["subject"]) == ("fewer_than_two_pupils", None)
    assert (incident["began_at"], incident["opened_at"]) == (ms(10.25), ms(130.25))
    assert incident["cleared_at"] == ms(131.25)


def test_a_lesson_without_recording_and_one_that_starts_it_in_time(tmp_path, school_config):
    [incident] = replayed(tmp_path, school_config, lesson(record=False))
    assert (incident["rule"], incident["began_at"], incident["opened_at"]) == ("no_recording", ms(10.25), ms(130.25))
    late_start = lesson(record=False, extra=[zoom.recording("started", T0 + 100)])
    assert replayed(tmp_path, school_config, late_start) == []


def test_a_non_teacher_host_names_the_host_or_says_it_is_unidentified(tmp_path, school_config):
    ta_host = [zoom.joined(T0 + 5, "ta", TA), zoom.role_changed(T0 + 60, "ta", TA, "host")]
    [incident] = replayed(tmp_path, school_config, lesson(host_events=ta_host))
    assert (incident["rule"], incident["subject"], incident["opened_at"]) == ("non_teacher_host", TA, ms(180.25))
    unknown_host = lesson()
    for event in unknown_host:
        event["payload"]["object"]["host_id"] = "notInTheDirectory"
    [incident] = replayed(tmp_path, school_config, unknown_host)
    assert (incident["rule"], incident["subject"]) == ("non_teacher_host", None)
    assert incident["evidence"]["host"]["identified"] is False


def test_a_recurrence_is_recorded_on_the_same_incident(tmp_path, school_config):
    extra = [zoom.recording("stopped", T0 + 600), zoom.recording("started", T0 + 900),
             zoom.recording("paused", T0 + 1200), zoom.recording("resumed", T0 + 1500)]
    [incident] = replayed(tmp_path, school_config, lesson(extra=extra))
    assert incident["rule"] == "no_recording" and incident["occurrences"] == 2
    assert [(o["began_at"], o["cleared_at"]) for o in incident["occurrence_list"]] == [
        (ms(600), ms(900)), (ms(1200), ms(1500))]


def test_an_incident_is_never_withdrawn_when_a_late_event_shows_the_condition_had_cleared(tmp_path, school_config):
    events = lesson(record=False) + [zoom.recording("started", T0 + 5)]    # Zoom delivers it an hour late
    [incident] = replayed(tmp_path, school_config, events)
    assert incident["rule"] == "no_recording"


# --- under Zoom's delivery reality ----------------------------------------------------------------------------------

SCENARIOS = {
    "external_participant": lambda: lesson(extra=[zoom.joined(T0 + 100, "x", ""), zoom.left(T0 + 400, "x", "")]),
    "fewer_than_two_pupils": lambda: lesson(pupils=(P1,)),
    "non_teacher_host": lambda: lesson(host_events=[zoom.joined(T0 + 5, "ta", TA),
                                                    zoom.role_changed(T0 + 60, "ta", TA, "host")]),
    "no_recording": lambda: lesson(record=False),
}
EXPECTED = {"external_participant": [("external_participant", None)],
            "fewer_than_two_pupils": [("fewer_than_two_pupils", None)],
            "non_teacher_host": [("non_teacher_host", TA)],
            "no_recording": [("no_recording", None)]}


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
@pytest.mark.parametrize("delivery", [duplicated, shuffled, late_and_stale], ids=lambda f: f.__name__)
def test_each_rule_flags_the_same_breach_once_however_zoom_delivers(tmp_path, school_config, rule, delivery):
    events = SCENARIOS[rule]()
    incidents = replayed(tmp_path, school_config, delivery(events))
    assert flagged(incidents) == EXPECTED[rule]
    assert all(i["occurrences"] == 1 for i in incidents)


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_meeting_ended_first_starts_no_timed_check_but_still_shows_an_outsider(tmp_path, school_config, rule):
    events = SCENARIOS[rule]()
    end = next(e for e in events if e["event"] == "meeting.ended")
    incidents = replayed(tmp_path, school_config, [end] + [e for e in events if e is not end])
    expected = [("external_participant", None)] if rule == "external_participant" else []
    assert flagged(incidents) == expected
    if incidents:
        assert incidents[0]["began_at"] == ms(100)     # when the outsider and the pupils overlapped, by payload times


# --- live and replay agree ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_live_and_replay_open_the_same_incidents(tmp_path, school_config, any_redis, incidents, rule):
    events = duplicated(shuffled(SCENARIOS[rule]()))
    replay_side = sorted(((i["rule"], i["subject"], i["began_at"], i["opened_at"])
                          for i in replayed(tmp_path, school_config, events)), key=str)
    assert live(school_config, any_redis, incidents, events) == replay_side
    assert [r[:2] for r in replay_side] == EXPECTED[rule]


def test_a_check_due_while_no_worker_ran_fires_when_one_starts(school_config, any_redis, incidents):
    """Deadlines live in Redis: a worker that starts late (or restarts) confirms what came due meanwhile."""
    clock, notifier = ManualClock(T0), RecordingNotifier()
    web = Pipeline.on_redis(school_config, any_redis, clock, incidents, notifier)
    for event in SCENARIOS["no_recording"]()[:5]:     # started, the teacher, three pupils: nobody records
        clock.set(event["event_ts"] / 1000)
        web.process(event)
    assert (T0 + 130.25) * 1000 in notifier.deadlines and notifier.opened == []
    clock.set(T0 + 3600)                     # an hour later a worker starts: a new process, a new pipeline
    Pipeline.on_redis(school_config, any_redis, clock, incidents, notifier).fire_due_checks()
    [incident] = incidents.list()
    assert (incident["rule"], incident["opened_at"]) == ("no_recording", ms(130.25))
    assert notifier.opened == [incident["id"]]
