"""Runs the rules after every delivery and fires timed checks: conditions in Redis, incidents in the database."""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Protocol

from redis.exceptions import RedisError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from ..classes import PersonClass
from ..config import SchoolConfig
from ..events import ZoomEvent
from ..evidence import evidence
from ..incidents import Confirmation, IncidentStore, SetAside
from ..metrics.instruments import incident_opened, storage_error
from ..roster.changes import Change
from ..roster.model import PersonResolver, Roster, build_roster
from ..roster.state import Snapshot
from ..roster.store import RosterStore
from ..rule_ids import EXTERNAL_PARTICIPANT, OUT_OF_HOURS
from ..rules import BY_ID, evaluate, judge, late_external_participant, to_judge
from ..rules.hours import LessonHours
from ..times import utc
from .plan import Entry, Plan, condition_of, event_key, happening_field, plan
from .state import ConditionState, decode_entries

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = (10, 30, 60, 120, 300)
"""A check that fails is tried again after each of these in turn, then set aside (about 9 minutes in all)."""
UNAVAILABLE_RETRY_SECONDS = 10
"""A check that failed because the database could not be reached is tried again this often, for as long as it takes:
the database's outage is not the meeting's fault."""
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError)
"""The database could not be reached, or was busy (as opposed to refusing what was asked of it)."""


class Notifier(Protocol):
    """Where the checks hand over: live, RQ jobs; in replay, the replay's own record."""

    def incident_opened(self, incident_id: int) -> None: ...

    def check_due_at(self, deadline_ms: int) -> None: ...


