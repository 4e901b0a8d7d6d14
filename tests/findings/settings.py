"""Zoom's answers that keep the protocol's appendix (contracts.md, Zoom API), to flip one setting of: a scheduled
lesson (GET /meetings/{meetingId}) and a teacher's settings (GET /users/{userId}/settings, with
?option=meeting_security and ?option=meeting_authentication). Shapes as Zoom's reference gives them."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 11, 18, 11, 0, tzinfo=timezone.utc)  # Wednesday
MEETING = "85393847045"
TEACHER = "a.teacher@gatehouse.sch.uk"
LESSON = {"topic": "Year 9 Maths", "host_email": TEACHER, "start_time": datetime(2026, 11, 19, 10, tzinfo=timezone.utc)}
"""The lesson's facts the store keeps with its findings: the next day at 10:00 UTC."""


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


SAFE_MEETING = {
    "id": 85393847045,
    "uuid": "jUh5o3dKQIytvcsfTtKBlg==",
    "host_id": "8lzIwvZTSOqjndWPbPqzuA",
    "host_email": "a.teacher@gatehouse.sch.uk",
    "topic": "Year 9 Maths",
    "type": 2,
    "status": "waiting",
    "start_time": "2026-11-19T10:00:00Z",
    "duration": 50,
    "timezone": "Europe/London",
    "password": "k7Tq2x",
    "settings": {
        "host_video": False,
        "participant_video": False,
        "join_before_host": False,
        "jbh_time": 0,
        "mute_upon_entry": True,
        "use_pmi": False,
        "approval_type": 2,
        "audio": "both",
        "auto_recording": "cloud",
        "waiting_room": True,
        "waiting_room_options": {"enable": True, "admit_type": 1, "who_goes_to_waiting_room": "everyone"},
        "meeting_authentication": True,
        "authentication_option": "signIn_D8cJuqWVQ623CI4Q8yQK0Q",
        "authentication_name": "Sign in to Zoom",
        "encryption_type": "enhanced_encryption",
    },
}

SAFE_USER = {
    "schedule_meeting": {
        "host_video": False,
        "participants_video": False,
        "join_before_host": False,
        "use_pmi_for_scheduled_meetings": False,
        "use_pmi_for_instant_meetings": False,
        "require_password_for_scheduled_meetings": True,
        "require_password_for_instant_meetings": True,
        "embed_password_in_join_link": False,
        "personal_meeting": False,
    },
    "in_meeting": {
        "chat": False,
        "private_chat": False,
        "allow_participants_chat_with": 1,
        "file_transfer": False,
        "screen_sharing": False,
        "who_can_share_screen": "host",
        "remote_control": False,
        "annotation": False,
    },
    "recording": {"local_recording": True, "cloud_recording": True, "auto_recording": "cloud"},
    "feature": {"meeting_capacity": 300},
}

SAFE_SECURITY = {
    "meeting_security": {
        "auto_security": True,
        "waiting_room": True,
        "waiting_room_settings": {"participants_to_place_in_waiting_room": 0,
                                  "users_who_can_admit_participants_from_waiting_room": 0},
        "meeting_password": True,
        "require_password_for_scheduled_meeting": True,
        "only_authenticated_can_join_from_webclient": True,
    }
}

SAFE_AUTHENTICATION = {
    "meeting_authentication": True,
    "authentication_options": [{"id": "signIn_D8cJuqWVQ623CI4Q8yQK0Q", "name": "Sign in to Zoom",
                                "default_option": True, "type": "enforce_login"}],
}


def flipped(answer: dict, path: str, value: object) -> dict:
    """A copy of Zoom's answer with the value at ``path`` (dotted) set, or taken out when ``value`` is DELETE."""
    changed = copy.deepcopy(answer)
    *parents, last = path.split(".")
    section = changed
    for key in parents:
        section = section[key]
    if value is DELETE:
        del section[last]
    else:
        section[last] = value
    return changed


DELETE = object()
