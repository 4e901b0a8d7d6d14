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


def session_id(conn: str) -> str:
    """The per-meeting ``user_id`` that ``participant()`` gives a connection; chat events call it a session id."""
    return participant(conn)["user_id"]


def _chat_fields(at: float, sender: tuple[str, str], recipient: tuple[str, str] | None, recipient_type: str) -> dict:
    """sender and recipient: (connection, e-mail); the connection names the session id (blank: none)."""
    fields = {"date_time": iso(at), "sender_session_id": session_id(sender[0]) if sender[0] else "",
              "sender_name": "Sender Name", "sender_email": sender[1],
              "sender_type": "host" if recipient_type == "guest" else "guest", "recipient_type": recipient_type}
    if recipient is not None:
        fields.update(recipient_session_id=session_id(recipient[0]) if recipient[0] else "",
                      recipient_name="Recipient Name", recipient_email=recipient[1])
    return fields


def chat(at: float, sender: tuple[str, str], recipient: tuple[str, str] | None = None,
         recipient_type: str = "everyone", uuid: str = UUID, content: str = "This is a test message") -> dict:
    """meeting.chat_message_sent at ``at`` (its own date_time), delivered a second later."""
    message = _chat_fields(at, sender, recipient, recipient_type)
    message.update(message_id=f"MS17{zlib.crc32(repr((at, sender)).encode())}", message_content=content)
    return body("meeting.chat_message_sent", at + 1, {"id": int(MEETING_ID), "uuid": uuid, "chat_message": message})


def chat_file(at: float, sender: tuple[str, str], recipient: tuple[str, str] | None = None,
              recipient_type: str = "everyone", uuid: str = UUID, file_name: str = "worksheet.pdf",
              download_url: str = "https://zoom.us/rest/download?fileId=abc", kind: str = "sent") -> dict:
    """meeting.chat_message_file_sent (kind "downloaded": ..._file_downloaded), in its own shape: meeting_uuid and a
    numeric meeting_id, the message in chat_message_file."""
    message = _chat_fields(at, sender, recipient, recipient_type)
    message.update(file_id=f"MS17{zlib.crc32(repr((at, sender)).encode())}", file_name=file_name, file_size=20480,
                   file_type="pdf", download_url=download_url)
    event = body(f"meeting.chat_message_file_{kind}", at + 1,
                 {"meeting_id": int(MEETING_ID), "meeting_uuid": uuid, "chat_message_file": message})
    event["payload"].update(operator=sender[1], operator_id="uLoRgfbbTayCX6r2Q_qQsQ")
    return event


def sharing(kind: str, at: float, conn: str = "", user_id: str = "", uuid: str = UUID, content: str = "desktop",
            event: str = "meeting.sharing") -> dict:
    """meeting.sharing_started / _ended (``event`` "meeting.breakout_room_sharing" for the breakout rooms' kind) by
    the connection ``conn`` (its per-meeting user_id; blank: "") and the Zoom user id ``user_id``."""
    p = {"id": user_id, "user_id": session_id(conn) if conn else "", "user_name": "Sharer Name",
         "sharing_details": {"link_source": "in_meeting", "file_link": "https://shared.example/file", "source": "",
                             "date_time": iso(at), "content": content}}
    return body(f"{event}_{kind}", at + 0.5, meeting_object(uuid, numeric_id=True, participant=p))


def jbh(kind: str, at: float, user_id: str = "", uuid: str = UUID) -> dict:
    """meeting.participant_jbh_joined / jbh_waiting: someone in (or waiting) before the host; no connection id."""
    p = {"id": user_id, "user_name": "Early Bird", "customer_key": "349589LkJyeW"}
    return body(f"meeting.participant_{kind}", at, meeting_object(uuid, participant=p))


def on_personal_meeting_id(event: dict) -> dict:
    """The same delivery from a meeting held on its host's Personal Meeting ID (``type`` 4)."""
    copy = json.loads(json.dumps(event))
    copy["payload"]["object"]["type"] = 4
    return copy


def raw(event: dict) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def signed_headers(data: bytes, timestamp: int, secret: str = SECRET) -> dict:
    return {"x-zm-request-timestamp": str(timestamp), "x-zm-signature": sign(secret, str(timestamp), data),
            "content-type": "application/json; charset=utf-8"}
