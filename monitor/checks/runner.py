"""Runs the rules after every delivery and fires timed checks: conditions in Redis, incidents in the database."""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Protocol

from ..config import SchoolConfig
from ..evidence import evidence
from ..times import utc
from ..incidents import Confirmation, IncidentStore
from ..roster.model import People, Roster, build_roster
from ..roster.store import RosterStore, Summary
from ..rules import SEVERITY, evaluate, late_external_participant
from .plan import Entry, condition_of, plan
from .state import ConditionState, decode_entries

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """Where the checks hand over: live, RQ jobs; in replay, the replay's own record."""

    def incident_opened(self, incident_id: int) -> None: ...

    def check_due_at(self, deadline_ms: int) -> None: ...


class Checks:
    def __init__(self, config: SchoolConfig, rosters: RosterStore, state: ConditionState, people: People,
                 incidents: IncidentStore, notifier: Notifier):
        self.config = config
        self.rosters = rosters
        self.state = state
        self.people = people
        self.incidents = incidents
        self.notifier = notifier

    def after_delivery(self, summary: Summary, roster: Roster, now: int, joined: str | None = None) -> None:
        """Brings the meeting's conditions up to date with its roster, at ``now`` (ms)."""
        uuid = summary.uuid
        result = plan(decode_entries(summary.conditions), evaluate(roster, self.config), now)
        if result.writes and not self.state.reconcile(uuid, summary.version, result.writes, result.deadlines):
            return  # a later delivery was applied meanwhile; its evaluation decides
        for _, entry in result.deadlines:
            self.notifier.check_due_at(entry.deadline)
        for name, entry in result.confirms:
            self._confirm(uuid, name, entry)
        for name, entry in result.clears:
            rule, subject = condition_of(name)
            self.incidents.record_clear(uuid, rule, subject, utc(entry.began), utc(entry.cleared))
            self.state.settle(uuid, name, entry, None)
        if joined and roster.ended:
            full = self._full_roster(uuid)
            for condition, began in late_external_participant(full, joined) if full else ():
                self._open(full, condition.rule, condition.subject, began, began, at=began)

    def fire_due(self, now: int) -> None:
        """Confirms every condition whose grace period ran out strictly before ``now`` (ms) and still holds."""
        for uuid, name, began, member in self.state.due(now):
            entry = self.state.entry(uuid, name)
            if entry and entry.began == began and not entry.opened and entry.cleared is None:
                self._confirm(uuid, name, entry)
            self.state.drop_deadline(member)

    def _full_roster(self, uuid: str) -> Roster | None:
        state = self.rosters.load(uuid)
        return build_roster(self.people, state) if state else None

    def _confirm(self, uuid: str, name: str, entry: Entry) -> None:
        roster = self._full_roster(uuid)
        if roster is None:  # the meeting's keys expired
            return
        rule, subject = condition_of(name)
        opened_at = entry.began if entry.grace == 0 else entry.deadline
        self._open(roster, rule, subject, entry.began, opened_at)
        self.state.settle(uuid, name, entry, replace(entry, opened=True))

    def _open(self, roster: Roster, rule: str, subject: str | None, began: int, opened: int,
              at: int | None = None) -> None:
        host = roster.host
        incident_id, new = self.incidents.confirm(Confirmation(
            meeting_uuid=roster.uuid, meeting_id=roster.meeting_id, topic=roster.topic, rule=rule, subject=subject,
            severity=SEVERITY[rule], host_email=host.email if host else None,
            host_class=host.cls.value if host and host.cls else None,
            began_at=utc(began), opened_at=utc(opened), evidence=evidence(roster, at)))
        if new:
            log.info("incident %s opened: %s in meeting %s", incident_id, rule, roster.uuid)
        if new or self.incidents.needs_alert(incident_id):
            self.notifier.incident_opened(incident_id)

    def next_deadline(self) -> int | None:
        return self.state.next_deadline()

