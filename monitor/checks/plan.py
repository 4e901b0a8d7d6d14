"""What one evaluation of the rules changes in a meeting's breach conditions. Pure: no I/O, no clock."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..rules import CHAINED, LATCHED, Condition, Happening


@dataclass(frozen=True)
class Entry:
    """A condition that held at the last evaluation (or held, was confirmed, and cleared)."""

    began: int                  # ms
    grace: int                  # s
    opened: bool = False        # confirmed: its incident is stored
    cleared: int | None = None  # ms; kept until the clearing is stored on the incident
    at: int | None = None       # ms; a happening's moment (after the meeting's end), or a chained condition's subject's
    #                             start (its incident opens no earlier)
    facts: dict | None = field(default=None, compare=False)  # a happening's own facts, for its incident

    @property
    def deadline(self) -> int:
        return self.began + self.grace * 1000

    def due(self, now: int) -> bool:
        """Held for longer than its grace period (strictly); a condition without grace is due at once."""
        return self.grace == 0 or self.deadline < now

    def encode(self) -> str:
        values = [self.began, self.grace, self.opened, self.cleared]
        if self.at is not None or self.facts:
            values += [self.at, self.facts]
        return json.dumps(values, separators=(",", ":"))

    @classmethod
    def decode(cls, value: str) -> "Entry":
        return cls(*json.loads(value))


def field_of(condition: Condition) -> str:
    return _field(condition.rule, condition.subject)


@lru_cache(maxsize=4096)
def _field(rule: str, subject: str | None) -> str:
    return json.dumps([rule, subject], separators=(",", ":"))


def happening_field(happening: Happening, key: str) -> str:
    """A happening waiting for its incident: its rule, subject and the delivery it came from."""
    return json.dumps([happening.rule, happening.subject, key], separators=(",", ":"))


def condition_of(field_name: str) -> tuple[str, str | None]:
    rule, subject, *_ = json.loads(field_name)
    return rule, subject


def event_key(field_name: str) -> str:
    """The delivery a happening came from ('' for a condition): each one is recorded on its incident once."""
    found = json.loads(field_name)
    return found[2] if len(found) == 3 else ""


def is_happening(field_name: str) -> bool:
    return event_key(field_name) != ""


@dataclass
class Plan:
    writes: dict[str, Entry | None] = field(default_factory=dict)
    """Condition field -> its new entry; None deletes it (a pending check cancelled)."""
    deadlines: list[tuple[str, Entry]] = field(default_factory=list)
    """New conditions: a check must fire when the grace runs out. A condition without grace is confirmed at once,
    and its deadline (its beginning) is kept only so that the worker's sweep confirms it if that fails."""
    confirms: list[tuple[str, Entry]] = field(default_factory=list)
    """Entries (as stored after the writes) whose incident must be opened now; one that has cleared meanwhile
    (``cleared`` set) is opened and its clearing stored at once."""
    clears: list[tuple[str, Entry]] = field(default_factory=list)
    """Confirmed entries (as stored after the writes) that cleared: store when, then forget them."""
    identified: list[tuple[str, str]] = field(default_factory=list)
    """(rule, subject): the confirmed condition of an unidentified subject is this subject's: its incident gains
    the e-mail (a host identified later)."""


def plan(stored: dict[str, Entry], holding: list[Condition], now: int) -> Plan:
    """Compares the conditions that hold now with those stored at the last evaluation. A happening's entry (waiting
    for its incident) is not a condition: it is confirmed when it is seen, and is never cleared."""
    result = Plan()
    stored = {name: entry for name, entry in stored.items() if not _waiting_happening(name, entry, result)}
    desired = {field_of(c): c for c in holding}
    for name, condition in desired.items():
        entry = stored.get(name)
        if entry is not None and entry.cleared is None:
            if not entry.opened and entry.due(now):
                result.confirms.append((name, entry))
            continue
        if entry is not None:
            _settle_cleared(result, name, entry)
        unidentified = _identifies(stored, desired, condition)
        if unidentified is not None:
            result.writes[unidentified] = None
            result.writes[name] = stored.pop(unidentified)
            result.identified.append(condition.key)
            continue
        new = _chained(stored, desired, condition, now) or Entry(now, condition.grace_seconds)
        result.writes[name] = new
        result.deadlines.append((name, new))
        if new.due(now):
            result.confirms.append((name, new))
    for name, entry in stored.items():
        if name in desired or entry.opened and condition_of(name)[0] in LATCHED:
            continue
        if entry.cleared is not None:
            _settle_cleared(result, name, entry)
        elif entry.opened or entry.due(now):
            # It held past its grace: flagged even when its confirmation had failed (a database outage) or its
            # check has not run yet, never dropped unconfirmed.
            cleared = replace(entry, cleared=now)
            result.writes[name] = cleared
            _settle_cleared(result, name, cleared)
        else:
            result.writes[name] = None
    return result


def _chained(stored: dict[str, Entry], desired: dict[str, Condition], condition: Condition,
             now: int) -> Entry | None:
    """A chained rule's condition that passes from one subject to another (a lesson's host, from one non-teacher to
    another) goes on from when it began: the grace does not restart, and once confirmed the next subject's incident
    opens at once. ``at`` is when this subject's part began."""
    if condition.rule not in CHAINED:
        return None
    began = [entry.began for name, entry in stored.items()
             if name not in desired and entry.cleared is None and condition_of(name)[0] == condition.rule]
    return Entry(min(began), condition.grace_seconds, at=now) if began else None


def _identifies(stored: dict[str, Entry], desired: dict[str, Condition], condition: Condition) -> str | None:
    """The confirmed condition of an unidentified subject (null) that this newly identified one goes on with."""
    if condition.rule not in CHAINED or condition.subject is None:
        return None
    unidentified = field_of(Condition(condition.rule, None, condition.grace_seconds))
    entry = stored.get(unidentified)
    if unidentified in desired or entry is None or not entry.opened or entry.cleared is not None:
        return None
    return unidentified


def _waiting_happening(name: str, entry: Entry, result: Plan) -> bool:
    if not is_happening(name):
        return False
    result.confirms.append((name, entry))
    return True


def _settle_cleared(result: Plan, name: str, entry: Entry) -> None:
    (result.clears if entry.opened else result.confirms).append((name, entry))
