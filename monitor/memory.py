"""The live state in this process's memory, for replay: the same operations as the Redis scripts (roster/apply.lua,
checks/state.py), in plain Python, without a server's round trips. Nothing expires; a replay is short-lived."""
from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from . import keys
from .checks.plan import Entry
from .checks.state import deadline_member, due_deadline, judged_mark
from .roster.changes import Change
from .roster.state import MeetingState, Snapshot
from .roster.store import OTHER_KIND, counted_kind


@dataclass
class _Meeting:
    seen: set[str] = field(default_factory=set)
    meeting: dict[str, str] = field(default_factory=dict)
    conditions: dict[str, str] = field(default_factory=dict)
    connections: dict[str, str] = field(default_factory=dict)
    joins: dict[str, str] = field(default_factory=dict)
    leaves: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    present: dict[str, str] = field(default_factory=dict)
    """Connection -> person, for the connections present: kept up to date as joins and leaves change."""

    def __post_init__(self) -> None:
        self.targets = {"m": self.meeting, "c": self.connections, "j": self.joins, "l": self.leaves, "p": self.people}

    def update_presence(self, conn: str) -> None:
        join, leave = self.joins.get(conn), self.leaves.get(conn)
        if join is not None and (leave is None or int(join) > int(leave)):
            self.present[conn] = self.people.get(conn) or f"connection:{conn}"
        else:
            self.present.pop(conn, None)

    def apply(self, change: Change) -> None:
        for target, op, name, value in change.ops:
            values = self.targets[target]
            old = values.get(name)
            if op == "setnx":
                values.setdefault(name, value)
            elif op == "incr":
                values[name] = str(int(old or 0) + int(value))
            elif old is None or _newer(op, value, old):
                values[name] = value
            if target in "jl":
                self.update_presence(name)

    def state(self, uuid: str) -> MeetingState:
        return MeetingState(uuid, dict(self.meeting), dict(self.conditions), dict(self.connections),
                            dict(self.joins), dict(self.leaves), dict(self.people))

    def snapshot(self, uuid: str) -> Snapshot:
        """As apply.lua returns it; the dicts are the live ones, to be read at once and not kept."""
        present = () if "ended_at" in self.meeting else tuple(self.present.values())
        return Snapshot(uuid, self.meeting, present, self.conditions)


def _newer(op: str, value: str, old: str) -> bool:
    if op == "max":
        return int(value) > int(old)
    ts, old_ts = int(value.split("|", 1)[0]), int(old.split("|", 1)[0])
    if op == "lwwd":
        return ts >= old_ts
    return ts > old_ts or (ts == old_ts and value > old)


def with_change(state: MeetingState | None, change: Change) -> MeetingState:
    """The meeting as ``change`` would leave it, worked out without storing anything."""
    m = _Meeting()
    if state is not None:
        for mine, theirs in ((m.meeting, state.meeting), (m.conditions, state.conditions),
                             (m.connections, state.connections), (m.joins, state.joins), (m.leaves, state.leaves),
                             (m.people, state.people)):
            mine.update(theirs)
    m.apply(change)
    return m.state(change.uuid)


class MemoryState:
    """Stands in for both RosterStore and ConditionState."""

    def __init__(self):
        self._meetings: dict[str, _Meeting] = defaultdict(_Meeting)
        self._ignored: dict[str, int] = {}
        self._ignored_seen: set[str] = set()
        self._deadlines: dict[str, int] = {}
        self._heap: list[tuple[int, str]] = []
        self._attempts: dict[str, int] = {}
        self._hours_crossed: int | None = None

    # --- RosterStore ---

    def apply(self, change: Change) -> tuple[bool, Snapshot]:
        m = self._meetings[change.uuid]
        if change.fingerprint in m.seen:
            return False, m.snapshot(change.uuid)
        m.seen.add(change.fingerprint)
        m.apply(change)
        return True, m.snapshot(change.uuid)

    def load(self, uuid: str) -> MeetingState | None:
        m = self._meetings.get(uuid)
        if m is None or not m.meeting:
            return None
        return m.state(uuid)

    def meeting_uuids(self) -> list[str]:
        return sorted(uuid for uuid, m in self._meetings.items() if m.meeting)

    def count_ignored(self, kind: str, fingerprint: str) -> bool:
        if fingerprint in self._ignored_seen:
            return False
        self._ignored_seen.add(fingerprint)
        kind = counted_kind(kind)
        if kind not in self._ignored and len(self._ignored.keys() - {OTHER_KIND}) >= keys.IGNORED_KINDS_MAX:
            kind = OTHER_KIND
        self._ignored[kind] = self._ignored.get(kind, 0) + 1
        return True

    def ignored_counts(self) -> dict[str, int]:
        return dict(self._ignored)

    # --- ConditionState ---

    def reconcile(self, uuid: str, version: str, writes: dict[str, Entry | None],
                  deadlines: list[tuple[str, Entry]]) -> bool:
        for name, entry in deadlines:
            member = deadline_member(uuid, name, entry)
            self._deadlines[member] = entry.deadline
            heapq.heappush(self._heap, (entry.deadline, member))
        m = self._meetings[uuid]
        if m.meeting.get("events", "0") != version:
            return False
        for name, entry in writes.items():
            if entry is None:
                m.conditions.pop(name, None)
            else:
                m.conditions[name] = entry.encode()
        return True

    def record(self, uuid: str, judged: str, entries: dict[str, Entry]) -> bool:
        m = self._meetings[uuid]
        mark = judged_mark(judged)
        if mark in m.seen:
            return False
        m.seen.add(mark)
        for name, entry in entries.items():
            m.conditions.setdefault(name, entry.encode())
            member = deadline_member(uuid, name, entry)
            self._deadlines[member] = entry.deadline
            heapq.heappush(self._heap, (entry.deadline, member))
        return True

    def hours_crossed(self, now: int) -> int | None:
        previous, self._hours_crossed = self._hours_crossed, now
        return previous

    def settle(self, uuid: str, name: str, expected: Entry, new: Entry | None) -> bool:
        conditions = self._meetings[uuid].conditions
        if conditions.get(name) != expected.encode():
            return False
        if new is None:
            del conditions[name]
        else:
            conditions[name] = new.encode()
        return True

    def entry(self, uuid: str, name: str) -> Entry | None:
        value = self._meetings[uuid].conditions.get(name)
        return Entry.decode(value) if value is not None else None

    def due(self, now: int) -> list[tuple[str, str, int, str]]:
        found = []
        while self._heap and self._heap[0][0] < now:
            deadline, member = heapq.heappop(self._heap)
            if self._deadlines.get(member) == deadline:
                found.append(due_deadline(member))
        return found

    def next_deadline(self) -> int | None:
        while self._heap and self._deadlines.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def drop_deadline(self, member: str) -> None:
        self._deadlines.pop(member, None)
        self._attempts.pop(member, None)

    def count_failure(self, member: str) -> int:
        self._attempts[member] = self._attempts.get(member, 0) + 1
        return self._attempts[member]

    def retry_later(self, member: str, at: int) -> None:
        self._deadlines[member] = at
        heapq.heappush(self._heap, (at, member))
