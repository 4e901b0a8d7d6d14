"""rules.md version 2 ("The rest of the protocol"), clause by clause, end to end through the pipeline; then each of
the seven rules under Zoom's delivery reality, and the live path agreeing with replay. out_of_hours has its own
module (test_out_of_hours.py)."""
from __future__ import annotations

import pytest

from monitor.config import load_config

from .. import zoom
from ..school import CONFIG_TOML, write_config
from ..zoom import HOST_ID, T0
from .runs import (
    P1,
    P2,
    TA,
    TEACHER,
    Live,
    duplicated,
    flagged,
    late_and_stale,
    lesson,
    ms,
    replay_side,
    replayed,
    shuffled,
)

PUPIL_CHAT, STAFF_CHAT = ("p1", P2), ("t", TEACHER)     # pupil 2 (present all lesson) and the teacher, chatting
ALIAS = "Alex.T@gatehouse.sch.uk"                        # the teacher's second address: a school account not listed


def config_with(tmp_path, rules: str):
    return load_config(write_config(tmp_path, CONFIG_TOML + "[rules]\n" + rules))


def only(incidents, rule) -> dict:
    [incident] = [i for i in incidents if i["rule"] == rule]
    return incident


def after_end(events, *late):
    """The lesson as delivered, then ``late`` deliveries Zoom made after its meeting.ended."""
    return events + list(late)


# --- pupils_unsupervised --------------------------------------------------------------------------------------------

def teacher_away(leave: float, back: float) -> list[dict]:
    return lesson(extra=[zoom.left(T0 + leave, "t", TEACHER, user_id=HOST_ID),
                         zoom.joined(T0 + back, "t2", TEACHER, user_id=HOST_ID)])


def test_pupils_left_without_staff_for_longer_than_the_grace_are_flagged(tmp_path, school_config):
    [incident] = replayed(tmp_path, school_config, teacher_away(1000, 1200))
    assert (incident["rule"], incident["subject"], incident["severity"]) == ("pupils_unsupervised", None, "high")
    assert (incident["began_at"], incident["opened_at"], incident["cleared_at"]) == (ms(1000.25), ms(1120.25),
                                                                                      ms(1200.25))


def test_a_teacher_back_within_the_grace_flags_nothing_and_the_grace_is_strict(tmp_path, school_config):
    assert replayed(tmp_path, school_config, teacher_away(1000, 1100)) == []
    assert replayed(tmp_path, school_config, teacher_away(1000, 1120)) == []      # exactly the grace: not longer
    assert flagged(replayed(tmp_path, school_config, teacher_away(1000, 1121))) == [("pupils_unsupervised", None)]


def test_a_teaching_assistant_who_stays_supervises_the_pupils(tmp_path, school_config):
    events = lesson(extra=[zoom.joined(T0 + 5, "ta", TA), zoom.left(T0 + 1000, "t", TEACHER, user_id=HOST_ID),
                           zoom.joined(T0 + 1500, "t2", TEACHER, user_id=HOST_ID)])
    assert replayed(tmp_path, school_config, events) == []


def pupils_first(teacher_at: float) -> list[dict]:
    events = [zoom.started(T0), zoom.recording("started", T0 + 2)]
    events += [zoom.joined(T0 + 10 + i, f"p{i}", p) for i, p in enumerate((P1, P2))]
    events += [zoom.joined(T0 + teacher_at, "t", TEACHER, user_id=HOST_ID), zoom.ended(T0 + 1000)]
    return sorted(events, key=lambda e: e["event_ts"])


def test_pupils_who_got_in_first_are_flagged_only_when_no_teacher_comes_within_the_grace(tmp_path, school_config):
    assert replayed(tmp_path, school_config, pupils_first(60)) == []
    assert replayed(tmp_path, school_config, pupils_first(130)) == []       # 120 s after the first pupil: not longer
    [incident] = replayed(tmp_path, school_config, pupils_first(131))
    assert (incident["rule"], incident["began_at"], incident["opened_at"]) == ("pupils_unsupervised", ms(10.25),
                                                                              ms(130.25))


