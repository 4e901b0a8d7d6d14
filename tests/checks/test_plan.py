"""Timed checks, planned: when a condition begins, is confirmed, cleared or cancelled. Pure."""
from dataclasses import replace

from monitor.checks.plan import Entry, field_of, plan
from monitor.rules import Condition

EXT = Condition("external_participant", "x@gmail.com", 0)
REC = Condition("no_recording", None, 120)
F_EXT, F_REC = field_of(EXT), field_of(REC)


def test_a_new_condition_without_grace_is_confirmed_at_once_and_kept_for_the_sweep_should_that_fail():
    p = plan({}, [EXT], now=1000)
    assert p.writes == {F_EXT: Entry(1000, 0)} and p.confirms == [(F_EXT, Entry(1000, 0))]
    assert p.deadlines == [(F_EXT, Entry(1000, 0))]


def test_a_new_condition_with_grace_waits_for_its_deadline():
    p = plan({}, [REC], now=1000)
    assert p.writes == {F_REC: Entry(1000, 120)} and p.deadlines == [(F_REC, Entry(1000, 120))] and p.confirms == []
    assert Entry(1000, 120).deadline == 121_000


def test_it_is_confirmed_only_strictly_after_its_grace():
    stored = {F_REC: Entry(1000, 120)}
    assert plan(stored, [REC], now=121_000).confirms == []
    assert plan(stored, [REC], now=121_001).confirms == [(F_REC, Entry(1000, 120))]


def test_a_holding_condition_changes_nothing():
    p = plan({F_REC: Entry(1000, 120, opened=True)}, [REC], now=500_000)
    assert (p.writes, p.confirms, p.clears, p.deadlines) == ({}, [], [], [])


def test_a_pending_condition_that_clears_is_cancelled():
    p = plan({F_REC: Entry(1000, 120)}, [], now=60_000)
    assert p.writes == {F_REC: None} and p.clears == [] and p.confirms == []


def test_a_condition_whose_confirmation_failed_is_still_confirmed_when_it_clears():
    # the outsider's join could not be stored in the database (503); then they left
    p = plan({F_EXT: Entry(1000, 0)}, [], now=5000)
    cleared = Entry(1000, 0, cleared=5000)
    assert p.writes == {F_EXT: cleared} and p.confirms == [(F_EXT, cleared)] and p.clears == []
    assert plan({F_EXT: cleared}, [], now=9000).confirms == [(F_EXT, cleared)]  # until its incident is stored


def test_a_condition_past_its_grace_whose_check_has_not_run_is_confirmed_when_it_clears():
    p = plan({F_REC: Entry(1000, 120)}, [], now=121_001)
    assert p.confirms == [(F_REC, Entry(1000, 120, cleared=121_001))]


def test_a_confirmed_condition_that_clears_is_kept_until_its_clearing_is_stored():
    opened = Entry(1000, 120, opened=True)
    p = plan({F_REC: opened}, [], now=200_000)
    cleared = replace(opened, cleared=200_000)
    assert p.writes == {F_REC: cleared} and p.clears == [(F_REC, cleared)]
    again = plan({F_REC: cleared}, [], now=300_000)
    assert again.writes == {} and again.clears == [(F_REC, cleared)]


def test_a_recurrence_begins_anew():
    cleared = Entry(1000, 120, opened=True, cleared=200_000)
    p = plan({F_REC: cleared}, [REC], now=250_000)
    assert p.writes == {F_REC: Entry(250_000, 120)} and p.clears == [(F_REC, cleared)]
    assert p.deadlines == [(F_REC, Entry(250_000, 120))]


def test_entries_round_trip():
    for entry in (Entry(1, 0), Entry(5, 120, True, 9)):
        assert Entry.decode(entry.encode()) == entry
