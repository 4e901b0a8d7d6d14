"""The live roster of one meeting instance, read from the facts the store keeps (rules.md, Presence and The host)."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from ..classes import PersonClass, classify
from ..config import SchoolConfig, normalise_email
from .state import MeetingState, Snapshot


@dataclass(frozen=True)
class Connection:
    """One device's session in the meeting; times are milliseconds since the epoch."""

    id: str
    email: str | None = None
    zoom_user_id: str | None = None
    name: str | None = None
    user_id: str | None = None
    """Zoom's per-meeting ``user_id`` (chat events name it as a session id), when the id is a participant_uuid."""
    join: int | None = None
    leave: int | None = None
    wr_in: int | None = None
    wr_out: int | None = None

    @property
    def present(self) -> bool:
        """Latest join later than latest leave, whatever order they arrived in."""
        return self.join is not None and (self.leave is None or self.join > self.leave)

    def present_at(self, ms: int) -> bool:
        """Was in the meeting at that moment, as far as its latest join and leave tell."""
        if self.join is None or self.join > ms:
            return False
        return self.leave is None or self.leave <= self.join or self.leave > ms

    @property
    def waiting(self) -> bool:
        """In the waiting room: sent there after any admission or join."""
        return self.wr_in is not None and self.wr_in > max(self.wr_out or 0, self.join or 0)


@dataclass(frozen=True)
class Person:
    key: str
    email: str | None
    zoom_user_id: str | None
    cls: PersonClass
    name: str | None = None
    connections: tuple[Connection, ...] = ()


@dataclass(frozen=True)
class Host:
    email: str | None
    zoom_user_id: str | None
    cls: PersonClass | None
    """None when the host could not be identified."""

    @property
    def identified(self) -> bool:
        return self.cls is not None


@dataclass
class Roster:
    """A meeting as the rules read it. Built for every delivery, so not frozen (a frozen dataclass is built field by
    field through object.__setattr__, twice as slow); nothing changes one once built."""

    uuid: str
    meeting_id: str | None
    topic: str | None
    host_id: str | None
    opened_at: int | None
    started_at: int | None
    ended_at: int | None
    recording: bool
    sharing: bool
    personal_meeting_id: int | None
    """Held on its host's Personal Meeting ID: the ``event_ts`` of the first event applied that said ``type`` 4."""
    joined_before_host: bool
    """Someone joined before the host (``meeting.participant_jbh_joined``)."""
    chat_messages: int
    events: int
    host: Host | None
    present: tuple[Person, ...]
    """Everyone in the meeting now; nobody once it has ended."""
    people: tuple[Person, ...] = ()
    """Everyone seen in the meeting, with their connections (read from the full state only)."""
    waiting: tuple[Person, ...] = ()

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @cached_property
    def _counts(self) -> dict[PersonClass, int]:
        counts: dict[PersonClass, int] = {}
        for person in self.present:
            counts[person.cls] = counts.get(person.cls, 0) + 1
        return counts

    def count(self, cls: PersonClass) -> int:
        """How many people of a class are present."""
        return self._counts.get(cls, 0)

    def present_at(self, ms: int) -> tuple[Person, ...]:
        """Everyone in the meeting at an earlier moment (used once it has ended)."""
        if self.ended_at is not None and ms >= self.ended_at:
            return ()
        return tuple(p for p in self.people if any(c.present_at(ms) for c in p.connections))

    def pupils_at(self, ms: int) -> bool:
        """Whether a pupil was present at that moment, as far as the joins and leaves applied so far tell."""
        return any(p.cls is PersonClass.PUPIL for p in self.present_at(ms))

    def connection(self, *, user_id: str) -> Person | None:
        """The person of the connection Zoom calls ``user_id`` in this meeting."""
        for person in self.people:
            if any(c.id == user_id or c.user_id == user_id for c in person.connections):
                return person
        return None


CACHE_LIMIT = 50_000


