"""The live roster of one meeting instance, read from the facts the store keeps (rules.md, Presence and The host)."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from ..config import SchoolConfig, normalise_email
from ..people import PersonClass, classify

FACTS = ("email", "zoom_user_id", "name", "join", "leave", "wr_in", "wr_out")


@dataclass(frozen=True)
class Connection:
    """One device's session in the meeting; times are milliseconds since the epoch."""

    id: str
    email: str | None = None
    zoom_user_id: str | None = None
    name: str | None = None
    join: int | None = None
    leave: int | None = None
    wr_in: int | None = None
    wr_out: int | None = None

    @property
    def present(self) -> bool:
        """Latest join later than latest leave, whatever order they arrived in."""
        return self.join is not None and (self.leave is None or self.join > self.leave)

    @property
    def waiting(self) -> bool:
        """In the waiting room: sent there after any admission or join."""
        return self.wr_in is not None and self.wr_in > max(self.wr_out or 0, self.join or 0)


@dataclass(frozen=True)
class Person:
    key: str
    email: str | None
    zoom_user_id: str | None
    name: str | None
    cls: PersonClass
    connections: tuple[Connection, ...]

    @property
    def present(self) -> bool:
        return any(c.present for c in self.connections)

    @property
    def waiting(self) -> bool:
        return not self.present and any(c.waiting for c in self.connections)


@dataclass(frozen=True)
class Host:
    email: str | None
    zoom_user_id: str | None
    cls: PersonClass | None
    """None when the host could not be identified."""

    @property
    def identified(self) -> bool:
        return self.cls is not None


@dataclass(frozen=True)
class Roster:
    uuid: str
    meeting_id: str | None
    topic: str | None
    host_id: str | None
    opened_at: int | None
    started_at: int | None
    ended_at: int | None
    recording: bool
    sharing: bool
    chat_messages: int
    events: int
    host: Host | None
    people: tuple[Person, ...]

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def present(self) -> tuple[Person, ...]:
        """Everyone in the meeting now; nobody once it has ended."""
        return () if self.ended else tuple(p for p in self.people if p.present)

    @property
    def waiting(self) -> tuple[Person, ...]:
        return () if self.ended else tuple(p for p in self.people if p.waiting)

    def count(self, cls: PersonClass) -> int:
        return sum(1 for p in self.present if p.cls is cls)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


def _lww_value(raw: str | None):
    return json.loads(raw.split("|", 1)[1]) if raw else None


def _connections(facts: dict[str, str]) -> list[Connection]:
    grouped: dict[str, dict[str, str]] = defaultdict(dict)
    for field, value in facts.items():
        conn, _, fact = field.rpartition(":")
        if fact in FACTS:
            grouped[conn][fact] = value
    return [
        Connection(
            id=conn,
            email=normalise_email(f["email"]) if "email" in f else None,
            zoom_user_id=f.get("zoom_user_id"),
            name=f.get("name"),
            join=_int(f.get("join")), leave=_int(f.get("leave")),
            wr_in=_int(f.get("wr_in")), wr_out=_int(f.get("wr_out")),
        )
        for conn, f in sorted(grouped.items())
    ]


class _Identities:
    """Resolves a connection to a person: by e-mail, else by Zoom user id, else the connection itself."""

    def __init__(self, config: SchoolConfig, connections: list[Connection]):
        self.config = config
        self.email_by_user_id = {c.zoom_user_id: c.email for c in connections if c.zoom_user_id and c.email}

    def email(self, email: str | None, zoom_user_id: str | None) -> str | None:
        if email:
            return normalise_email(email)
        if not zoom_user_id:
            return None
        member = self.config.staff.find(zoom_user_id=zoom_user_id)
        return member.email if member else self.email_by_user_id.get(zoom_user_id)

    def key(self, connection: Connection) -> str:
        email = self.email(connection.email, connection.zoom_user_id)
        if email:
            return email
        if connection.zoom_user_id:
            return f"zoom:{connection.zoom_user_id}"
        return f"connection:{connection.id}"


def _people(config: SchoolConfig, identities: _Identities, connections: list[Connection]) -> tuple[Person, ...]:
    grouped: dict[str, list[Connection]] = defaultdict(list)
    for connection in connections:
        grouped[identities.key(connection)].append(connection)
    people = []
    for key, conns in sorted(grouped.items()):
        user_id = next((c.zoom_user_id for c in conns if c.zoom_user_id), None)
        email = identities.email(next((c.email for c in conns if c.email), None), user_id)
        name = next((c.name for c in conns if c.name), None)
        people.append(Person(key, email, user_id, name, classify(config, email, user_id), tuple(conns)))
    return tuple(people)


def _host(config: SchoolConfig, identities: _Identities, meeting: dict[str, str],
          connections: list[Connection]) -> Host | None:
    """The latest role change to host decides; before any, the meeting's host_id."""
    role = _lww_value(meeting.get("host"))
    if role:
        conn_id, user_id, email = role
        conn = next((c for c in connections if c.id == conn_id), None)
        user_id = user_id or (conn.zoom_user_id if conn else None)
        email = email or (conn.email if conn else None)
    elif meeting.get("host_id"):
        user_id, email = meeting["host_id"], None
    else:
        return None
    member = config.staff.find(zoom_user_id=user_id) if user_id else None
    email = member.email if member else identities.email(email, user_id)
    if not email and not member:
        return Host(None, user_id, None)
    return Host(email, user_id, classify(config, email, user_id))


def build_roster(config: SchoolConfig, uuid: str, meeting: dict[str, str], facts: dict[str, str]) -> Roster:
    connections = _connections(facts)
    identities = _Identities(config, connections)
    sharing = _lww_value(meeting.get("sharing"))
    return Roster(
        uuid=uuid,
        meeting_id=meeting.get("id"),
        topic=meeting.get("topic"),
        host_id=meeting.get("host_id"),
        opened_at=_int(meeting.get("opened_at")),
        started_at=_int(meeting.get("started_at")),
        ended_at=_int(meeting.get("ended_at")),
        recording=_lww_value(meeting.get("recording")) == "running",
        sharing=bool(sharing) and sharing[0] == "started",
        chat_messages=int(meeting.get("chat_messages", 0)),
        events=int(meeting.get("events", 0)),
        host=_host(config, identities, meeting, connections),
        people=_people(config, identities, connections),
    )
