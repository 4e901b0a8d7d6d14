"""What one Zoom event changes in a meeting's roster, as a list of commutative operations (see apply.lua)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..events import (
    ChatEvent,
    JoinBeforeHostEvent,
    ParticipantEvent,
    RecordingEvent,
    RoleChangedEvent,
    SharingEvent,
    ZoomEvent,
)

Op = tuple[str, str, str, str]
"""(target 'm' meeting | 'c' connections, op, field, value)"""


@dataclass(frozen=True)
class Change:
    uuid: str
    fingerprint: str
    ops: tuple[Op, ...]


PRESENCE = {
    # kind: (connection facts the payload time raises)
    "meeting.participant_joined": ("join",),
    "meeting.participant_left": ("leave",),
    "meeting.participant_put_in_waiting_room": ("leave", "wr_in"),
    "meeting.participant_joined_waiting_room": ("wr_in",),
    "meeting.participant_left_waiting_room": ("wr_out",),
    "meeting.participant_admitted": ("wr_out",),
}
RECORDING = {"recording.started": "running", "recording.resumed": "running",
             "recording.stopped": "stopped", "recording.paused": "stopped"}
# On an event_ts tie the larger string wins: "stopped" > "running", so a tie never hides a missing recording.
JBH = {"meeting.participant_jbh_joined": "jbh_joined_at", "meeting.participant_jbh_waiting": "jbh_waiting_at"}
CHAT = {"meeting.chat_message_sent": "chat_messages", "meeting.chat_message_file_sent": "chat_files"}


def _lww(ts: int, value: object) -> str:
    return f"{ts}|{json.dumps(value, separators=(',', ':'))}"


def _meeting_facts(event: ZoomEvent, now_ms: int) -> list[Op]:
    meeting = event.meeting
    ops: list[Op] = [("m", "setnx", "opened_at", str(now_ms)), ("m", "incr", "events", "1")]
    for field in ("id", "topic", "host_id"):
        value = getattr(meeting, field)
        if value is not None:
            ops.append(("m", "setnx", field, value))
    return ops


def _identity(conn: str, participant) -> list[Op]:
    facts = {"email": participant.email, "zoom_user_id": participant.zoom_user_id, "name": participant.user_name}
    return [("c", "setnx", f"{conn}:{fact}", value) for fact, value in facts.items() if value is not None]


def change_for(event: ZoomEvent, now: float) -> Change | None:
    """The roster change for an event, or None for kinds that concern no live meeting instance."""
    kind, ts = event.event, event.event_ts
    ops: list[Op] = []
    key = ""
    if kind in PRESENCE and isinstance(event, ParticipantEvent):
        p = event.participant
        conn = key = p.connection_id
        at = p.join_time if kind == "meeting.participant_joined" else (
            p.leave_time if kind == "meeting.participant_left" else p.date_time)
        at = at if at is not None else ts
        ops += _identity(conn, p)
        ops += [("c", "max", f"{conn}:{fact}", str(at)) for fact in PRESENCE[kind]]
    elif isinstance(event, RoleChangedEvent):
        p = event.participant
        conn = key = p.connection_id
        ops += _identity(conn, p)
        if p.new_role == "host":
            ops.append(("m", "lww", "host", _lww(ts, [conn, p.zoom_user_id, p.email])))
    elif kind == "meeting.started":
        ops.append(("m", "max", "started_at", str(ts)))
    elif kind == "meeting.ended":
        ops.append(("m", "max", "ended_at", str(event.meeting.end_time or ts)))
    elif kind in RECORDING and isinstance(event, RecordingEvent):
        ops.append(("m", "lww", "recording", _lww(ts, RECORDING[kind])))
    elif isinstance(event, SharingEvent):
        p = event.participant
        key = p.user_id or ""
        state = "started" if kind == "meeting.sharing_started" else "ended"
        ops.append(("m", "lww", "sharing", _lww(ts, [state, p.user_id])))
    elif isinstance(event, ChatEvent):
        key = event.meeting.chat_message.message_id or ""
        ops.append(("m", "incr", CHAT[kind], "1"))
    elif isinstance(event, JoinBeforeHostEvent):
        key = event.participant.zoom_user_id or event.participant.user_name or ""
        if kind in JBH:
            ops.append(("m", "max", JBH[kind], str(ts)))
    else:
        return None
    now_ms = int(now * 1000)
    return Change(event.meeting.uuid, f"{kind}|{ts}|{key}", tuple(_meeting_facts(event, now_ms) + ops))
