"""The live roster (rules.md, People, Presence, The host, Recording) under Zoom's delivery reality.

Every test runs on each keeper of the live state: the Lua scripts on the in-process Redis stand-in and on the real
Redis server, and replay's in-memory state, which must behave the same.
"""
import itertools
import random

import pytest
from redis.crc import key_slot

from monitor import keys
from monitor.classes import PersonClass
from monitor.memory import MemoryState
from monitor.pipeline import Pipeline

from .. import zoom
from ..zoom import T0, UUID

TEACHER = "a.teacher@gatehouse.sch.uk"
P1, P2, P3 = (f"pupil{i}@gatehouse.sch.uk" for i in (1, 2, 3))


@pytest.fixture(params=["fakeredis", pytest.param("redis", marks=pytest.mark.integration), "memory"])
def pipeline(request, school_config, clock, incidents, notifier):
    if request.param == "memory":
        state = MemoryState()
        return Pipeline(school_config, clock, incidents, notifier, state, state)
    redis = request.getfixturevalue("fake_redis" if request.param == "fakeredis" else "real_redis")
    return Pipeline.on_redis(school_config, redis, clock, incidents, notifier)


@pytest.fixture
def redis_pipeline(school_config, any_redis, clock, incidents, notifier):
    return Pipeline.on_redis(school_config, any_redis, clock, incidents, notifier)


def feed(pipeline, *events):
    return [pipeline.process(event)[0] for event in events]


def present(pipeline, uuid=UUID) -> dict[str, str]:
    roster = pipeline.roster(uuid)
    return {p.key: p.cls.value for p in roster.present}


def lesson() -> list[dict]:
    """A teacher, two pupils; pupil 1 drops and rejoins on a new connection; pupil 2 leaves; recording runs."""
    return [
        zoom.started(T0),
        zoom.joined(T0 + 1, "t-1", TEACHER, user_id=zoom.HOST_ID),
        zoom.recording("started", T0 + 2),
        zoom.joined(T0 + 10, "p1-a", P1),
        zoom.joined(T0 + 11, "p2-a", P2),
        zoom.left(T0 + 60, "p1-a", P1),
        zoom.joined(T0 + 62, "p1-b", P1),
        zoom.left(T0 + 90, "p2-a", P2),
        zoom.recording("paused", T0 + 100),
        zoom.recording("resumed", T0 + 110),
    ]


LESSON_PRESENT = {TEACHER: "teacher", P1: "pupil"}


def test_a_lesson_in_delivery_order(pipeline):
    assert feed(pipeline, *lesson()) == ["applied"] * 10
    roster = pipeline.roster(UUID)
    assert present(pipeline) == LESSON_PRESENT
    assert roster.recording is True
    assert roster.host.email == TEACHER and roster.host.cls is PersonClass.TEACHER
    assert roster.meeting_id == zoom.MEETING_ID and roster.topic == "Year 9 Maths"


@pytest.mark.parametrize("seed", range(6))
def test_any_delivery_order_and_duplicates_give_the_same_roster(pipeline, seed):
    events = lesson()
    shuffled = events + random.Random(seed).sample(events, 5)
    random.Random(seed).shuffle(shuffled)
    feed(pipeline, *shuffled)
    roster = pipeline.roster(UUID)
    assert present(pipeline) == LESSON_PRESENT
    assert roster.recording is True
    assert roster.events == len(events)


def test_a_repeated_delivery_changes_nothing(redis_pipeline, any_redis):
    pipeline = redis_pipeline
    event = zoom.joined(T0, "p1-a", P1)
    assert feed(pipeline, event) == ["applied"]
    before = {k: any_redis.dump(k) for k in any_redis.keys("*")}
    assert feed(pipeline, event, event) == ["duplicate", "duplicate"]
    assert {k: any_redis.dump(k) for k in any_redis.keys("*")} == before


def test_a_late_left_after_a_rejoin_on_a_new_connection_does_not_remove_the_person(pipeline):
    feed(pipeline, zoom.joined(T0, "p1-a", P1), zoom.joined(T0 + 70, "p1-b", P1), zoom.left(T0 + 65, "p1-a", P1))
    assert present(pipeline) == {P1: "pupil"}


def test_a_joined_that_arrives_after_its_left_does_not_add_the_person(pipeline):
    feed(pipeline, zoom.left(T0 + 30, "p1-a", P1), zoom.joined(T0, "p1-a", P1))
    assert present(pipeline) == {}


def test_left_and_joined_at_the_same_time_leave_the_connection_out(pipeline):
    feed(pipeline, zoom.joined(T0, "p1-a", P1), zoom.left(T0, "p1-a", P1))
    assert present(pipeline) == {}