# --- private_chat ---------------------------------------------------------------------------------------------------

def chats(*events, teacher=TEACHER) -> list[dict]:
    return lesson(extra=events, teacher=teacher)


def test_a_pupil_writing_privately_to_the_teacher_is_flagged_with_the_teachers_lower_cased_email(
        tmp_path, school_config):
    shouting = ("t", "A.Teacher@Gatehouse.SCH.uk")
    incidents = replayed(tmp_path, school_config, chats(zoom.chat(T0 + 600, PUPIL_CHAT, shouting, "host")))
    assert flagged(incidents) == [("chat_in_lesson", None), ("private_chat", TEACHER)]
    incident = only(incidents, "private_chat")
    assert incident["severity"] == "high" and incident["began_at"] == incident["opened_at"] == ms(601)
    assert incident["evidence"]["event"] == {
        "kind": "message", "recipient_type": "host",
        "sender": {"email": P2, "class": "pupil"}, "recipient": {"email": TEACHER, "class": "teacher"}}


def test_a_teacher_sending_a_pupil_a_file_privately_is_flagged(tmp_path, school_config):
    incidents = replayed(tmp_path, school_config, chats(zoom.chat_file(T0 + 600, STAFF_CHAT, PUPIL_CHAT, "guest")))
    assert flagged(incidents) == [("chat_in_lesson", None), ("private_chat", TEACHER)]
    event = only(incidents, "private_chat")["evidence"]["event"]
    assert (event["kind"], event["recipient_type"], event["sender"]["class"], event["recipient"]["email"]) == (
        "file", "guest", "teacher", P2)


@pytest.mark.parametrize("recipient_type", ["everyone", "group"])
def test_chat_to_everyone_or_a_group_is_not_private(tmp_path, school_config, recipient_type):
    events = chats(zoom.chat(T0 + 600, PUPIL_CHAT, STAFF_CHAT if recipient_type == "group" else None, recipient_type),
                   zoom.chat_file(T0 + 700, STAFF_CHAT, None, recipient_type))
    assert flagged(replayed(tmp_path, school_config, events)) == [("chat_in_lesson", None)]


def test_two_pupils_chatting_privately_is_only_chat_in_a_lesson(tmp_path, school_config):
    events = chats(zoom.chat(T0 + 600, PUPIL_CHAT, ("p2", "pupil3@gatehouse.sch.uk"), "guest"))
    assert flagged(replayed(tmp_path, school_config, events)) == [("chat_in_lesson", None)]


def test_chatters_without_an_email_are_found_by_their_session_ids(tmp_path, school_config):
    incidents = replayed(tmp_path, school_config, chats(zoom.chat(T0 + 600, ("t", ""), ("p1", ""), "guest")))
    incident = only(incidents, "private_chat")
    assert incident["subject"] == TEACHER
    assert incident["evidence"]["event"]["recipient"] == {"email": P2, "class": "pupil"}


def test_a_chatter_who_matches_no_connection_is_external_and_the_subject_null(tmp_path, school_config):
    incidents = replayed(tmp_path, school_config, chats(zoom.chat(T0 + 600, ("nobody", ""), ("p1", ""), "host")))
    incident = only(incidents, "private_chat")
    assert incident["subject"] is None
    assert incident["evidence"]["event"]["sender"] == {"email": None, "class": "external"}


def test_a_private_chat_counts_whoever_is_present(tmp_path, school_config):
    """The pupil's own participant_joined comes only after their private message to the teacher: no pupil was
    present when it was judged, and it is a private chat between a pupil and an adult all the same."""
    events = [zoom.started(T0), zoom.joined(T0 + 1, "t", TEACHER, user_id=HOST_ID), zoom.recording("started", T0 + 2),
              zoom.chat(T0 + 600, ("p9", "Pupil9@gatehouse.sch.uk"), STAFF_CHAT, "host"),
              zoom.joined(T0 + 590, "p9", "pupil9@gatehouse.sch.uk"),
              zoom.left(T0 + 650, "p9", "pupil9@gatehouse.sch.uk"), zoom.ended(T0 + 900)]
    assert flagged(replayed(tmp_path, school_config, events)) == [("private_chat", TEACHER)]


