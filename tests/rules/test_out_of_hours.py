"""out_of_hours (rules.md version 2): time alone starts and ends it, at the lesson hours' boundaries in school time,
with the clock changes' rules; in replay the replay clock crosses them, live the workers' sweep does."""
from __future__ import annotations

from datetime import datetime

import pytest

from monitor.config import load_config
from monitor.times import iso_ms

from .. import zoom
from ..school import CONFIG_TOML, write_config
from ..zoom import HOST_ID
from .runs import P1, P2, TEACHER, Live, duplicated, flagged, late_and_stale, lesson, replay_side, replayed, shuffled


def at(text: str) -> float:
    """Seconds since the epoch of an ISO-8601 UTC time."""
    return datetime.fromisoformat(text).timestamp()


def iso(text: str) -> str:
    """The time as incidents show it."""
    return iso_ms(round(at(text) * 1000))


def config_with(tmp_path, rules: str):
    return load_config(write_config(tmp_path, CONFIG_TOML + "[rules]\n" + rules))


EVERY_DAY = "lesson_days = [1, 2, 3, 4, 5, 6, 7]\n"
WEDNESDAY_EVENING = "2026-11-18T17:50:00+00:00"     # Greenwich time: 18:00 in London is 18:00Z


def pupils_joining(join_ts: float, until: str, *, end: bool = True) -> list[dict]:
    """A morning lesson: the teacher (recording) from 06:50, two pupils whose joins Zoom stamps ``join_ts`` (s, to the
    millisecond), everyone there until ``until``."""
    start = at("2026-11-18T06:50:00+00:00")
    events = [zoom.started(start), zoom.joined(start + 1, "t", TEACHER, user_id=HOST_ID),
              zoom.recording("started", start + 2)]
    for i, pupil in enumerate((P1, P2)):
        join = zoom.joined(join_ts, f"p{i}", pupil)
        join["event_ts"] = round(join_ts * 1000)
        events.append(join)
    if end:
        events += [zoom.left(at(until), "p0", P1), zoom.left(at(until), "p1", P2),
                   zoom.left(at(until) + 1, "t", TEACHER, user_id=HOST_ID), zoom.ended(at(until) + 2)]
    return events


# --- time alone starts it -------------------------------------------------------------------------------------------

def test_a_lesson_running_past_six_is_flagged_from_six_exactly_with_no_event_at_six(tmp_path, school_config):
    events = lesson(start=at(WEDNESDAY_EVENING), length=3000)     # pupils from 17:50:10 to 18:40
    assert not any(at("2026-11-18T17:51:00+00:00") < e["event_ts"] / 1000 < at("2026-11-18T18:39:00+00:00")
                   for e in events)
    [incident] = replayed(tmp_path, school_config, events)
    assert (incident["rule"], incident["subject"], incident["severity"]) == ("out_of_hours", None, "medium")
    assert (incident["began_at"], incident["opened_at"]) == (iso("2026-11-18T18:00:00+00:00"),
                                                             iso("2026-11-18T18:05:00+00:00"))
    assert incident["cleared_at"] == iso("2026-11-18T18:40:02.250+00:00")   # the last pupil left


def test_live_the_workers_notice_six_oclock_and_confirm_it_after_the_grace(school_config, fake_redis, incidents):
    run = Live(school_config, fake_redis, incidents)
    run.deliver(lesson(start=at(WEDNESDAY_EVENING), length=3000)[:6])     # everyone in by 17:50:12
    pipeline, notifier, clock = run.pipeline, run.notifier, run.clock
    clock.set(at("2026-11-18T17:59:00+00:00"))
    pipeline.sweep()
    six = round(at("2026-11-18T18:00:00+00:00") * 1000)
    assert six in notifier.deadlines                       # a check is queued at the boundary
    clock.set(at("2026-11-18T18:00:01+00:00"))
    pipeline.fire_due_checks()
    clock.set(at("2026-11-18T18:05:00+00:00"))
    pipeline.fire_due_checks()
    assert notifier.opened == []                           # 300 s exactly: not longer than the grace
    clock.set(at("2026-11-18T18:05:01+00:00"))
    pipeline.fire_due_checks()
    [incident] = [incidents.get(i) for i in notifier.opened]
    assert (incident["rule"], incident["began_at"], incident["opened_at"]) == (
        "out_of_hours", iso("2026-11-18T18:00:00+00:00"), iso("2026-11-18T18:05:00+00:00"))


