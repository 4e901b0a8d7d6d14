"""The four rules as pure functions of a roster (rules.md, The rules), clause by clause."""
import fakeredis
import pytest

from monitor.config import load_config
from monitor.events import parse_event
from monitor.roster.changes import change_for
from monitor.roster.model import PersonResolver, build_roster, snapshot_roster
from monitor.roster.store import RosterStore
from monitor.rules import evaluate, late_external_participant

from .. import zoom
from ..school import CONFIG_TOML, write_config
from ..zoom import T0

T0_MS = T0 * 1000

TEACHER, TA, MUSIC = "a.teacher@gatehouse.sch.uk", "c.assistant@gatehouse.sch.uk", "b.music@gatehouse.sch.uk"
P1, P2 = "pupil1@gatehouse.sch.uk", "pupil2@gatehouse.sch.uk"


def rosters_after(config, *events):
    """The roster a delivery sums up for the rules, and the whole roster read back: the rules must agree on both."""
    store = RosterStore(fakeredis.FakeRedis(server=fakeredis.FakeServer()))
    for event in events:
        _, summary = store.apply(change_for(parse_event(event), T0, config.staff))
    people = PersonResolver(config)
    return snapshot_roster(people, summary), build_roster(people, store.load(summary.uuid))


def roster_after(config, *events):
    return rosters_after(config, *events)[1]


def holding(config, *events) -> set:
    summed, full = rosters_after(config, *events)
    conditions = {(c.rule, c.subject) for c in evaluate(summed, config, T0_MS)}
    assert conditions == {(c.rule, c.subject) for c in evaluate(full, config, T0_MS)}
    return conditions


def recorded_lesson(*extra):
    return [zoom.started(T0), zoom.joined(T0, "t", TEACHER), zoom.recording("started", T0), *extra]


def test_a_lesson_that_keeps_the_protocol_holds_nothing(school_config):
    assert holding(school_config, *recorded_lesson(zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2))) == set()


def test_no_rule_applies_without_a_pupil(school_config):
    assert holding(school_config, zoom.started(T0), zoom.joined(T0, "t", TA), zoom.joined(T0, "x", "")) == set()


# --- external_participant ---------------------------------------------------------------------------------------

def test_an_outsider_with_a_pupil(school_config):
    events = recorded_lesson(zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2),
                             zoom.joined(T0, "x1", "Stranger@Gmail.com"), zoom.joined(T0, "x2", ""),
                             zoom.joined(T0, "x3", ""))
    assert holding(school_config, *events) == {("external_participant", "stranger@gmail.com"),
                                               ("external_participant", None)}


def test_an_outsider_in_the_waiting_room_or_without_pupils_is_no_breach(school_config):
    assert holding(school_config, *recorded_lesson(zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2),
                                                   zoom.waiting_room("joined_waiting_room", T0, "x", ""))) == set()
    assert holding(school_config, *recorded_lesson(zoom.joined(T0, "x", ""))) == set()


def test_approved_guests_are_not_outsiders(school_config):
    events = recorded_lesson(zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2),
                             zoom.joined(T0, "g", "visitor@partner.org"))
    assert holding(school_config, *events) == set()


# --- fewer_than_two_pupils --------------------------------------------------------------------------------------

@pytest.mark.parametrize("adults", [[TEACHER], [TEACHER, TA], [""], ["visitor@partner.org"]])
def test_one_pupil_with_any_non_pupil(school_config, adults):
    events = [zoom.started(T0), zoom.recording("started", T0), zoom.joined(T0, "p1", P1)]
    events += [zoom.joined(T0, f"a{i}", email) for i, email in enumerate(adults)]
    assert ("fewer_than_two_pupils", None) in holding(school_config, *events)


def test_one_pupil_alone_or_two_pupils_is_not_one_to_one(school_config):
    alone = holding(school_config, zoom.started(T0), zoom.recording("started", T0), zoom.joined(T0, "p1", P1))
    assert alone == {("pupils_unsupervised", None)}  # no staff with the pupil: that rule's, not this one's
    assert holding(school_config, *recorded_lesson(zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2))) == set()


def test_approved_one_to_one_hosts_and_meetings_are_exempt(school_config, tmp_path):
    music = [zoom.started(T0), zoom.recording("started", T0), zoom.joined(T0, "m", MUSIC),
             zoom.role_changed(T0, "m", MUSIC, "host"), zoom.joined(T0, "p1", P1)]
    assert holding(school_config, *music) == set()
    exempt_meeting = load_config(write_config(tmp_path, CONFIG_TOML.replace("888 0000 0777", zoom.MEETING_ID)))
    assert holding(exempt_meeting, *recorded_lesson(zoom.joined(T0, "p1", P1))) == set()


# --- non_teacher_host -------------------------------------------------------------------------------------------

def test_a_non_teacher_host_with_pupils(school_config):
    events = recorded_lesson(zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2), zoom.joined(T0, "ta", TA),
                             zoom.role_changed(T0 + 5, "ta", TA, "host"))
    assert holding(school_config, *events) == {("non_teacher_host", TA)}


def test_an_unidentified_host(school_config):
    start = zoom.started(T0)
    start["payload"]["object"]["host_id"] = "somebodyElse"
    events = [start, zoom.recording("started", T0), zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2)]
    roster = roster_after(school_config, *events)
    assert {(c.rule, c.subject) for c in evaluate(roster, school_config, T0_MS)} == \
        {("non_teacher_host", None), ("pupils_unsupervised", None)}
    assert not roster.host.identified


def test_a_pupil_made_host(school_config):
    events = recorded_lesson(zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2),
                             zoom.role_changed(T0 + 5, "p1", P1, "host"))
    assert holding(school_config, *events) == {("non_teacher_host", P1)}


# --- no_recording -----------------------------------------------------------------------------------------------

def test_pupils_without_a_running_cloud_recording(school_config):
    events = [zoom.started(T0), zoom.joined(T0, "t", TEACHER), zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2)]
    assert holding(school_config, *events) == {("no_recording", None)}
    assert holding(school_config, *events, zoom.recording("started", T0 + 1), zoom.recording("paused", T0 + 2)) \
        == {("no_recording", None)}


def test_recording_source_off_disables_the_rule(tmp_path):
    config = load_config(write_config(tmp_path, CONFIG_TOML + '\n[rules]\nrecording_source = "off"\n'))
    events = [zoom.started(T0), zoom.joined(T0, "t", TEACHER), zoom.joined(T0, "p1", P1), zoom.joined(T0, "p2", P2)]
    assert holding(config, *events) == set()


# --- after the end ----------------------------------------------------------------------------------------------

def test_nothing_holds_once_the_meeting_has_ended(school_config):
    events = [zoom.started(T0), zoom.joined(T0, "p1", P1), zoom.joined(T0, "x", ""), zoom.ended(T0 + 60)]
    assert holding(school_config, *events) == set()


def test_a_late_join_shows_an_outsider_was_there_with_a_pupil(school_config):
    events = [zoom.started(T0), zoom.joined(T0 + 10, "p1", P1), zoom.left(T0 + 100, "p1", P1), zoom.ended(T0 + 600),
              zoom.joined(T0 + 50, "x", "")]
    [(condition, began)] = late_external_participant(roster_after(school_config, *events), "x", T0_MS)
    assert (condition.rule, condition.subject, began) == ("external_participant", None, (T0 + 50) * 1000)
    no_overlap = events[:-1] + [zoom.joined(T0 + 200, "y", "")]
    assert late_external_participant(roster_after(school_config, *no_overlap), "y", T0_MS) == []
