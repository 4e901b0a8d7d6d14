"""The appendix's comparisons: each setting contracts.md names, on and off, in a lesson and in a teacher's own
settings, gives its finding or none; what Zoom leaves out; a school that records locally."""
from __future__ import annotations

import pytest

from monitor.findings.appendix import Finding, meeting_findings, user_findings

from .settings import DELETE, SAFE_AUTHENTICATION, SAFE_MEETING, SAFE_SECURITY, SAFE_USER, flipped

MEETING_CASES = [
    # (path in Zoom's answer, value, (setting, expected, actual) or None)
    ("settings.join_before_host", True, ("join_before_host", "false", "true")),
    ("settings.join_before_host", False, None),
    ("settings.waiting_room", False, ("waiting_room", "true", "false")),
    ("settings.waiting_room", True, None),
    ("settings.waiting_room_options.who_goes_to_waiting_room", "users_not_in_account",
     ("waiting_room_options.who_goes_to_waiting_room", "everyone", "users_not_in_account")),
    ("settings.waiting_room_options.who_goes_to_waiting_room", "everyone", None),
    ("settings.waiting_room_options", DELETE, None),                       # compared only where present
    ("settings.meeting_authentication", False, ("meeting_authentication", "true", "false")),
    ("settings.meeting_authentication", True, None),
    ("settings.use_pmi", True, ("use_pmi", "false", "true")),
    ("settings.use_pmi", False, None),
    ("password", "", ("password", "set", "not set")),
    ("password", DELETE, ("password", "set", "not set")),                  # Zoom leaves it out when there is none
    ("password", "123456", None),
    ("settings.mute_upon_entry", False, ("mute_upon_entry", "true", "false")),
    ("settings.mute_upon_entry", True, None),
    ("settings.host_video", True, ("host_video", "false", "true")),
    ("settings.host_video", False, None),
    ("settings.participant_video", True, ("participant_video", "false", "true")),
    ("settings.participant_video", False, None),
    ("settings.auto_recording", "local", ("auto_recording", "cloud", "local")),
    ("settings.auto_recording", "none", ("auto_recording", "cloud", "none")),
    ("settings.auto_recording", "cloud", None),
    ("settings.join_before_host", DELETE, ("join_before_host", "false", "missing")),
    ("settings.waiting_room", None, ("waiting_room", "true", "missing")),
    ("settings.mute_upon_entry", "true", ("mute_upon_entry", "true", "true")),  # a string is not Zoom's boolean
]


def _short(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.setting, f.expected, f.actual) for f in findings]


def test_a_lesson_that_keeps_the_appendix_has_no_finding():
    assert meeting_findings(SAFE_MEETING, "cloud") == []


@pytest.mark.parametrize(("path", "value", "finding"), MEETING_CASES)
def test_each_lesson_setting_on_and_off(path, value, finding):
    found = meeting_findings(flipped(SAFE_MEETING, path, value), "cloud")
    assert _short(found) == ([finding] if finding else [])
    for f in found:
        assert f.words.endswith(".") and f.fix.startswith("In Zoom: ")


def test_a_lesson_in_plain_words():
    [join] = meeting_findings(flipped(SAFE_MEETING, "settings.join_before_host", True), "cloud")
    assert join.words == "Join before host is on: pupils can be in the lesson before the teacher."
    assert join.fix == "In Zoom: Meetings > edit the lesson > Options > untick Allow participants to join before host."
    [missing] = meeting_findings(flipped(SAFE_MEETING, "settings.use_pmi", DELETE), "cloud")
    assert missing.words == 'Zoom did not say how "Use Personal Meeting ID" is set, so it could not be checked.'


@pytest.mark.parametrize(("auto_recording", "finding"), [
    ("local", None), ("cloud", ("auto_recording", "local", "cloud")), ("none", ("auto_recording", "local", "none"))])
def test_a_school_that_records_locally_wants_lessons_recorded_locally(auto_recording, finding):
    found = meeting_findings(flipped(SAFE_MEETING, "settings.auto_recording", auto_recording), "off")
    assert _short(found) == ([finding] if finding else [])
    if finding:
        assert "on the local computer" in found[0].words


def test_several_findings_come_in_the_order_of_contracts_md():
    meeting = flipped(flipped(flipped(SAFE_MEETING, "settings.auto_recording", "none"), "settings.waiting_room",
                              False), "settings.join_before_host", True)
    assert [f.setting for f in meeting_findings(meeting, "cloud")] == ["join_before_host", "waiting_room",
                                                                       "auto_recording"]


def test_an_answer_without_settings_cannot_be_shown_safe():
    found = meeting_findings({"id": 1, "password": "x"}, "cloud")
    assert {f.actual for f in found} == {"missing"} and len(found) == 8


# --- a teacher's own settings --------------------------------------------------------------------------------------

def _user(settings=SAFE_USER, security=SAFE_SECURITY, authentication=SAFE_AUTHENTICATION, source="cloud"):
    return _short(user_findings(settings, security, authentication, source))