class Checks:
    def __init__(self, config: SchoolConfig, rosters: RosterStore, state: ConditionState, resolver: PersonResolver,
                 incidents: IncidentStore, notifier: Notifier):
        self.config = config
        self.rosters = rosters
        self.state = state
        self.resolver = resolver
        self.incidents = incidents
        self.notifier = notifier

    def after_delivery(self, snapshot: Snapshot, roster: Roster, now: int, change: Change | None = None,
                       event: ZoomEvent | None = None) -> None:
        """Brings the meeting's conditions up to date with its roster, at ``now`` (ms), and judges the event that
        changed it (``change``, ``event``) when some rule must."""
        uuid = snapshot.uuid
        self._reconcile(uuid, snapshot.version, snapshot.conditions, roster, now)
        if event is not None and change is not None and to_judge(event, roster, self.config):
            self._judge(uuid, event, change.fingerprint, now)
        if change is not None and change.joined and EXTERNAL_PARTICIPANT not in self.config.rules.disabled and \
                (roster.ended or change.person not in snapshot.present):
            full = self._full_roster(uuid)  # a join learnt after the fact: who was there meanwhile
            for condition, began in late_external_participant(full, change.joined, now) if full else ():
                self._open(full, condition.rule, condition.subject, began, began, at=began)

    def _reconcile(self, uuid: str, version: str, conditions: dict[str, str], roster: Roster, now: int) -> None:
        result = plan(decode_entries(conditions), evaluate(roster, self.config, now), now)
        if result.writes and not self.state.reconcile(uuid, version, result.writes, result.deadlines):
            return  # a later delivery was applied meanwhile; its evaluation decides
        for _, entry in result.deadlines:
            if entry.grace:
                self.notifier.check_due_at(entry.deadline)
        self._store(uuid, result)

    def _judge(self, uuid: str, event: ZoomEvent, fingerprint: str, now: int) -> None:
        """Records the breaches the event is, once for the delivery, then opens their incidents."""
        full = self._full_roster(uuid)
        if full is None:
            return
        found = {happening_field(h, fingerprint): Entry(now, 0, at=h.at, facts=h.facts)
                 for h in judge(event, full, self.config)}
        if self.state.record(uuid, fingerprint, found):
            for name, entry in found.items():
                self._confirm(uuid, name, entry)

    def cross_hours(self, hours: LessonHours, after: int, upto: int) -> None:
        """Time alone moved on from ``after`` to ``upto`` (ms): at each boundary of the lesson hours between them, in
        time order, every meeting open by then with a pupil present is evaluated as it stands at that moment
        (out_of_hours begins there, or clears)."""
        boundaries = hours.boundaries(after, upto)
        live = [uuid for uuid in self.rosters.meeting_uuids() if self._with_pupils(uuid)] if boundaries else []
        for boundary, _ in boundaries if live else ():
            for uuid in live:
                state = self.rosters.load(uuid)
                roster = build_roster(self.resolver, state) if state else None
                if roster is not None and roster.opened_at is not None and roster.opened_at <= boundary:
                    self._reconcile(uuid, state.meeting.get("events", "0"), state.conditions, roster, boundary)

    def _with_pupils(self, uuid: str) -> bool:
        state = self.rosters.load(uuid)
        return state is not None and "ended_at" not in state.meeting and \
            build_roster(self.resolver, state).count(PersonClass.PUPIL) > 0

    def forget_out_of_hours_ending(self, hours: LessonHours) -> None:
        """Replay's end: time goes on with nothing else happening, so a pending out_of_hours check whose condition
        the lesson hours would clear before its grace runs out never fires."""
        for uuid in self.rosters.meeting_uuids():
            state = self.rosters.load(uuid)
            for name, entry in decode_entries(state.conditions if state else {}).items():
                if condition_of(name)[0] != OUT_OF_HOURS or entry.opened or entry.cleared is not None:
                    continue
                start = hours.next_start(entry.began)
                if start is not None and start <= entry.deadline:
                    self.state.settle(uuid, name, entry, None)

    def before_end(self, conditions: dict[str, str], uuid: str, now: int) -> None:
        """Stores what a meeting's end settles in the database (the incidents of conditions that held past their
        grace, the clearing of the confirmed ones) before the end itself is stored: a failure leaves the roster as
        it was. Safe to repeat: once the end is stored, after_delivery settles the conditions again and for good."""
        self._store(uuid, plan(decode_entries(conditions), [], now))

    def _store(self, uuid: str, result: Plan) -> None:
        """Opens the incidents a plan confirms and stores the clearings, forgetting each condition once it is done
        (unless its entry changed meanwhile)."""
        for rule, subject in result.identified:
            self.incidents.identify(uuid, rule, subject)
        for name, entry in result.confirms:
            self._confirm(uuid, name, entry)
        for name, entry in result.clears:
            rule, subject = condition_of(name)
            self.incidents.record_clear(uuid, rule, subject, utc(entry.began), utc(entry.cleared))
            self.state.settle(uuid, name, entry, None)

    def fire_due(self, now: int) -> None:
        """Confirms every condition whose grace period ran out strictly before ``now`` (ms) and still holds, or held
        past it before it cleared. A check that fails is tried again later and holds up none of the others."""
        for uuid, name, began, member in self.state.due(now):
            try:
                entry = self.state.entry(uuid, name)
                if entry and entry.began == began and not entry.opened:
                    self._confirm(uuid, name, entry)
            except RedisError as exc:
                storage_error(exc)
                raise  # nothing can be done without Redis; the next sweep tries every due check again
            except Exception as exc:  # one meeting's failure must not stop the checks of every other
                self._failed(uuid, name, began, member, exc, now)
                continue
            self.state.drop_deadline(member)

    def _failed(self, uuid: str, name: str, began: int, member: str, exc: Exception, now: int) -> None:
        rule, subject = condition_of(name)
        error = type(exc).__name__
        if isinstance(exc, UNAVAILABLE):
            storage_error(exc)
            self._retry(member, now + UNAVAILABLE_RETRY_SECONDS * 1000)
            log.warning("check %s of meeting %s: database unavailable (%s); trying again in %d s", rule, uuid, error,
                        UNAVAILABLE_RETRY_SECONDS)
            return
        attempts = self.state.count_failure(member)
        if attempts <= len(RETRY_AFTER_SECONDS):
            delay = RETRY_AFTER_SECONDS[attempts - 1]
            self._retry(member, now + delay * 1000)
            log.warning("check %s of meeting %s failed (%s), attempt %d; trying again in %d s", rule, uuid, error,
                        attempts, delay)
            return
        meeting = self.rosters.load(uuid)
        facts = meeting.meeting if meeting else {}
        try:
            self.incidents.set_aside(SetAside(
                meeting_uuid=uuid, meeting_id=facts.get("id"), topic=facts.get("topic"), rule=rule, subject=subject,
                began_at=utc(began), attempts=attempts, error=error, at=utc(now)))
        except Exception as again:
            self._retry(member, now + RETRY_AFTER_SECONDS[-1] * 1000)
            log.error("check %s of meeting %s could not be set aside (%s); trying again in %d s", rule, uuid,
                      type(again).__name__, RETRY_AFTER_SECONDS[-1])
            return
        self.state.drop_deadline(member)
        log.error("check %s of meeting %s set aside after %d failed attempts (%s): shown as not checked", rule, uuid,
                  attempts, error)

    def _retry(self, member: str, at: int) -> None:
        self.state.retry_later(member, at)
        self.notifier.check_due_at(at)

    def _full_roster(self, uuid: str) -> Roster | None:
        state = self.rosters.load(uuid)
        return build_roster(self.resolver, state) if state else None

    def _confirm(self, uuid: str, name: str, entry: Entry) -> None:
        roster = self._full_roster(uuid)
        if roster is None:  # the meeting's keys expired
            return
        rule, subject = condition_of(name)
        key = event_key(name)
        opened_at = entry.began if entry.grace == 0 else max(entry.deadline, 0 if key else entry.at or 0)
        if key:  # a happening: nothing to clear, so nothing to keep
            self._open(roster, rule, subject, entry.began, opened_at, at=entry.at, event_key=key, facts=entry.facts)
            self.state.settle(uuid, name, entry, None)
            return
        if entry.cleared is None:
            self._open(roster, rule, subject, entry.began, opened_at)
            self.state.settle(uuid, name, entry, replace(entry, opened=True))
            return
        # It held past its grace and has cleared since: opened as it was when it began, and cleared at once.
        self._open(roster, rule, subject, entry.began, opened_at, at=entry.began)
        self.incidents.record_clear(uuid, rule, subject, utc(entry.began), utc(entry.cleared))
        self.state.settle(uuid, name, entry, None)

    def _open(self, roster: Roster, rule: str, subject: str | None, began: int, opened: int,
              at: int | None = None, event_key: str = "", facts: dict | None = None) -> None:
        host = roster.host
        found = evidence(roster, at)
        if facts:
            found["event"] = facts
        incident_id, new = self.incidents.confirm(Confirmation(
            meeting_uuid=roster.uuid, meeting_id=roster.meeting_id, topic=roster.topic, rule=rule, subject=subject,
            severity=BY_ID[rule].severity_for(self.config), host_email=host.email if host else None,
            host_class=host.cls.value if host and host.cls else None,
            began_at=utc(began), opened_at=utc(opened), evidence=found, event_key=event_key,
            subject_class=_subject_class(roster, subject, facts)))
        if new:
            log.info("incident %s opened: %s in meeting %s", incident_id, rule, roster.uuid)
            incident_opened(rule)
        if new or self.incidents.needs_alert(incident_id):
            self.notifier.incident_opened(incident_id)

    def next_deadline(self) -> int | None:
        return self.state.next_deadline()


def _subject_class(roster: Roster, subject: str | None, facts: dict | None) -> str | None:
    """The class of the person an incident is about, when its subject is a person (an event's adult without an e-mail
    too: the subject is null, and they are external)."""
    for end in ("sender", "recipient", "sharer"):
        if facts and facts.get(end) and facts[end].get("email") == subject:
            return facts[end]["class"]
    if subject is None:
        return None
    if roster.host and roster.host.email == subject and roster.host.cls:
        return roster.host.cls.value
    return next((p.cls.value for p in roster.people if p.email == subject), None)
