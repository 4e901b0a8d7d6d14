"""The protocol's appendix ("Correct procedures for using Zoom") as comparisons of Zoom's JSON: pure functions, no
I/O. contracts.md (Zoom API) names every setting compared and the value it must have.

What Zoom leaves out of an answer:
- A setting that is absent (or null) is a finding with the actual value "missing": the protocol asks for a known
  state, and a lesson whose settings cannot be shown safe is not taken to be safe. The exceptions:
  ``waiting_room_options.who_goes_to_waiting_room`` is compared only where present (older accounts and meetings
  have no such options; the waiting room itself is checked on its own), and ``in_meeting.who_can_share_screen`` is
  read only when screen sharing is on.
- A meeting's ``password`` absent or empty is a lesson without a passcode ("not set"), which is how Zoom answers.
- A user's meeting-security or meeting-authentication settings that were not read (None) are not judged; read, they
  may come as Zoom's whole answer (``{"meeting_security": {...}}``) or as its inner section.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MISSING = "missing"
PASSCODE_SET, PASSCODE_NOT_SET = "set", "not set"
_ABSENT = object()

MEETING_EDIT = "In Zoom: Meetings > edit the lesson > "
USER_SETTINGS = "In Zoom: Settings > "


@dataclass(frozen=True)
class Finding:
    setting: str
    """The Zoom JSON path: inside a meeting's "settings" (but "password", top level), or inside a user's settings."""
    expected: str
    """As JSON-ish text: "false", "true", "cloud", "set", "everyone"."""
    actual: str
    """What Zoom said: "true", "none", "not set", or "missing" when it said nothing."""
    words: str
    """What is wrong, in plain words for a DSL or a teacher."""
    fix: str
    """How to put it right in Zoom, in plain words."""


@dataclass(frozen=True)
class _Check:
    setting: str
    label: str
    """Zoom's own name for the setting, as its pages show it."""
    expected: Any
    words: str
    fix: str
    where_present: bool = False
    """Compared only when Zoom's answer has it."""

    def keeps(self, value: Any) -> bool:
        return value == self.expected and type(value) is type(self.expected)