def test_lessons_on_a_day_without_lessons_are_flagged_at_once_unless_the_school_teaches_every_day(
        tmp_path, school_config):
    saturday = lesson(start=at("2026-11-21T11:00:00+00:00"), length=1200)
    [incident] = replayed(tmp_path, school_config, saturday)
    assert (incident["rule"], incident["began_at"], incident["opened_at"]) == (
        "out_of_hours", iso("2026-11-21T11:00:10.250+00:00"), iso("2026-11-21T11:05:10.250+00:00"))
    sunday = lesson(start=at("2026-11-22T11:00:00+00:00"), length=1200)
    assert flagged(replayed(tmp_path, school_config, sunday)) == [("out_of_hours", None)]
    assert replayed(tmp_path, config_with(tmp_path, EVERY_DAY), saturday + sunday) == []


# --- time alone ends it ---------------------------------------------------------------------------------------------

def test_a_lesson_that_starts_before_seven_clears_at_seven_when_the_grace_has_not_run_out(tmp_path, school_config):
    five_minutes_before = at("2026-11-18T06:55:00+00:00")
    assert replayed(tmp_path, school_config, pupils_joining(five_minutes_before, "2026-11-18T07:30:00+00:00")) == []
    a_millisecond_more = five_minutes_before - 0.001
    [incident] = replayed(tmp_path, school_config, pupils_joining(a_millisecond_more, "2026-11-18T07:30:00+00:00"))
    assert (incident["rule"], incident["began_at"], incident["opened_at"], incident["cleared_at"]) == (
        "out_of_hours", iso("2026-11-18T06:54:59.999+00:00"), iso("2026-11-18T06:59:59.999+00:00"),
        iso("2026-11-18T07:00:00+00:00"))


def test_at_the_end_of_a_replay_a_check_the_lesson_hours_would_clear_first_does_not_fire(tmp_path, school_config):
    unfinished = pupils_joining(at("2026-11-18T06:57:00+00:00"), "", end=False)
    assert replayed(tmp_path, school_config, unfinished) == []
    earlier = pupils_joining(at("2026-11-18T06:50:30+00:00"), "", end=False)
    assert flagged(replayed(tmp_path, school_config, earlier)) == [("out_of_hours", None)]


def test_at_the_end_of_a_replay_no_later_boundary_is_crossed(tmp_path, school_config):
    unfinished = lesson(start=at("2026-11-18T17:30:00+00:00"), length=3000)[:6]   # in by 17:30:12, then silence
    assert replayed(tmp_path, school_config, unfinished) == []


def test_deliveries_after_the_end_never_start_it(tmp_path, school_config):
    events = lesson(start=at("2026-11-18T17:00:00+00:00"), length=2400) + [   # over by 17:40:20; then, late:
        zoom.joined(at("2026-11-18T17:35:00+00:00"), "p9", "pupil9@gatehouse.sch.uk"),
        zoom.left(at("2026-11-18T18:30:00+00:00"), "p9", "pupil9@gatehouse.sch.uk")]
    assert replayed(tmp_path, school_config, events) == []


# --- the clock changes ----------------------------------------------------------------------------------------------

def early_lesson(start: str, until: str) -> list[dict]:
    return lesson(start=at(start), length=at(until) - at(start))


def test_spring_forward_a_start_of_the_hours_in_the_skipped_hour_falls_at_the_jump(tmp_path):
    config = config_with(tmp_path, EVERY_DAY + 'lesson_hours = ["01:30", "18:00"]\n')   # 01:30 does not exist
    four_minutes_before_the_jump = early_lesson("2026-03-29T00:55:50+00:00", "2026-03-29T01:40:00+00:00")
    assert replayed(tmp_path, config, four_minutes_before_the_jump) == []
    six_minutes_before = early_lesson("2026-03-29T00:53:50+00:00", "2026-03-29T01:40:00+00:00")
    [incident] = replayed(tmp_path, config, six_minutes_before)
    assert incident["cleared_at"] == iso("2026-03-29T01:00:00+00:00")       # 01:00 GMT became 02:00 BST


def test_spring_forward_an_end_of_the_hours_in_the_skipped_hour_falls_at_the_jump(tmp_path):
    config = config_with(tmp_path, EVERY_DAY + 'lesson_hours = ["00:00", "01:30"]\n')
    [incident] = replayed(tmp_path, config, early_lesson("2026-03-29T00:40:00+00:00", "2026-03-29T01:40:00+00:00"))
    assert (incident["rule"], incident["began_at"], incident["opened_at"]) == (
        "out_of_hours", iso("2026-03-29T01:00:00+00:00"), iso("2026-03-29T01:05:00+00:00"))


