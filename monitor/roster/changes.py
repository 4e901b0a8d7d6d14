"""What one Zoom event changes in a meeting's roster, as a list of commutative operations (see apply.lua)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..config import StaffDirectory, normalise_email
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
"""(target, op, field, value): see apply.lua"""


@dataclass(frozen=True)
class Change:
    uuid: str
    fingerprint: str
    ops: tuple[Op, ...]
    joined: str | None = None
    """The connection a participant_joined is about: when it arrives after its own leave or the meeting's end, it
    may show who was there."""
    person: str | None = None
    """The person key of the connection a participant event is about."""


PRESENCE = {
    # kind: the times it raises, as (target, field suffix): joins and leaves by connection, waiting-room times
    "meeting.participant_joined": (("j", ""),),
    "meeting.participant_left": (("l", ""),),
    "meeting.participant_put_in_waiting_room": (("l", ""), ("c", ":wr_in")),
    "meeting.participant_joined_waiting_room": (("c", ":wr_in"),),
    "meeting.participant_left_waiting_room": (("c", ":wr_out"),),
    "meeting.participant_admitted": (("c", ":wr_out"),),
}
RECORDING = {"recording.started": "running", "recording.resumed": "running",
             "recording.stopped": "stopped", "recording.paused": "stopped"}
# On an event_ts tie the larger string wins: "stopped" > "running", so a tie never hides a missing recording.
JBH = {"meeting.participant_jbh_joined": "jbh_joined_at", "meeting.participant_jbh_waiting": "jbh_waiting_at"}
PMI_TYPE = 4
"""``payload.object.type`` of a meeting held on its host's Personal Meeting ID."""
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


def person_key(conn: str, participant, staff: StaffDirectory) -> str:
    """A person is the member of staff the directory lists with their Zoom user id, else their e-mail, else their Zoom
    user id, else the connection itself (rules.md, People and Staff by Zoom user id first)."""
    member = staff.by_zoom_user_id.get(participant.zoom_user_id) if participant.zoom_user_id else None
    if member:
        return member.email
    if participant.email:
        return normalise_email(participant.email)
    if participant.zoom_user_id:
        return f"zoom:{participant.zoom_user_id}"
    return f"connection:{conn}"


def _identity(event: ZoomEvent, conn: str, participant, person: str) -> list[Op]:
    facts = {"email": participant.email, "zoom_user_id": participant.zoom_user_id, "name": participant.user_name,
             "user_id": participant.user_id if participant.user_id != conn else None}
    ops = [("c", "setnx", f"{conn}:{fact}", value) for fact, value in facts.items() if value is not None]
    ops.append(("p", "setnx", conn, person))
    host_id = event.meeting.host_id
    if participant.email and host_id and participant.zoom_user_id == host_id:
        ops.append(("m", "setnx", "host_email", normalise_email(participant.email)))
    return ops


def change_for(event: ZoomEvent, now: float, staff: StaffDirectory) -> Change | None:
    """The roster change for an event, or None for kinds that concern no live meeting instance."""
    kind, ts = event.event, event.event_ts
    ops: list[Op] = []
    key = ""
    person = None
    if kind in PRESENCE and isinstance(event, ParticipantEvent):
        p = event.participant
        conn = key = p.connection_id
        at = p.join_time if kind == "meeting.participant_joined" else (
            p.leave_time if kind == "meeting.participant_left" else p.date_time)
        at = at if at is not None else ts
        person = person_key(conn, p, staff)
        ops += _identity(event, conn, p, person)
        ops += [(target, "max", conn + suffix, str(at)) for target, suffix in PRESENCE[kind]]
    elif isinstance(event, RoleChangedEvent):
        p = event.participant
        conn = key = p.connection_id
        ops += _identity(event, conn, p, person_key(conn, p, staff))
        if p.new_role == "host":  # on an event_ts tie, the one delivered later wins
            ops.append(("m", "lwwd", "host", _lww(ts, [conn, p.zoom_user_id, p.email])))
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
        chat = event.meeting.chat_message
        key = chat.message_id or chat.file_id or ""
        ops.append(("m", "incr", CHAT[kind], "1"))
    elif isinstance(event, JoinBeforeHostEvent):
        key = event.participant.zoom_user_id or event.participant.user_name or ""
        if kind in JBH:
            ops.append(("m", "max", JBH[kind], str(ts)))
    else:
        return None
    if event.meeting.type == PMI_TYPE:
        ops.append(("m", "setnx", "pmi", str(ts)))
    now_ms = int(now * 1000)
    joined = key if kind == "meeting.participant_joined" else None
    return Change(event.meeting.uuid, f"{kind}|{ts}|{key}", tuple(_meeting_facts(event, now_ms) + ops), joined,
                  person)
