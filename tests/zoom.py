"""Builders for Zoom webhook bodies, shaped like the deliveries in the Zoom reference, and signing."""
from __future__ import annotations

import json
import zlib
from datetime import datetime, timezone

from monitor.signature import sign

SECRET = "4fv1RkqGQUq5sWbEz6hA5A"
UUID = "jUh5o3dKQIytvcsfTtKBlg=="
MEETING_ID = "85393847045"
HOST_ID = "8lzIwvZTSOqjndWPbPqzuA"  # the teacher's zoom_user_id in the test directory
T0 = 1_795_000_000  # 2026-11-18T11:06:40Z, a Wednesday morning lesson in London, in seconds


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def meeting_object(uuid: str = UUID, *, numeric_id: bool = False, **extra) -> dict:
    obj = {
        "id": int(MEETING_ID) if numeric_id else MEETING_ID,
        "uuid": uuid,
        "host_id": HOST_ID,
        "topic": "Year 9 Maths",
        "type": 2,
        "start_time": iso(T0),
        "timezone": "Europe/London",
        "duration": 60,
    }
    obj.update(extra)
    return obj


def body(event: str, at: float, obj: dict) -> dict:
    return {"event": event, "event_ts": int(at * 1000),
            "payload": {"account_id": "VjZoEArIT5y-HlWxkV-tVA", "object": obj}}


def started(at: float = T0, uuid: str = UUID) -> dict:
    return body("meeting.started", at, meeting_object(uuid))


def ended(at: float, uuid: str = UUID) -> dict:
    return body("meeting.ended", at + 0.5, meeting_object(uuid, end_time=iso(at)))


def participant(conn: str, email: str = "", *, user_id: str = "", name: str = "Someone") -> dict:
    return {"user_id": str(zlib.crc32(conn.encode()) % 10**8), "user_name": name, "id": user_id,
            "participant_uuid": conn, "email": email, "participant_user_id": user_id}


def _participant_event(event: str, time_field: str, at: float, conn: str, email: str, uuid: str, **kw) -> dict:
    p = participant(conn, email, **kw)
    p[time_field] = iso(at)
    return body(event, at + 0.25, meeting_object(uuid, participant=p))


def joined(at: float, conn: str, email: str = "", uuid: str = UUID, **kw) -> dict:
    return _participant_event("meeting.participant_joined", "join_time", at, conn, email, uuid, **kw)


def left(at: float, conn: str, email: str = "", uuid: str = UUID, **kw) -> dict:
    event = _participant_event("meeting.participant_left", "leave_time", at, conn, email, uuid, **kw)
    event["payload"]["object"]["participant"]["leave_reason"] = "left the meeting.<br>Reason: left the meeting."
    return event


def waiting_room(kind: str, at: float, conn: str, email: str = "", uuid: str = UUID, **kw) -> dict:
    """kind: joined_waiting_room, left_waiting_room, admitted, put_in_waiting_room"""
    return _participant_event(f"meeting.participant_{kind}", "date_time", at, conn, email, uuid, **kw)


def role_changed(at: float, conn: str, email: str, new_role: str, old_role: str = "attendee", uuid: str = UUID,
                 **kw) -> dict:
    event = _participant_event("meeting.participant_role_changed", "date_time", at, conn, email, uuid, **kw)
    event["payload"]["object"]["participant"].update(old_role=old_role, new_role=new_role)
    return event


def recording(kind: str, at: float, uuid: str = UUID) -> dict:
    """kind: started, stopped, paused, resumed"""
    return body(f"recording.{kind}", at, meeting_object(
        uuid, numeric_id=True, recording_file={"recording_start": iso(at), "recording_end": None}))


def raw(event: dict) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def signed_headers(data: bytes, timestamp: int, secret: str = SECRET) -> dict:
    return {"x-zm-request-timestamp": str(timestamp), "x-zm-signature": sign(secret, str(timestamp), data),
            "content-type": "application/json; charset=utf-8"}