def _text(value: Any) -> str:
    if value is _ABSENT or value is None:
        return MISSING
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _at(section: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(section, dict) or key not in section:
            return _ABSENT
        section = section[key]
    return section


def _finding(check: _Check, value: Any) -> Finding:
    actual = _text(value)
    words = check.words if actual != MISSING else \
        f"Zoom did not say how \"{check.label}\" is set, so it could not be checked."
    return Finding(check.setting, _text(check.expected), actual, words, check.fix)


def _judge(check: _Check, value: Any) -> Finding | None:
    if value is _ABSENT or value is None:
        return None if check.where_present else _finding(check, value)
    return None if check.keeps(value) else _finding(check, value)


def recording_mode(recording_source: str) -> str:
    """Where lessons must record automatically: to the cloud, or locally for a school that records locally."""
    return "local" if recording_source == "off" else "cloud"


# --- a scheduled lesson: GET /meetings/{meetingId} ------------------------------------------------------------------

def _meeting_checks(recording_source: str) -> list[_Check]:
    mode = recording_mode(recording_source)
    where = "in the cloud" if mode == "cloud" else "on the local computer"
    return [
        _Check("join_before_host", "Allow participants to join before host", False,
               "Join before host is on: pupils can be in the lesson before the teacher.",
               MEETING_EDIT + "Options > untick Allow participants to join before host."),
        _Check("waiting_room", "Waiting Room", True,
               "The waiting room is off: pupils come straight in, without the teacher admitting each one.",
               MEETING_EDIT + "Security > tick Waiting Room."),
        _Check("waiting_room_options.who_goes_to_waiting_room", "Who should go in the waiting room", "everyone",
               "Only some participants go to the waiting room: the others come straight in, without the teacher "
               "admitting each one.",
               USER_SETTINGS + "Meeting > Security > Waiting Room > Edit Options > Everyone goes to the waiting "
               "room.", where_present=True),
        _Check("meeting_authentication", "Require authentication to join", True,
               "Anyone with the link can join: the lesson does not ask for a signed-in school account.",
               MEETING_EDIT + "Security > tick Require authentication to join, with the school's accounts."),
        _Check("use_pmi", "Use Personal Meeting ID", False,
               "The lesson is on the teacher's Personal Meeting ID: the same link as every other meeting of theirs.",
               MEETING_EDIT + "Meeting ID > choose Generate Automatically."),
        _Check("password", "Passcode", PASSCODE_SET,
               "The lesson has no passcode: anyone who has the meeting ID can join.",
               MEETING_EDIT + "Security > tick Passcode."),
        _Check("mute_upon_entry", "Mute participants upon entry", True,
               "Participants are not muted as they join.",
               MEETING_EDIT + "Options > tick Mute participants upon entry."),
        _Check("host_video", "Video: Host", False,
               "The teacher's video comes on as they join.",
               MEETING_EDIT + "Video > Host: Off."),
        _Check("participant_video", "Video: Participant", False,
               "Pupils' video comes on as they join, before they are ready.",
               MEETING_EDIT + "Video > Participant: Off."),
        _Check("auto_recording", "Automatically record meeting", mode,
               f"The lesson will not be recorded automatically {where}.",
               MEETING_EDIT + f"Options > tick Automatically record meeting, {where}."),
    ]


def meeting_findings(meeting: dict, recording_source: str) -> list[Finding]:
    """How a scheduled lesson (Zoom's answer to GET /meetings/{meetingId}) differs from the appendix, in the order of
    contracts.md; empty when it keeps it."""
    settings = meeting.get("settings") if isinstance(meeting.get("settings"), dict) else {}
    password = meeting.get("password")

    def value(setting: str) -> Any:
        if setting == "password":
            return PASSCODE_SET if isinstance(password, str) and password else PASSCODE_NOT_SET
        return _at(settings, setting)

    judged = (_judge(check, value(check.setting)) for check in _meeting_checks(recording_source))
    return [finding for finding in judged if finding is not None]


# --- a teacher's own settings: GET /users/{userId}/settings[?option=...] ------------------------------------------

_SCREEN_SHARING = _Check(
    "in_meeting.screen_sharing", "Screen sharing", 'false, or who_can_share_screen "host"',
    "Pupils can share their screen in the teacher's meetings.",
    USER_SETTINGS + "Meeting > In Meeting (Basic) > Screen sharing: turn it off, or set Who can share? to Host Only.")


def _user_checks(recording_source: str) -> list[_Check]:
    mode = recording_mode(recording_source)
    where = "in the cloud" if mode == "cloud" else "on the local computer"
    schedule = USER_SETTINGS + "Meeting > Schedule Meeting > "
    in_meeting = USER_SETTINGS + "Meeting > In Meeting (Basic) > "
    security = USER_SETTINGS + "Meeting > Security > "
    return [
        _Check("in_meeting.chat", "Meeting chat", False,
               "Chat is on in the teacher's meetings.", in_meeting + "turn off Meeting chat."),
        _Check("in_meeting.private_chat", "Private chat", False,
               "Private chat is on: participants can message one another, and the teacher, privately.",
               in_meeting + "turn off Private chat."),
        _Check("in_meeting.file_transfer", "File transfer", False,
               "File transfer is on: files can be sent in the teacher's meetings.",
               in_meeting + "turn off File transfer."),
        _SCREEN_SHARING,
        _Check("schedule_meeting.join_before_host", "Allow participants to join before host", False,
               "Join before host is on for new meetings: pupils can be in a lesson before the teacher.",
               schedule + "turn off Allow participants to join before host."),
        _Check("schedule_meeting.host_video", "Host video", False,
               "New meetings start with the teacher's video on.", schedule + "turn off Host video."),
        _Check("schedule_meeting.participants_video", "Participants video", False,
               "New meetings start with pupils' video on, before they are ready.",
               schedule + "turn off Participants video."),
        _Check("schedule_meeting.use_pmi_for_scheduled_meetings",
               "Use Personal Meeting ID (PMI) when scheduling a meeting", False,
               "Scheduled lessons use the teacher's Personal Meeting ID: the same link for every meeting.",
               schedule + "turn off Use Personal Meeting ID (PMI) when scheduling a meeting."),
        _Check("schedule_meeting.use_pmi_for_instant_meetings",
               "Use Personal Meeting ID (PMI) when starting an instant meeting", False,
               "Instant meetings use the teacher's Personal Meeting ID: the same link for every meeting.",
               schedule + "turn off Use Personal Meeting ID (PMI) when starting an instant meeting."),
        _Check("schedule_meeting.embed_password_in_join_link", "Embed passcode in invite link for one-click join",
               False, "The passcode is in the join link: anyone given the link gets in without it.",
               security + "turn off Embed passcode in invite link for one-click join."),
        _Check("meeting_security.waiting_room", "Waiting Room", True,
               "The waiting room is off for the teacher's meetings: pupils come straight in.",
               security + "turn on Waiting Room."),
        _Check("meeting_authentication", "Only authenticated users can join meetings", True,
               "Anyone with a link can join the teacher's meetings: no signed-in school account is needed.",
               security + "turn on Only authenticated users can join meetings."),
        _Check("schedule_meeting.require_password_for_scheduled_meetings",
               "Require a passcode when scheduling new meetings", True,
               "New scheduled meetings have no passcode.",
               security + "turn on Require a passcode when scheduling new meetings."),
        _Check("recording.auto_recording", "Automatic recording", mode,
               f"The teacher's meetings are not recorded automatically {where}.",
               USER_SETTINGS + f"Recording > turn on Automatic recording, {where}."),
    ]


def user_settings_checked(recording_source: str) -> tuple[str, ...]:
    """The paths of the teachers' own settings compared with the appendix, in contracts.md's order."""
    return tuple(check.setting for check in _user_checks(recording_source))


def _screen_sharing_finding(in_meeting: Any) -> Finding | None:
    sharing = _at(in_meeting, "screen_sharing")
    if sharing is False:
        return None
    if sharing is _ABSENT or sharing is None:
        return _finding(_SCREEN_SHARING, sharing)
    who = _at(in_meeting, "who_can_share_screen")
    if who == "host":
        return None
    return _finding(_SCREEN_SHARING, f"{_text(sharing)}, who_can_share_screen {json.dumps(_text(who))}")


def _security(answer: dict) -> Any:
    return answer["meeting_security"] if "meeting_security" in answer else answer


def user_findings(settings: dict, security: dict | None, authentication: dict | None,
                  recording_source: str) -> list[Finding]:
    """How a teacher's own Zoom settings differ from the appendix, in the order of contracts.md. ``settings`` is
    Zoom's answer to GET /users/{id}/settings; ``security`` and ``authentication`` to the same with
    ``?option=meeting_security`` and ``?option=meeting_authentication``, or None when not read: their settings are
    then not judged."""
    answers = {"meeting_security": None if security is None else _security(security),
               "meeting_authentication": authentication}
    found = []
    for check in _user_checks(recording_source):
        head = check.setting.split(".")[0]
        if check is _SCREEN_SHARING:
            finding = _screen_sharing_finding(_at(settings, "in_meeting"))
        elif head in answers:
            if answers[head] is None:
                continue
            finding = _judge(check, _at(answers[head], check.setting.partition(".")[2] or head))
        else:
            finding = _judge(check, _at(settings, check.setting))
        if finding is not None:
            found.append(finding)
    return found