def test_a_private_chat_delivered_after_every_pupil_left_still_opens(tmp_path, school_config):
    """Zoom delivers the pupil's message late: by then no pupil is present, and the meeting goes on."""
    events = [zoom.started(T0), zoom.joined(T0 + 1, "t", TEACHER, user_id=HOST_ID), zoom.recording("started", T0 + 2),
              zoom.joined(T0 + 10, "p0", P1), zoom.joined(T0 + 11, "p1", P2),
              zoom.left(T0 + 700, "p0", P1), zoom.left(T0 + 701, "p1", P2),
              zoom.chat(T0 + 600, PUPIL_CHAT, STAFF_CHAT, "host"), zoom.ended(T0 + 900)]
    assert flagged(replayed(tmp_path, school_config, events)) == [("private_chat", TEACHER)]


def test_staff_known_by_zoom_user_id_chatting_from_another_address_are_staff(tmp_path, school_config):
    """Classed by the address alone, the alias is a pupil's (a school account not on the staff list), and a private
    chat with a pupil would go unseen."""
    events = chats(zoom.chat(T0 + 600, ("t", ALIAS), PUPIL_CHAT, "guest"), teacher=ALIAS)
    incident = only(replayed(tmp_path, school_config, events), "private_chat")
    assert incident["subject"] == TEACHER
    assert incident["evidence"]["event"]["sender"] == {"email": TEACHER, "class": "teacher"}


# --- chat_in_lesson -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("builder", [zoom.chat, zoom.chat_file], ids=["message", "file"])
def test_any_chat_while_a_pupil_is_present_is_flagged(tmp_path, school_config, builder):
    [incident] = replayed(tmp_path, school_config, chats(builder(T0 + 600, STAFF_CHAT)))
    assert (incident["rule"], incident["subject"], incident["severity"]) == ("chat_in_lesson", None, "medium")
    assert incident["began_at"] == incident["opened_at"] == ms(601)
    assert incident["evidence"]["event"]["kind"] == ("message" if builder is zoom.chat else "file")


def test_chat_with_no_pupil_present_is_not_chat_in_a_lesson(tmp_path, school_config):
    events = [zoom.started(T0), zoom.joined(T0 + 1, "t", TEACHER, user_id=HOST_ID), zoom.joined(T0 + 2, "ta", TA),
              zoom.chat(T0 + 60, STAFF_CHAT), zoom.chat(T0 + 70, STAFF_CHAT, ("ta", TA), "guest"), zoom.ended(T0 + 900)]
    assert replayed(tmp_path, school_config, events) == []


def test_a_second_chat_in_the_lesson_is_recorded_on_the_same_incident_without_a_second_alert(
        tmp_path, school_config, fake_redis, incidents):
    events = chats(zoom.chat(T0 + 600, STAFF_CHAT), zoom.chat_file(T0 + 900, PUPIL_CHAT))
    [incident] = replayed(tmp_path, school_config, events)
    assert (incident["rule"], incident["occurrences"]) == ("chat_in_lesson", 2)
    assert (incident["began_at"], incident["last_at"]) == (ms(601), ms(901))
    run = Live(school_config, fake_redis, incidents).deliver(duplicated(events)).finish()
    [opened] = run.notifier.opened
    live_incident = incidents.get(opened)
    assert (live_incident["occurrences"], live_incident["last_at"]) == (2, ms(901))


