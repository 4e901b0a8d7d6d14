"""One path for every Zoom event, live or replayed: event model -> roster -> rules -> incidents."""
from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any, Literal

from redis import Redis

from .checks.runner import Checks, Notifier
from .checks.state import ConditionState
from .clock import Clock
from .config import SchoolConfig
from .events import Envelope, Unattachable, ZoomEvent, storable_event
from .incidents import IncidentStore
from .lessons import LessonStore, lesson_of, quiet_since
from .memory import with_change
from .redis_client import ThreadClient
from .roster.changes import Change, change_for
from .roster.model import PersonResolver, Roster, build_roster, snapshot_roster
from .roster.store import RosterStore
from .rule_ids import OUT_OF_HOURS
from .rules import RULES
from .rules.hours import DAY_MS, hours_of
from .times import utc

if TYPE_CHECKING:
    from .zoom_reads.triggers import ZoomReads

log = logging.getLogger(__name__)
Outcome = Literal["applied", "duplicate", "ignored"]
OUTBOX_MS = 24 * 3600 * 1000
"""How far back the sweep looks for incidents whose alert was never queued."""
SETTLING = frozenset(rule.id for rule in RULES if rule.settles)
"""The rules whose incidents clear: at the latest, when their meeting ends."""


def fingerprint(body: dict[str, Any]) -> str:
    """Identifies a delivery of an event that belongs to no roster, whatever order Zoom wrote its keys in."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class Pipeline:
    """``store`` and ``conditions`` keep the live state: in Redis (RosterStore, ConditionState), or in memory."""

    def __init__(self, config: SchoolConfig, clock: Clock, incidents: IncidentStore, notifier: Notifier,
                 store: RosterStore, conditions: ConditionState):
        self.config = config
        self.clock = clock
        self.store = store
        self.incidents = incidents
        self.notifier = notifier
        self.resolver = PersonResolver(config)
        self.lessons = LessonStore(incidents.engine)
        self.checks = Checks(config, store, conditions, self.resolver, incidents, notifier)
        self.hours = hours_of(config) if OUT_OF_HOURS not in config.rules.disabled else None
        """The lesson hours, when out_of_hours is watched."""
        self.zoom_reads: ZoomReads | None = None
        """What deliveries make the monitor read from Zoom's API, when it is connected (never in a replay)."""

    @classmethod
    def on_redis(cls, config: SchoolConfig, redis: Redis, clock: Clock, incidents: IncidentStore,
                 notifier: Notifier) -> "Pipeline":
        thread_client = ThreadClient(redis)  # one socket a thread, for both
        return cls(config, clock, incidents, notifier, RosterStore(redis, thread_client),
                   ConditionState(redis, thread_client))

    def process(self, body: dict[str, Any]) -> tuple[Outcome, str | None]:
        """Takes one Zoom event body; returns what happened and the meeting uuid it concerned.

        Raises BadEvent for a body that is not a Zoom event, and Redis or database errors when the event cannot be
        stored; a repeated delivery is evaluated again, so a retry completes what a failed attempt left undone.
        """
        body, event = storable_event(body)
        return self.handle(event, body)

    def handle(self, event: ZoomEvent | Envelope, body: dict[str, Any]) -> tuple[Outcome, str | None]:
        """As process, for an event and its body as events.storable_event gives them."""
        now = self.clock()
        change = change_for(event, now, self.config.staff) if isinstance(event, ZoomEvent) else None
        if change is None:
            if isinstance(event, Unattachable):
                log.warning("%s names no meeting to attach it to (%s): ignored", event.event, event.reason)
            counted = self.store.count_ignored(event.event, fingerprint(body))
            if self.zoom_reads is not None and counted:
                self.zoom_reads.after(event.event, body, None)
            return ("ignored" if counted else "duplicate"), None
        if event.event == "meeting.ended":
            self._before_end(change, int(now * 1000))
        applied, snapshot = self.store.apply(change)
        if applied and event.event != "meeting.ended" and "ended_at" in snapshot.meeting:
            log.info("%s for meeting %s after its end (late, or a uuid Zoom reused)", event.event, change.uuid)
        roster = snapshot_roster(self.resolver, snapshot)
        self.checks.after_delivery(snapshot, roster, int(now * 1000), change, event)
        if change.joined and "ended_at" in snapshot.meeting:
            self._record_lesson(self.roster(change.uuid))
        if self.zoom_reads is not None and applied:
            self.zoom_reads.after(event.event, body, roster)
        return ("applied" if applied else "duplicate"), change.uuid

    def learn_identity(self, uuid: str, zoom_user_id: str, email: str) -> None:
        """Zoom's API named a Zoom user of the meeting (its host): the roster has their e-mail from now on, as if an
        event had given it, and the meeting's conditions are brought up to date (rules.md, "A host identified
        later")."""
        change = Change(uuid, f"identity:{zoom_user_id}:{email}",
                        (("m", "setnx", f"email:{zoom_user_id}", email), ("m", "incr", "identities", "1")))
        applied, snapshot = self.store.apply(change)
        if applied:
            self.checks.after_delivery(snapshot, snapshot_roster(self.resolver, snapshot), int(self.clock() * 1000),
                                       change)

    def _before_end(self, change: Change, now: int) -> None:
        """A meeting's end changes the roster only once what it settles is stored: if the database fails, Zoom's
        retry finds the meeting as it was."""
        state = self.store.load(change.uuid)
        if state is not None:
            self.checks.before_end(state.conditions, change.uuid, now)
        self._record_lesson(build_roster(self.resolver, with_change(state, change)))

    def fire_due_checks(self) -> None:
        now = int(self.clock() * 1000)
        self.cross_lesson_hours(now)
        self.checks.fire_due(now)

    def cross_lesson_hours(self, now: int) -> None:
        """Live, time alone starts and ends out_of_hours: the boundaries of the lesson hours passed since the last
        look, each crossed once (a repeat crosses nothing new), and a check queued at the next one."""
        hours = self.hours
        if hours is None:
            return
        last = self.checks.state.hours_crossed(now)
        if last is not None:  # after a long stop, a day back is enough: no meeting is remembered longer
            self.checks.cross_hours(hours, max(last, now - DAY_MS), now)
        following = hours.boundaries(now, now + 8 * DAY_MS)
        if following:
            self.notifier.check_due_at(following[0][0])

    def sweep(self) -> None:
        """What the workers do every few seconds, whatever else happens: the lesson hours' boundaries passed, the
        checks that came due (those that failed before too), then the incidents whose alert job could not be queued
        (the outbox)."""
        now = int(self.clock() * 1000)
        self.cross_lesson_hours(now)
        self.checks.fire_due(now)
        for incident_id in self.incidents.awaiting_alert(utc(now - OUTBOX_MS)):
            self.notifier.incident_opened(incident_id)

    def _record_lesson(self, roster: Roster | None, ended_at: int | None = None) -> None:
        """Once a meeting ends (and for a join Zoom delivers after the end): the durable record of the lesson."""
        lesson = lesson_of(roster, ended_at=ended_at) if roster else None
        if lesson is not None:
            self.lessons.record(lesson)
            self.incidents.clear_at_end(lesson.meeting_uuid, lesson.ended_at, SETTLING)

    def record_unended(self, quiet_before_ms: int) -> int:
        """Records the meetings that never sent meeting.ended and have been quiet since before ``quiet_before_ms``,
        as ending at their last join or leave. Returns how many it recorded."""
        recorded = 0
        for roster in self.rosters(ended=False):
            last = quiet_since(roster)
            if last is not None and last < quiet_before_ms:
                self._record_lesson(roster, ended_at=last)
                recorded += 1
        return recorded

    def roster(self, uuid: str) -> Roster | None:
        state = self.store.load(uuid)
        return build_roster(self.resolver, state) if state else None

    def rosters(self, *, ended: bool = True) -> list[Roster]:
        """Every meeting's roster; with ``ended=False`` those of live meetings only (an ended one is not built)."""
        found = []
        for uuid in self.store.meeting_uuids():
            state = self.store.load(uuid)
            if state is not None and (ended or "ended_at" not in state.meeting):
                found.append(build_roster(self.resolver, state))
        return found