def test_one_person_on_two_devices_is_one_person_present_while_either_is(pipeline):
    feed(pipeline, zoom.joined(T0, "phone", P1), zoom.joined(T0 + 1, "laptop", P1.upper()),
         zoom.left(T0 + 5, "phone", P1))
    roster = pipeline.roster(UUID)
    assert present(pipeline) == {P1: "pupil"}
    assert len(roster.present[0].connections) == 2


def test_meeting_opens_on_its_first_event_without_meeting_started(pipeline):
    feed(pipeline, zoom.joined(T0, "p1-a", P1))
    roster = pipeline.roster(UUID)
    assert roster is not None and roster.started_at is None and not roster.ended
    assert roster.opened_at == T0 * 1000
    assert present(pipeline) == {P1: "pupil"}


@pytest.mark.parametrize("ended_first", [False, True])
def test_ended_meetings_have_nobody_present_and_never_reopen(pipeline, ended_first):
    joins = [zoom.joined(T0, "t-1", TEACHER), zoom.joined(T0 + 1, "p1-a", P1)]
    end = zoom.ended(T0 + 600)
    events = [end, *joins] if ended_first else [*joins, end]
    feed(pipeline, *events, zoom.joined(T0 + 700, "p2-a", P2), zoom.started(T0 + 800))
    roster = pipeline.roster(UUID)
    assert roster.ended and roster.ended_at == (T0 + 600) * 1000
    assert present(pipeline) == {}
    # the facts are kept: who was there before the end
    assert {p.key for p in roster.people} == {TEACHER, P1, P2}


@pytest.mark.slow
def test_every_order_of_a_short_stream_gives_the_same_presence(pipeline):
    stream = [zoom.joined(T0, "c1", P1), zoom.left(T0 + 5, "c1", P1), zoom.joined(T0 + 6, "c2", P1),
              zoom.joined(T0 + 1, "c3", P2), zoom.left(T0 + 9, "c3", P2)]
    for i, order in enumerate(itertools.permutations(stream)):
        uuid = f"perm-{i}=="
        for event in order:
            event = {**event, "payload": {**event["payload"], "object": {**event["payload"]["object"], "uuid": uuid}}}
            pipeline.process(event)
        assert present(pipeline, uuid) == {P1: "pupil"}, order


@pytest.mark.parametrize("email, expected", [
    (TEACHER, "teacher"),
    (" A.Teacher@GATEHOUSE.sch.uk ", "teacher"),
    ("b.music@gatehouse.sch.uk", "teacher"),            # role compares case-insensitively
    ("c.assistant@gatehouse.sch.uk", "staff"),
    ("visitor@partner.org", "guest"),
    (P1, "pupil"),
    ("x@gatehouse.sch.uk.evil.example", "external"),
    ("x@fakegatehouse.sch.uk", "external"),
    ("someone@gmail.com", "external"),
    ("", "external"),
])
def test_people_are_classed_from_the_school_config(pipeline, email, expected):
    feed(pipeline, zoom.joined(T0, "c1", email))
    assert [p.cls.value for p in pipeline.roster(UUID).present] == [expected]


def test_without_email_a_person_is_known_by_zoom_user_id_then_by_connection(pipeline):
    feed(pipeline,
         zoom.joined(T0, "t-phone", "", user_id=zoom.HOST_ID),       # directory maps the id to the teacher
         zoom.joined(T0, "g-1", "", user_id="guestUserId"),
         zoom.joined(T0 + 1, "g-2", "", user_id="guestUserId"),      # the same signed-in guest, second device
         zoom.joined(T0, "dial-in-1", ""), zoom.joined(T0, "dial-in-2", ""))
    assert present(pipeline) == {TEACHER: "teacher", "zoom:guestUserId": "external",
                                 "connection:dial-in-1": "external", "connection:dial-in-2": "external"}


def test_waiting_room_is_not_presence_and_admission_is_not_either(pipeline):
    feed(pipeline, zoom.waiting_room("joined_waiting_room", T0, "p1-a", P1))
    roster = pipeline.roster(UUID)
    assert present(pipeline) == {} and [p.key for p in roster.waiting] == [P1]
    feed(pipeline, zoom.waiting_room("admitted", T0 + 5, "p1-a", P1),
         zoom.waiting_room("left_waiting_room", T0 + 5, "p1-a", P1))
    assert present(pipeline) == {} and pipeline.roster(UUID).waiting == ()
    feed(pipeline, zoom.joined(T0 + 6, "p1-a", P1))
    assert present(pipeline) == {P1: "pupil"}
    feed(pipeline, zoom.waiting_room("put_in_waiting_room", T0 + 30, "p1-a", P1))
    assert present(pipeline) == {} and [p.key for p in pipeline.roster(UUID).waiting] == [P1]


def host(pipeline):
    h = pipeline.roster(UUID).host
    return (h.email, h.cls.value if h.cls else None)