class PersonResolver:
    """Who a person key stands for, and their class; remembered, as the school's configuration does not change."""

    def __init__(self, config: SchoolConfig):
        self.config = config
        self.known: dict[str, Person] = {}
        """Person key -> the person, as resolved so far."""
        self._hosts: dict[tuple, Host | None] = {}

    def __call__(self, key: str) -> Person:
        person = self.known.get(key)
        if person is None:
            if len(self.known) > CACHE_LIMIT:
                self.known.clear()
            person = self.known[key] = self._resolve(key)
        return person

    def _resolve(self, key: str) -> Person:
        email, user_id = None, None
        if key.startswith("zoom:"):
            user_id = key[5:]
            member = self.config.staff.find(zoom_user_id=user_id)
            if member:  # the directory knows this Zoom account: the person is that member of staff
                return Person(member.email, member.email, user_id, classify(self.config, member.email, user_id))
        elif not key.startswith("connection:"):
            email = key
        return Person(key, email, user_id, classify(self.config, email, user_id))

    def host(self, meeting: dict[str, str]) -> Host | None:
        """The latest role change to host decides; before any, the meeting's host_id. Its e-mail comes from the
        staff directory first, else from the host's own participant events, else from Zoom's API."""
        facts = (meeting.get("host"), meeting.get("host_id"), meeting.get("host_email"), meeting.get("identities"))
        if facts not in self._hosts:
            if len(self._hosts) > CACHE_LIMIT:
                self._hosts.clear()
            self._hosts[facts] = self._host(meeting)
        return self._hosts[facts]

    def _host(self, meeting: dict[str, str]) -> Host | None:
        role = _lww_value(meeting.get("host"))
        if role:
            _, user_id, email = role
            email = normalise_email(email) if email else None
            if not email and user_id and user_id == meeting.get("host_id"):
                email = meeting.get("host_email")
        elif meeting.get("host_id"):
            user_id, email = meeting["host_id"], meeting.get("host_email")
        else:
            return None
        member = self.config.staff.find(zoom_user_id=user_id) if user_id else None
        if member:
            email = member.email
        elif not email and user_id:  # named by Zoom's API since
            email = meeting.get(f"email:{user_id}")
        if not email:
            return Host(None, user_id, None)
        return Host(email, user_id, classify(self.config, email, user_id))


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


def _lww_value(raw: str | None):
    return json.loads(raw.split("|", 1)[1]) if raw else None


def _lww_is(raw: str | None, prefix: str) -> bool:
    """Whether a last-writer-wins value ("<ts>|<json>") starts with ``prefix``, without decoding it."""
    return raw is not None and raw.startswith(prefix, raw.index("|") + 1)


def _roster(resolver: PersonResolver, uuid: str, meeting: dict[str, str], present: tuple[Person, ...],
            **more) -> Roster:
    return Roster(
        uuid=uuid,
        meeting_id=meeting.get("id"),
        topic=meeting.get("topic"),
        host_id=meeting.get("host_id"),
        opened_at=_int(meeting.get("opened_at")),
        started_at=_int(meeting.get("started_at")),
        ended_at=_int(meeting.get("ended_at")),
        recording=_lww_is(meeting.get("recording"), '"running"'),
        sharing=_lww_is(meeting.get("sharing"), '["started"'),
        personal_meeting_id=_int(meeting.get("pmi")),
        joined_before_host="jbh_joined_at" in meeting,
        chat_messages=int(meeting.get("chat_messages", 0)),
        events=int(meeting.get("events", 0)),
        host=resolver.host(meeting),
        present=present,
        **more,
    )


def snapshot_roster(resolver: PersonResolver, snapshot: Snapshot) -> Roster:
    """The roster as the rules need it, from what a delivery returns: who is present, not their history."""
    known = resolver.known
    people = [known.get(key) or resolver(key) for key in snapshot.present]
    present = {person.key: person for person in reversed(people)}  # one person on two devices is one person
    return _roster(resolver, snapshot.uuid, snapshot.meeting, tuple(present.values()))


def _connections(state: MeetingState) -> dict[str, Connection]:
    facts: dict[str, dict[str, str]] = defaultdict(dict)
    for field, value in state.connections.items():
        conn, _, fact = field.rpartition(":")
        facts[conn][fact] = value
    conns = set(facts) | set(state.joins) | set(state.leaves)
    return {conn: Connection(
        id=conn,
        email=facts[conn].get("email"),
        zoom_user_id=facts[conn].get("zoom_user_id"),
        name=facts[conn].get("name"),
        user_id=facts[conn].get("user_id"),
        join=_int(state.joins.get(conn)), leave=_int(state.leaves.get(conn)),
        wr_in=_int(facts[conn].get("wr_in")), wr_out=_int(facts[conn].get("wr_out")),
    ) for conn in sorted(conns)}


def build_roster(resolver: PersonResolver, state: MeetingState) -> Roster:
    """The whole roster: everyone seen, with their connections (for the API and an incident's evidence)."""
    grouped: dict[str, list[Connection]] = defaultdict(list)
    for conn, connection in _connections(state).items():
        grouped[resolver(state.people.get(conn, f"connection:{conn}")).key].append(connection)
    everyone = []
    for key, conns in sorted(grouped.items()):
        base = resolver(key)
        name = next((c.name for c in conns if c.name), None)
        everyone.append(Person(base.key, base.email, base.zoom_user_id, base.cls, name, tuple(conns)))
    ended = "ended_at" in state.meeting
    present = () if ended else tuple(p for p in everyone if any(c.present for c in p.connections))
    waiting = () if ended else tuple(p for p in everyone if p not in present and any(c.waiting for c in p.connections))
    return _roster(resolver, state.uuid, state.meeting, present, people=tuple(everyone), waiting=waiting)