USER_CASES = [
    ("in_meeting.chat", True, ("in_meeting.chat", "false", "true")),
    ("in_meeting.chat", False, None),
    ("in_meeting.private_chat", True, ("in_meeting.private_chat", "false", "true")),
    ("in_meeting.private_chat", False, None),
    ("in_meeting.file_transfer", True, ("in_meeting.file_transfer", "false", "true")),
    ("in_meeting.file_transfer", False, None),
    ("schedule_meeting.join_before_host", True, ("schedule_meeting.join_before_host", "false", "true")),
    ("schedule_meeting.join_before_host", False, None),
    ("schedule_meeting.host_video", True, ("schedule_meeting.host_video", "false", "true")),
    ("schedule_meeting.host_video", False, None),
    ("schedule_meeting.participants_video", True, ("schedule_meeting.participants_video", "false", "true")),
    ("schedule_meeting.participants_video", False, None),
    ("schedule_meeting.use_pmi_for_scheduled_meetings", True,
     ("schedule_meeting.use_pmi_for_scheduled_meetings", "false", "true")),
    ("schedule_meeting.use_pmi_for_scheduled_meetings", False, None),
    ("schedule_meeting.use_pmi_for_instant_meetings", True,
     ("schedule_meeting.use_pmi_for_instant_meetings", "false", "true")),
    ("schedule_meeting.use_pmi_for_instant_meetings", False, None),
    ("schedule_meeting.embed_password_in_join_link", True,
     ("schedule_meeting.embed_password_in_join_link", "false", "true")),
    ("schedule_meeting.embed_password_in_join_link", False, None),
    ("schedule_meeting.require_password_for_scheduled_meetings", False,
     ("schedule_meeting.require_password_for_scheduled_meetings", "true", "false")),
    ("schedule_meeting.require_password_for_scheduled_meetings", True, None),
    ("recording.auto_recording", "none", ("recording.auto_recording", "cloud", "none")),
    ("recording.auto_recording", "local", ("recording.auto_recording", "cloud", "local")),
    ("recording.auto_recording", "cloud", None),
    ("in_meeting.chat", DELETE, ("in_meeting.chat", "false", "missing")),
]


def test_a_teacher_whose_settings_keep_the_appendix_has_no_finding():
    assert _user() == []


@pytest.mark.parametrize(("path", "value", "finding"), USER_CASES)
def test_each_teacher_setting_on_and_off(path, value, finding):
    assert _user(flipped(SAFE_USER, path, value)) == ([finding] if finding else [])


@pytest.mark.parametrize(("sharing", "who", "finding"), [
    (False, "host", None), (False, "all", None), (True, "host", None),
    (True, "all", ("in_meeting.screen_sharing", 'false, or who_can_share_screen "host"',
                   'true, who_can_share_screen "all"')),
    (True, DELETE, ("in_meeting.screen_sharing", 'false, or who_can_share_screen "host"',
                    'true, who_can_share_screen "missing"')),
    (DELETE, "host", ("in_meeting.screen_sharing", 'false, or who_can_share_screen "host"', "missing")),
])
def test_screen_sharing_is_off_or_for_the_host_only(sharing, who, finding):
    settings = flipped(flipped(SAFE_USER, "in_meeting.screen_sharing", sharing), "in_meeting.who_can_share_screen", who)
    assert _user(settings) == ([finding] if finding else [])


@pytest.mark.parametrize(("waiting_room", "finding"), [
    (False, ("meeting_security.waiting_room", "true", "false")), (True, None),
    (DELETE, ("meeting_security.waiting_room", "true", "missing"))])
def test_the_waiting_room_of_the_meeting_security_settings(waiting_room, finding):
    security = flipped(SAFE_SECURITY, "meeting_security.waiting_room", waiting_room)
    assert _user(security=security) == ([finding] if finding else [])
    assert _user(security=security["meeting_security"]) == ([finding] if finding else [])  # the inner section too


@pytest.mark.parametrize(("authenticated", "finding"), [
    (False, ("meeting_authentication", "true", "false")), (True, None),
    (DELETE, ("meeting_authentication", "true", "missing"))])
def test_only_authenticated_users_join(authenticated, finding):
    authentication = flipped(SAFE_AUTHENTICATION, "meeting_authentication", authenticated)
    assert _user(authentication=authentication) == ([finding] if finding else [])


def test_settings_that_were_not_read_are_not_judged():
    assert _user(security=None, authentication=None) == []
    unsafe = flipped(SAFE_USER, "in_meeting.chat", True)
    assert _user(unsafe, security=None, authentication=None) == [("in_meeting.chat", "false", "true")]


def test_a_school_that_records_locally_wants_teachers_to_record_locally():
    assert _user(flipped(SAFE_USER, "recording.auto_recording", "local"), source="off") == []
    assert _user(source="off") == [("recording.auto_recording", "local", "cloud")]


def test_every_teacher_setting_in_the_order_of_contracts_md():
    found = user_findings({}, {}, {}, "cloud")
    assert [f.setting for f in found] == [
        "in_meeting.chat", "in_meeting.private_chat", "in_meeting.file_transfer", "in_meeting.screen_sharing",
        "schedule_meeting.join_before_host", "schedule_meeting.host_video", "schedule_meeting.participants_video",
        "schedule_meeting.use_pmi_for_scheduled_meetings", "schedule_meeting.use_pmi_for_instant_meetings",
        "schedule_meeting.embed_password_in_join_link", "meeting_security.waiting_room", "meeting_authentication",
        "schedule_meeting.require_password_for_scheduled_meetings", "recording.auto_recording"]
    assert all(f.fix.startswith("In Zoom: Settings > ") for f in found)