def test_fall_back_a_start_of_the_hours_in_the_repeated_hour_counts_at_its_first_occurrence(tmp_path):
    config = config_with(tmp_path, EVERY_DAY + 'lesson_hours = ["01:30", "18:00"]\n')   # 01:30 BST = 00:30Z
    assert replayed(tmp_path, config, early_lesson("2026-10-25T00:26:50+00:00", "2026-10-25T02:00:00+00:00")) == []
    [incident] = replayed(tmp_path, config, early_lesson("2026-10-25T00:20:00+00:00", "2026-10-25T02:00:00+00:00"))
    assert incident["cleared_at"] == iso("2026-10-25T00:30:00+00:00")


def test_fall_back_an_end_of_the_hours_in_the_repeated_hour_counts_at_its_first_occurrence(tmp_path):
    config = config_with(tmp_path, EVERY_DAY + 'lesson_hours = ["00:00", "01:30"]\n')
    [incident] = replayed(tmp_path, config, early_lesson("2026-10-25T00:20:00+00:00", "2026-10-25T00:50:00+00:00"))
    assert (incident["began_at"], incident["opened_at"]) == (iso("2026-10-25T00:30:00+00:00"),
                                                             iso("2026-10-25T00:35:00+00:00"))
    after_the_second = early_lesson("2026-10-25T01:20:00+00:00", "2026-10-25T01:50:00+00:00")   # 01:20 GMT
    [incident] = replayed(tmp_path, config, after_the_second)
    assert incident["began_at"] == iso("2026-10-25T01:20:10.250+00:00")      # out of hours since 00:30Z


@pytest.mark.parametrize("day, six_pm", [
    ("2026-03-27", None),                          # Friday, Greenwich time: 18:00 is 18:00Z, after this lesson
    ("2026-03-30", "2026-03-30T17:00:00+00:00"),   # Monday, summer time: 18:00 is 17:00Z
    ("2026-10-23", "2026-10-23T17:00:00+00:00"),   # Friday, summer time
    ("2026-10-26", None),                          # Monday, Greenwich time
])
def test_six_oclock_is_school_time_either_side_of_a_clock_change(tmp_path, school_config, day, six_pm):
    incidents = replayed(tmp_path, school_config, early_lesson(f"{day}T16:50:00+00:00", f"{day}T17:40:00+00:00"))
    if six_pm is None:
        assert incidents == []
    else:
        [incident] = incidents
        assert (incident["rule"], incident["began_at"]) == ("out_of_hours", iso(six_pm))


# --- under Zoom's delivery reality, live and in replay --------------------------------------------------------------

def evening():
    return lesson(start=at(WEDNESDAY_EVENING), length=3000)


@pytest.mark.parametrize("delivery", [duplicated, shuffled, late_and_stale], ids=lambda f: f.__name__)
def test_out_of_hours_is_flagged_once_however_zoom_delivers(tmp_path, school_config, delivery):
    [incident] = replayed(tmp_path, school_config, delivery(evening()))
    assert (incident["rule"], incident["began_at"], incident["occurrences"]) == (
        "out_of_hours", iso("2026-11-18T18:00:00+00:00"), 1)


SCHOOL_DAYS = {
    "evening": (evening, ""),
    "morning": (lambda: pupils_joining(at("2026-11-18T06:54:00+00:00"), "2026-11-18T07:30:00+00:00"), ""),
    "spring-end": (lambda: early_lesson("2026-03-29T00:40:00+00:00", "2026-03-29T01:40:00+00:00"),
                   EVERY_DAY + 'lesson_hours = ["00:00", "01:30"]\n'),
    "autumn-start": (lambda: early_lesson("2026-10-25T00:26:50+00:00", "2026-10-25T02:00:00+00:00"),
                     EVERY_DAY + 'lesson_hours = ["01:30", "18:00"]\n'),
}


@pytest.mark.parametrize("day", sorted(SCHOOL_DAYS))
def test_live_and_replay_cross_the_boundaries_alike(tmp_path, any_redis, incidents, day):
    scenario, rules = SCHOOL_DAYS[day]
    config = config_with(tmp_path, rules) if rules else load_config(write_config(tmp_path))
    events = duplicated(shuffled(scenario()))
    expected = replay_side(tmp_path, config, events)
    assert Live(config, any_redis, incidents, sweep_every=15).deliver(events).finish().opened() == expected
    assert [e[0] for e in expected] == ([] if day == "autumn-start" else ["out_of_hours"])
