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


def session_id(conn: str) -> str:
    """The ``user_id`` Zoom gives a connection (the ``sender_session_id`` of its chat messages)."""
    return str(zlib.crc32(conn.encode()) % 10**8)


def participant(conn: str, email: str = "", *, user_id: str = "", name: str = "Someone") -> dict:
    return {"user_id": session_id(conn), "user_name": name, "id": user_id,
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


def _chat_fields(at: float, sender: tuple[str, str], recipient: tuple[str, str] | None, recipient_type: str) -> dict:
    """The sender and recipient fields chat_message and chat_message_file share; (connection, e-mail) each."""
    fields = {"date_time": iso(at), "sender_session_id": session_id(sender[0]), "sender_name": "Someone",
              "sender_email": sender[1], "sender_type": "guest", "recipient_type": recipient_type}
    if recipient is not None:
        fields.update(recipient_session_id=session_id(recipient[0]), recipient_name="Someone Else",
                      recipient_email=recipient[1])
    return fields


def chat(at: float, sender: tuple[str, str], recipient: tuple[str, str] | None = None,
         recipient_type: str = "everyone", uuid: str = UUID, content: str = "See you after the lesson") -> dict:
    """meeting.chat_message_sent from one connection (connection, e-mail), to everyone or to one other."""
    message = _chat_fields(at, sender, recipient, recipient_type) | {
        "message_id": f"MS17{zlib.crc32(f'{uuid}{at}'.encode())}fQ==", "message_content": content}
    return body("meeting.chat_message_sent", at + 0.25,
                {"id": int(MEETING_ID), "uuid": uuid, "chat_message": message})


def chat_file(at: float, sender: tuple[str, str], recipient: tuple[str, str] | None = None,
              recipient_type: str = "everyone", uuid: str = UUID, file_name: str = "worksheet.pdf") -> dict:
    """meeting.chat_message_file_sent: its own shape (meeting_uuid, meeting_id, chat_message_file)."""
    sent = _chat_fields(at, sender, recipient, recipient_type) | {
        "file_id": f"MS17{zlib.crc32(f'{uuid}{at}'.encode())}fQ==", "file_name": file_name, "file_size": 20480,
        "file_type": "pdf", "download_url": "https://zoom.us/rest/download?fileId=abc"}
    event = body("meeting.chat_message_file_sent", at + 0.25,
                 {"meeting_id": int(MEETING_ID), "meeting_uuid": uuid, "chat_message_file": sent})
    event["payload"].update(operator=sender[1], operator_id="uLoRgfbbTayCX6r2Q_qQsQ")
    return event


def sharing(kind: str, at: float, conn: str, *, user_id: str = "", content: str = "application",
            uuid: str = UUID) -> dict:
    """meeting.sharing_started or _ended (kind: started, ended) by one connection; the participant carries no e-mail
    and no participant_uuid."""
    shared = {"id": user_id, "user_id": session_id(conn), "user_name": "Someone",
              "sharing_details": {"link_source": "in_meeting", "file_link": "https://shared", "source": "",
                                  "date_time": iso(at), "content": content}}
    return body(f"meeting.sharing_{kind}", at + 0.25, meeting_object(uuid, numeric_id=True, participant=shared))


def jbh_joined(at: float, uuid: str = UUID, name: str = "Someone") -> dict:
    """meeting.participant_jbh_joined: someone got in before the host; its participant names no connection."""
    return body("meeting.participant_jbh_joined", at, meeting_object(
        uuid, participant={"id": "iFxeBPYun6SAiWUzBcEkX", "user_name": name, "customer_key": "349589LkJyeW"}))


def raw(event: dict) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def signed_headers(data: bytes, timestamp: int, secret: str = SECRET) -> dict:
    return {"x-zm-request-timestamp": str(timestamp), "x-zm-signature": sign(secret, str(timestamp), data),
            "content-type": "application/json; charset=utf-8"}
