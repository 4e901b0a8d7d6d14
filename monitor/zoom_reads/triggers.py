"""Which deliveries make the monitor read from Zoom's API (only with ``[zoom_api] enabled``; replay never does). Each
read is an RQ job on the ``zoom`` queue, so the webhook's answer never waits for Zoom:

- ``meeting.created`` / ``meeting.updated``: read the lesson's settings (``meeting.updated`` says only what changed);
- any other event of a meeting whose settings were not read in the last 24 hours: read them too;
- ``meeting.deleted``: its findings are resolved;
- ``user.settings_updated``: read that member of staff's settings;
- a delivery after which the host is a Zoom user id nobody has named: look them up.
"""
from __future__ import annotations

import hashlib
from typing import Any

from redis import Redis

from .. import keys
from ..background import KEEP_FAILED_SECONDS, RETRIES, ZOOM, enqueue_unique
from ..clock import Clock
from ..config import normalise_meeting_id
from ..roster.model import Roster

SETTINGS_CHANGED = frozenset({"meeting.created", "meeting.updated"})
MEMO_LIMIT = 10_000
"""Meetings and hosts this process remembers having queued a read for; past that it starts again (one Redis round
trip each)."""


def _job_id(*parts: object) -> str:
    return "zoom-" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


class ZoomReads:
    def __init__(self, redis: Redis, clock: Clock):
        self.redis = redis
        self.clock = clock
        self._meetings: dict[str, float] = {}
        """Meeting id -> until when this process knows a read is done or queued (saves a round trip a delivery)."""
        self._hosts: set[tuple[str, str]] = set()

    def after(self, kind: str, body: dict[str, Any], roster: Roster | None) -> None:
        """After a delivery is applied (``roster``: the meeting as it left it, if it is a live meeting's event)."""
        obj = body.get("payload", {}).get("object") or {}
        meeting_id = normalise_meeting_id(obj["id"]) if kind.startswith("meeting.") and obj.get("id") else None
        if kind in SETTINGS_CHANGED and meeting_id:
            self._queue("zoom_read_meeting", _job_id(meeting_id, body.get("event_ts")), meeting_id)
            self._read(meeting_id)
            self.redis.set(keys.zoom_meeting_read(meeting_id), "queued", ex=keys.ZOOM_READ_SECONDS)
        elif kind == "meeting.deleted" and meeting_id:
            self._queue("zoom_meeting_deleted", _job_id("deleted", meeting_id, body.get("event_ts")), meeting_id)
        elif kind == "user.settings_updated" and obj.get("id"):
            self._queue("zoom_read_user", _job_id("user", obj["id"], body.get("event_ts")), str(obj["id"]))
        elif meeting_id:
            self._first_in_a_day(meeting_id)
        if roster is not None and roster.host and not roster.host.email and roster.host.zoom_user_id:
            self._unknown_host(roster.uuid, roster.host.zoom_user_id)

    def _first_in_a_day(self, meeting_id: str) -> None:
        if self._meetings.get(meeting_id, 0) > self.clock():
            return
        self._read(meeting_id)
        if self.redis.set(keys.zoom_meeting_read(meeting_id), "queued", nx=True, ex=keys.ZOOM_READ_SECONDS):
            self._queue("zoom_read_meeting", _job_id(meeting_id, "first", int(self.clock())), meeting_id)

    def _read(self, meeting_id: str) -> None:
        """Remembers that the meeting's settings are read (or queued to be) for the next 24 hours."""
        if len(self._meetings) > MEMO_LIMIT:
            self._meetings.clear()
        self._meetings[meeting_id] = self.clock() + keys.ZOOM_READ_SECONDS

    def _unknown_host(self, uuid: str, zoom_user_id: str) -> None:
        if (uuid, zoom_user_id) in self._hosts:
            return
        if len(self._hosts) > MEMO_LIMIT:
            self._hosts.clear()
        self._hosts.add((uuid, zoom_user_id))
        self._queue("zoom_identify_host", _job_id("host", uuid, zoom_user_id), uuid, zoom_user_id)

    def _queue(self, name: str, job_id: str, *args: str) -> None:
        enqueue_unique(self.redis, ZOOM, name, job_id, *args, retry=RETRIES, failure_ttl=KEEP_FAILED_SECONDS,
                       result_ttl=3600)


def queue_staff_reads(redis: Redis, emails: list[str], day: str) -> int:
    """The daily read of every member of staff's own settings: one job each (Zoom's rate limit paces them); returns
    how many were queued."""
    return sum(enqueue_unique(redis, ZOOM, "zoom_read_user", _job_id("daily", day, email), email, retry=RETRIES,
                              failure_ttl=KEEP_FAILED_SECONDS, result_ttl=3600) for email in emails)