def test_a_chat_delivered_again_once_pupils_are_there_changes_nothing(tmp_path, school_config):
    """Applying the same delivery twice never changes anything: the first delivery found no pupil."""
    early = zoom.chat(T0 + 5, STAFF_CHAT)
    events = [zoom.started(T0), zoom.joined(T0 + 1, "t", TEACHER, user_id=HOST_ID), zoom.recording("started", T0 + 2),
              early, zoom.joined(T0 + 10, "p0", P1), zoom.joined(T0 + 11, "p1", P2), early,
              zoom.ended(T0 + 900)]
    assert replayed(tmp_path, school_config, events) == []


# --- participant_screen_share ---------------------------------------------------------------------------------------

def shares(*events, rules_toml=None) -> list[dict]:
    return lesson(extra=[zoom.joined(T0 + 20, "p9", "pupil9@gatehouse.sch.uk", user_id="pupil9ZoomId"), *events])


def test_a_pupil_sharing_their_screen_is_flagged_with_their_email(tmp_path, school_config):
    events = shares(zoom.sharing("started", T0 + 600, "p1"), zoom.sharing("ended", T0 + 700, "p1"))
    [incident] = replayed(tmp_path, school_config, events)
    assert (incident["rule"], incident["subject"], incident["severity"]) == ("participant_screen_share", P2, "medium")
    assert incident["evidence"]["event"] == {"sharer": {"email": P2, "class": "pupil"}, "content": "desktop"}


def test_the_teacher_may_share_unless_the_school_says_staff_may_not(tmp_path, school_config):
    events = shares(zoom.sharing("started", T0 + 600, "t", HOST_ID), zoom.sharing("ended", T0 + 700, "t", HOST_ID))
    assert replayed(tmp_path, school_config, events) == []
    strict = config_with(tmp_path, "staff_may_share = false\n")
    assert flagged(replayed(tmp_path, strict, events)) == [("participant_screen_share", TEACHER)]


def test_a_sharer_who_matches_nobody_counts_as_not_staff(tmp_path, school_config):
    [incident] = replayed(tmp_path, school_config, shares(zoom.sharing("started", T0 + 600, "nobody")))
    assert (incident["subject"], incident["evidence"]["event"]["sharer"]) == (None, {"email": None,
                                                                                     "class": "external"})


def test_a_sharer_is_found_by_their_zoom_user_id_when_the_connection_is_unknown(tmp_path, school_config):
    pupil = shares(zoom.sharing("started", T0 + 600, "nobody", "pupil9ZoomId"))
    assert flagged(replayed(tmp_path, school_config, pupil)) == [("participant_screen_share",
                                                                  "pupil9@gatehouse.sch.uk")]
    teacher = shares(zoom.sharing("started", T0 + 600, "nobody", HOST_ID))       # by the staff list's zoom_user_id
    assert replayed(tmp_path, school_config, teacher) == []


# --- join_before_host -----------------------------------------------------------------------------------------------

def test_a_join_before_the_host_opens_once_a_pupil_is_present(tmp_path, school_config):
    events = [zoom.started(T0), zoom.jbh("jbh_joined", T0 + 0.5, "earlyBird"), *lesson()[1:]]
    [incident] = replayed(tmp_path, school_config, events)
    assert (incident["rule"], incident["subject"], incident["severity"]) == ("join_before_host", None, "medium")
    assert incident["began_at"] == incident["opened_at"] == ms(10.25)       # the first pupil's join


def test_a_join_before_the_host_reported_while_pupils_are_present_opens_then(tmp_path, school_config):
    [incident] = replayed(tmp_path, school_config, lesson(extra=[zoom.jbh("jbh_joined", T0 + 600)]))
    assert (incident["rule"], incident["began_at"]) == ("join_before_host", ms(600))


def test_a_staff_meeting_that_lets_people_in_before_the_host_flags_nothing(tmp_path, school_config):
    events = [zoom.started(T0), zoom.jbh("jbh_joined", T0 + 0.5, "earlyBird"), zoom.joined(T0 + 1, "ta", TA),
              zoom.joined(T0 + 60, "t", TEACHER, user_id=HOST_ID), zoom.ended(T0 + 900)]
    assert replayed(tmp_path, school_config, events) == []


