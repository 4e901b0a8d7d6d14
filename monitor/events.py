"""What Zoom sends: the envelope, and a model for each kind of event the monitor understands.

Models accept fields they do not name (Zoom adds fields over time) and are strict only about what the monitor needs.
Times are kept as integer milliseconds since the epoch.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any

import orjson
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    model_validator,
)

from .config import normalise_meeting_id

EARLIEST_MS = 946_684_800_000
"""2000-01-01T00:00:00Z: no time Zoom sends about a lesson is earlier."""
LATEST_MS = 4_102_444_800_000
"""2100-01-01T00:00:00Z: no time Zoom sends is this late; later ones are not even dates Python can show."""


def _ms(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
        except OverflowError:
            raise ValueError("not a time") from None
    return _within_bounds(value)


def _within_bounds(ms: Any) -> Any:
    if isinstance(ms, (int, float)) and not EARLIEST_MS <= ms < LATEST_MS:
        raise ValueError("not a time between the years 2000 and 2100")
    return ms


def _blank_to_none(value: Any) -> Any:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


Millis = Annotated[int | None, BeforeValidator(_ms)]
"""An ISO-8601 time from a payload, as milliseconds since the epoch."""
EventTime = Annotated[StrictInt, AfterValidator(_within_bounds)]
"""``event_ts``: when Zoom sent the event, in milliseconds since the epoch."""
Text = Annotated[str | None, BeforeValidator(_blank_to_none)]
"""A string Zoom may send blank, or as a number: blank becomes None."""
MeetingId = Annotated[str | None, BeforeValidator(lambda v: None if v in (None, "") else normalise_meeting_id(v))]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Envelope(_Model):
    """Every Zoom webhook body."""

    event: Annotated[str, Field(min_length=1)]
    event_ts: EventTime
    payload: dict[str, Any]


class Participant(_Model):
    user_id: Text = None
    participant_uuid: Text = None
    id: Text = None
    participant_user_id: Text = None
    user_name: Text = None
    email: Text = None
    join_time: Millis = None
    leave_time: Millis = None
    date_time: Millis = None

    @property
    def connection_id(self) -> str | None:
        """One connection to one meeting instance; a rejoin is a new one."""
        return self.participant_uuid or self.user_id

    @property
    def zoom_user_id(self) -> str | None:
        """The signed-in Zoom account, blank for guests who are not signed in."""
        return self.participant_user_id or self.id


class ConnectedParticipant(Participant):
    """A participant event that is about one connection: it must say which."""

    @model_validator(mode="after")
    def _has_connection(self) -> "ConnectedParticipant":
        if not self.connection_id:
            raise ValueError("participant has neither participant_uuid nor user_id")
        return self


class RoleParticipant(ConnectedParticipant):
    old_role: Text = None
    new_role: Text = None


class SharingDetails(_Model):
    content: Text = None
    date_time: Millis = None


class SharingParticipant(Participant):
    sharing_details: SharingDetails | None = None


class ChatMessage(_Model):
    """Who chatted, to whom and when. The content (``message_content``, a file's name and link) is never read."""

    date_time: Millis = None
    message_id: Text = None
    file_id: Text = None
    sender_session_id: Text = None
    sender_email: Text = None
    sender_type: Text = None
    recipient_session_id: Text = None
    recipient_email: Text = None
    recipient_type: Text = None


def _meeting_type(value: Any) -> int | None:
    """``payload.object.type``: 4 is a meeting on its host's Personal Meeting ID. Anything odd is no type."""
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


class MeetingObject(_Model):
    uuid: Annotated[str, Field(min_length=1)]
    id: MeetingId = None
    host_id: Text = None
    topic: Text = None
    type: Annotated[int | None, BeforeValidator(_meeting_type)] = None
    start_time: Millis = None
    end_time: Millis = None


class _Payload(_Model):
    account_id: Text = None


class ZoomEvent(_Model):
    """An event about one meeting instance (the ``uuid`` of ``payload.object``)."""

    event: str
    event_ts: EventTime
    payload: _Payload

    @property
    def meeting(self) -> MeetingObject:
        return self.payload.object  # type: ignore[attr-defined]

    @property
    def participant(self) -> Participant | None:
        return getattr(self.meeting, "participant", None)


# --- meeting lifecycle -------------------------------------------------------------------------------------------

class MeetingPayload(_Payload):
    object: MeetingObject


class MeetingEvent(ZoomEvent):
    """meeting.started and meeting.ended."""

    payload: MeetingPayload


class ScheduleObject(_Model):
    uuid: Text = None
    id: MeetingId = None
    host_id: Text = None
    topic: Text = None
    settings: dict[str, Any] | None = None


class SchedulePayload(_Payload):
    operator: Text = None
    object: ScheduleObject
    old_object: ScheduleObject | None = None


class ScheduleEvent(ZoomEvent):
    """A meeting created, updated or deleted: about the schedule and its settings, not a meeting in progress."""

    payload: SchedulePayload


# --- participants, waiting room, join before host, roles --------------------------------------------------------

class ParticipantObject(MeetingObject):
    participant: ConnectedParticipant


class ParticipantPayload(_Payload):
    object: ParticipantObject


class ParticipantEvent(ZoomEvent):
    """Joined, left, and the waiting room's joined, left, admitted and put-in events."""

    payload: ParticipantPayload


class JbhObject(MeetingObject):
    participant: Participant = Participant()


class JbhPayload(_Payload):
    object: JbhObject


class JoinBeforeHostEvent(ZoomEvent):
    """An attendee joined, or waits, before the host: these carry no connection id."""

    payload: JbhPayload


class RoleObject(MeetingObject):
    participant: RoleParticipant


class RolePayload(_Payload):
    object: RoleObject


class RoleChangedEvent(ZoomEvent):
    payload: RolePayload


# --- recording, sharing, chat -----------------------------------------------------------------------------------

class RecordingEvent(MeetingEvent):
    """Cloud recording started, stopped, paused, resumed (and completed, which changes no state)."""


class SharingObject(MeetingObject):
    participant: SharingParticipant = SharingParticipant()


class SharingPayload(_Payload):
    object: SharingObject


class SharingEvent(ZoomEvent):
    payload: SharingPayload


class ChatObject(MeetingObject):
    chat_message: ChatMessage = ChatMessage()

    @model_validator(mode="before")
    @classmethod
    def _file_sent_shape(cls, data: Any) -> Any:
        """``meeting.chat_message_file_sent`` names its instance ``meeting_uuid`` and ``meeting_id`` and its message
        ``chat_message_file``: read as the other chat events are."""
        if isinstance(data, dict) and "chat_message_file" in data:
            data = {**data, "chat_message": data["chat_message_file"]}
            data.setdefault("uuid", data.get("meeting_uuid"))
            data.setdefault("id", data.get("meeting_id"))
        return data


class ChatPayload(_Payload):
    object: ChatObject


class ChatEvent(ZoomEvent):
    payload: ChatPayload


URL_VALIDATION = "endpoint.url_validation"

KINDS: dict[str, type[ZoomEvent]] = {
    "meeting.started": MeetingEvent,
    "meeting.ended": MeetingEvent,
    "meeting.created": ScheduleEvent,
    "meeting.updated": ScheduleEvent,
    "meeting.deleted": ScheduleEvent,
    "meeting.participant_joined": ParticipantEvent,
    "meeting.participant_left": ParticipantEvent,
    "meeting.participant_joined_waiting_room": ParticipantEvent,
    "meeting.participant_left_waiting_room": ParticipantEvent,
    "meeting.participant_admitted": ParticipantEvent,
    "meeting.participant_put_in_waiting_room": ParticipantEvent,
    "meeting.participant_jbh_joined": JoinBeforeHostEvent,
    "meeting.participant_jbh_waiting": JoinBeforeHostEvent,
    "meeting.participant_jbh_waiting_left": JoinBeforeHostEvent,
    "meeting.participant_role_changed": RoleChangedEvent,
    "recording.started": RecordingEvent,
    "recording.stopped": RecordingEvent,
    "recording.paused": RecordingEvent,
    "recording.resumed": RecordingEvent,
    "recording.completed": RecordingEvent,
    "meeting.sharing_started": SharingEvent,
    "meeting.sharing_ended": SharingEvent,
    "meeting.chat_message_sent": ChatEvent,
    "meeting.chat_message_file_sent": ChatEvent,
}
"""Event kinds the monitor models. Any other kind is accepted, counted and ignored."""


class BadEvent(ValueError):
    """A body that is not a Zoom event the monitor can take."""


class Unattachable(Envelope):
    """A Zoom event that names no meeting instance (no ``uuid``), or a participant event that names no connection:
    there is nothing to apply it to. It is answered, counted and ignored (contracts.md, Replay), never refused."""

    reason: str = ""


def _unattachable(exc: ValidationError) -> str | None:
    """Why a Zoom event cannot be attached to a meeting, when that is all that is wrong with it."""
    reasons = set()
    for error in exc.errors():
        where = error["loc"][-1] if error["loc"] else ""
        if where == "uuid" and error["type"] in ("missing", "string_too_short"):
            reasons.add("no meeting uuid")
        elif where == "participant" and (error["type"] == "missing" or "neither participant_uuid" in error["msg"]):
            reasons.add("no participant connection id")
        else:
            return None
    return ", ".join(sorted(reasons)) or None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{where}: {error['msg'].removeprefix('Value error, ')}"


def parse_envelope(body: Any) -> Envelope:
    if not isinstance(body, dict):
        raise BadEvent("the body is not a JSON object")
    try:
        return Envelope.model_validate(body)
    except ValidationError as exc:
        raise BadEvent(f"not a Zoom event envelope: {_first_error(exc)}") from None


def parse_event(body: dict[str, Any]) -> ZoomEvent | Envelope:
    """The typed event for a kind the monitor models, else the bare envelope (Unattachable when it names no meeting
    instance or connection)."""
    kind = body.get("event") if isinstance(body, dict) else None
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        return parse_envelope(body)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        envelope = parse_envelope(body)  # when the envelope itself is wrong, say so
        reason = _unattachable(exc) if isinstance(envelope.payload.get("object"), dict) else None
        if reason:
            return Unattachable(**envelope.model_dump(), reason=reason)
        raise BadEvent(f"{envelope.event}: {_first_error(exc)}") from None


MAX_DEPTH = 32
"""How deeply a body may nest objects and arrays; Zoom's nest less than ten deep."""
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
"""NUL, which PostgreSQL refuses in text, and lone surrogates, which cannot be encoded as UTF-8 (for Redis)."""


def storable(value: Any, depth: int = 0) -> Any:
    """``value`` with every string in it, keys too, storable in Redis and the database: NUL and lone surrogates
    become U+FFFD. BadEvent when it nests deeper than MAX_DEPTH."""
    if isinstance(value, str):
        return value if value.isascii() and "\x00" not in value else _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
        raise BadEvent(f"the body nests more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        return {storable(k): storable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v, depth + 1) for v in value]
    return value


def load_json(raw: bytes | str) -> Any:
    """A delivery's raw body as JSON; BadEvent when it is not JSON. orjson reads a body in a third of the time; what it
    refuses (NaN, numbers past 64 bits, lone surrogates, deep nesting) is read by json as before."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw)
    except RecursionError:
        raise BadEvent(f"the body nests more than {MAX_DEPTH} levels deep") from None
    except ValueError:
        raise BadEvent("not JSON") from None


_UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
"""In JSON text a NUL can only be written as a \\u escape; a surrogate too, ..."""
_ENCODED_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")
"""... or encoded in UTF-8 bytes as if it were a character (json.loads lets those through)."""


def surely_storable(raw: bytes) -> bool:
    """Whether a body's JSON text cannot hold an unstorable string nor nest too deep, so that storable() may be
    skipped: UTF-8 (UTF-16 and UTF-32 JSON have NUL bytes), no escape of NUL or of a surrogate, too few brackets.
    Each search runs only where its first byte occurs (seldom): a delivery pays for a few scans in C."""
    return not (b"\x00" in raw or raw.count(b"{") + raw.count(b"[") > MAX_DEPTH
                or b"\\u" in raw and _UNSTORABLE_ESCAPE.search(raw)
                or b"\xed" in raw and _ENCODED_SURROGATE.search(raw))


def storable_event(body: Any, *, checked: bool = False) -> tuple[dict[str, Any], ZoomEvent | Envelope]:
    """The body with its text made storable, and its event: the one way in for every body, from Zoom or a replay,
    so the same body always stores the same text and has the same fingerprint. BadEvent for anything that is not a
    Zoom event, whatever the body holds. ``checked``: the body's text is surely_storable already."""
    try:
        if not checked:
            body = storable(body)
        return body, parse_event(body)
    except (RecursionError, TypeError, UnicodeError) as exc:
        raise BadEvent(f"not a Zoom event ({exc.__class__.__name__})") from None


def read_event(raw: bytes) -> tuple[dict[str, Any], ZoomEvent | Envelope]:
    """A delivery's raw body: its JSON with storable text, and its event."""
    return storable_event(load_json(raw), checked=surely_storable(raw))