def test_host_from_host_id_via_the_directory_even_before_the_host_joins(pipeline):
    feed(pipeline, zoom.started(T0))
    assert host(pipeline) == (TEACHER, "teacher")


def test_host_unidentified_when_host_id_is_unknown_and_never_joined(pipeline):
    event = zoom.started(T0)
    event["payload"]["object"]["host_id"] = "unknownHostId"
    feed(pipeline, event)
    assert host(pipeline) == (None, None)
    assert not pipeline.roster(UUID).host.identified


def test_host_email_from_the_hosts_own_participant_event(pipeline):
    events = [zoom.started(T0), zoom.joined(T0 + 1, "h-1", "c.assistant@gatehouse.sch.uk", user_id="otherHostId")]
    for event in events:
        event["payload"]["object"]["host_id"] = "otherHostId"
    feed(pipeline, *events)
    assert host(pipeline) == ("c.assistant@gatehouse.sch.uk", "staff")


@pytest.mark.parametrize("reverse", [False, True])
def test_the_latest_role_change_to_host_decides_whatever_the_delivery_order(pipeline, reverse):
    changes = [zoom.role_changed(T0 + 10, "p1-a", P1, "host", old_role="attendee"),
               zoom.role_changed(T0 + 20, "t-1", TEACHER, "host", old_role="co-host")]
    feed(pipeline, zoom.started(T0), *(reversed(changes) if reverse else changes))
    assert host(pipeline) == (TEACHER, "teacher")


def test_a_pupil_made_host_is_the_host(pipeline):
    feed(pipeline, zoom.started(T0), zoom.role_changed(T0 + 10, "p1-a", P1, "host"))
    assert host(pipeline) == (P1, "pupil")


def test_losing_the_host_role_alone_changes_nothing(pipeline):
    feed(pipeline, zoom.started(T0), zoom.role_changed(T0 + 10, "t-1", TEACHER, "co-host", old_role="host"))
    assert host(pipeline) == (TEACHER, "teacher")


@pytest.mark.parametrize("order", [("started", "stopped"), ("stopped", "started")])
def test_the_recording_event_with_the_largest_event_ts_decides(pipeline, order):
    events = {"started": zoom.recording("started", T0 + 1), "stopped": zoom.recording("stopped", T0 + 2)}
    feed(pipeline, *(events[k] for k in order))
    assert pipeline.roster(UUID).recording is False
    feed(pipeline, zoom.recording("resumed", T0 + 3), zoom.recording("paused", T0 + 2.5))
    assert pipeline.roster(UUID).recording is True


def test_meeting_ids_are_strings_whatever_zoom_sends(pipeline):
    feed(pipeline, zoom.recording("started", T0))    # recording.* send the id as a number
    assert pipeline.roster(UUID).meeting_id == "85393847045"


def test_a_meetings_keys_share_one_cluster_slot_and_expire(redis_pipeline, any_redis):
    feed(redis_pipeline, *lesson())
    meeting_keys = keys.meeting_keys(UUID)
    assert len({key_slot(k.encode()) for k in meeting_keys}) == 1
    for key in meeting_keys:
        assert 3 * 3600 < any_redis.ttl(key) <= keys.MEETING_RETENTION_SECONDS


def test_meetings_are_kept_apart(pipeline):
    feed(pipeline, zoom.joined(T0, "c1", P1, uuid="first=="), zoom.joined(T0, "c1", P2, uuid="second=="))
    assert present(pipeline, "first==") == {P1: "pupil"}
    assert present(pipeline, "second==") == {P2: "pupil"}
    assert [r.uuid for r in pipeline.rosters()] == ["first==", "second=="]


def test_ignored_kinds_are_counted_by_name_up_to_a_cap_and_odd_ones_as_other(pipeline):
    """Any string may come as a kind: the counts stay small, and on Redis they expire a week after the last."""
    odd = ["x" * 60 + ".kind", "DROP TABLE incidents", "meeting.", "Meeting.Started", "meeting.participant\u00e9"]
    named = [f"meeting.kind_{i}" for i in range(keys.IGNORED_KINDS_MAX + 10)]
    for n, kind in enumerate(odd + named + ["meeting.kind_0"]):
        assert pipeline.process({"event": kind, "event_ts": T0 * 1000 + n, "payload": {"object": {"uuid": "u"}}}) \
            == ("ignored", None)
    counts = pipeline.store.ignored_counts()
    assert counts == {**{kind: 1 for kind in named[:keys.IGNORED_KINDS_MAX]}, "meeting.kind_0": 2, "other": 15}
    redis = getattr(pipeline.store, "redis", None)
    if redis is not None:
        assert keys.IGNORED_COUNTS_SECONDS - 60 < redis.ttl(keys.IGNORED_COUNTS) <= keys.IGNORED_COUNTS_SECONDS