# --- personal_meeting_id --------------------------------------------------------------------------------------------

def test_a_lesson_on_a_personal_meeting_id_is_flagged_once_a_pupil_is_present(tmp_path, school_config):
    [incident] = replayed(tmp_path, school_config, [zoom.on_personal_meeting_id(e) for e in lesson()])
    assert (incident["rule"], incident["subject"], incident["severity"]) == ("personal_meeting_id", None, "medium")
    assert incident["began_at"] == ms(10.25)


def test_a_personal_meeting_id_first_seen_on_meeting_ended_after_pupils_were_there_is_flagged(
        tmp_path, school_config):
    events = lesson()
    events[-1] = zoom.on_personal_meeting_id(events[-1])
    assert events[-1]["event"] == "meeting.ended"
    [incident] = replayed(tmp_path, school_config, events)
    assert incident["rule"] == "personal_meeting_id"


def test_a_staff_meeting_on_a_personal_meeting_id_flags_nothing(tmp_path, school_config):
    events = [zoom.started(T0), zoom.joined(T0 + 1, "t", TEACHER, user_id=HOST_ID), zoom.joined(T0 + 2, "ta", TA),
              zoom.ended(T0 + 900)]
    assert replayed(tmp_path, school_config, [zoom.on_personal_meeting_id(e) for e in events]) == []


# --- delivered after meeting.ended ----------------------------------------------------------------------------------

def test_a_private_chat_and_a_join_before_host_delivered_after_the_end_still_open(tmp_path, school_config):
    events = after_end(lesson(), zoom.chat(T0 + 600, PUPIL_CHAT, STAFF_CHAT, "host"), zoom.jbh("jbh_joined", T0 + 0.5))
    assert flagged(replayed(tmp_path, school_config, events)) == [
        ("chat_in_lesson", None), ("join_before_host", None), ("private_chat", TEACHER)]


def test_late_chat_and_sharing_are_judged_by_who_was_there_at_their_own_time(tmp_path, school_config):
    before_pupils = after_end(lesson(), zoom.chat(T0 + 5, STAFF_CHAT), zoom.sharing("started", T0 + 6, "nobody"))
    assert replayed(tmp_path, school_config, before_pupils) == []
    during = after_end(lesson(), zoom.chat(T0 + 600, STAFF_CHAT), zoom.sharing("started", T0 + 700, "p1"))
    incidents = replayed(tmp_path, school_config, during)
    assert flagged(incidents) == [("chat_in_lesson", None), ("participant_screen_share", P2)]
    roster = only(incidents, "chat_in_lesson")["evidence"]["roster"]
    assert {p["email"] for p in roster["pupil"]} == {P1, P2, "pupil3@gatehouse.sch.uk"}   # as it was at 600 s


def test_a_personal_meeting_id_first_said_by_a_late_delivery_is_judged_at_its_own_time(tmp_path, school_config):
    late_leave = zoom.on_personal_meeting_id(zoom.left(T0 + 2000, "p2", "pupil3@gatehouse.sch.uk"))
    assert flagged(replayed(tmp_path, school_config, after_end(lesson(), late_leave))) == [
        ("personal_meeting_id", None)]


def test_deliveries_whose_own_time_is_after_the_end_open_nothing(tmp_path, school_config):
    end = 3020
    events = after_end(lesson(), zoom.chat(T0 + end + 5, PUPIL_CHAT, STAFF_CHAT, "host"),
                       zoom.sharing("started", T0 + end + 6, "p1"), zoom.jbh("jbh_joined", T0 + end + 7),
                       zoom.on_personal_meeting_id(zoom.recording("stopped", T0 + end + 8)))
    assert replayed(tmp_path, school_config, events) == []


def test_pupils_alone_learnt_of_after_the_end_start_no_timed_check(tmp_path, school_config):
    events = [zoom.started(T0), zoom.joined(T0 + 1, "t", TEACHER, user_id=HOST_ID), zoom.recording("started", T0 + 2),
              zoom.joined(T0 + 10, "p0", P1), zoom.joined(T0 + 11, "p1", P2),
              zoom.left(T0 + 900, "p0", P1), zoom.left(T0 + 901, "p1", P2),
              zoom.left(T0 + 1000, "t", TEACHER, user_id=HOST_ID), zoom.ended(T0 + 2000),
              # Zoom delivers it after the end: two pupils back on new connections, alone from 1000 s to 1900 s
              zoom.joined(T0 + 950, "p0b", P1), zoom.joined(T0 + 951, "p1b", P2),
              zoom.left(T0 + 1900, "p0b", P1), zoom.left(T0 + 1901, "p1b", P2)]
    assert replayed(tmp_path, school_config, events) == []


# --- events that never count ----------------------------------------------------------------------------------------

def test_file_downloads_breakout_room_sharing_and_waiting_for_the_host_open_nothing(tmp_path, school_config):
    events = lesson(extra=[zoom.chat_file(T0 + 600, PUPIL_CHAT, STAFF_CHAT, "host", kind="downloaded"),
                           zoom.sharing("started", T0 + 700, "p1", event="meeting.breakout_room_sharing"),
                           zoom.jbh("jbh_waiting", T0 + 800, "earlyBird")])
    assert replayed(tmp_path, school_config, events) == []


# --- each rule under Zoom's delivery reality ------------------------------------------------------------------------

SCENARIOS = {
    "pupils_unsupervised": lambda: teacher_away(1000, 1200),
    "private_chat": lambda: chats(zoom.chat(T0 + 600, PUPIL_CHAT, STAFF_CHAT, "host")),
    "chat_in_lesson": lambda: chats(zoom.chat(T0 + 600, STAFF_CHAT), zoom.chat_file(T0 + 900, PUPIL_CHAT)),
    "participant_screen_share": lambda: shares(zoom.sharing("started", T0 + 600, "p1"),
                                               zoom.sharing("ended", T0 + 700, "p1")),
    "join_before_host": lambda: [zoom.started(T0), zoom.jbh("jbh_joined", T0 + 0.5, "earlyBird"), *lesson()[1:]],
    "personal_meeting_id": lambda: [zoom.on_personal_meeting_id(e) for e in lesson()],
}
EXPECTED = {
    "pupils_unsupervised": [("pupils_unsupervised", None, 1)],
    "private_chat": [("chat_in_lesson", None, 1), ("private_chat", TEACHER, 1)],
    "chat_in_lesson": [("chat_in_lesson", None, 2)],
    "participant_screen_share": [("participant_screen_share", P2, 1)],
    "join_before_host": [("join_before_host", None, 1)],
    "personal_meeting_id": [("personal_meeting_id", None, 1)],
}


def with_occurrences(incidents) -> list[tuple]:
    return sorted(((i["rule"], i["subject"], i["occurrences"]) for i in incidents), key=lambda f: (f[0], f[1] or ""))


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
@pytest.mark.parametrize("delivery", [duplicated, shuffled, late_and_stale], ids=lambda f: f.__name__)
def test_each_rule_flags_the_same_breach_once_however_zoom_delivers(tmp_path, school_config, rule, delivery):
    assert with_occurrences(replayed(tmp_path, school_config, SCENARIOS[rule]())) == EXPECTED[rule]
    assert with_occurrences(replayed(tmp_path, school_config, delivery(SCENARIOS[rule]()))) == EXPECTED[rule]


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_live_and_replay_open_the_same_incidents(tmp_path, school_config, any_redis, incidents, rule):
    events = duplicated(shuffled(SCENARIOS[rule]()))
    replay_opened = replay_side(tmp_path, school_config, events)
    assert Live(school_config, any_redis, incidents, sweep_every=15).deliver(events).finish().opened() == \
        replay_opened
    assert [r[:2] for r in replay_opened] == [e[:2] for e in EXPECTED[rule]]
