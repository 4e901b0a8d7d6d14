"""The weekly digest's schedule, on RQ's own scheduler (``enqueue_at``, run by every worker's scheduler).

An hourly tick, on the hour of school time: each tick first schedules the next one, then records the lessons whose
``meeting.ended`` never came, then sends the digest if one is due and not sent (so it goes at the configured hour,
whatever the clocks did on Sunday, and a worker that was down at that hour sends it at its first tick after). Each
tick's job id is its time, so two workers scheduling the same tick make one job; and the digest store's claim makes
sure that one week's digest is e-mailed once even if two ticks ran at once.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from monitor.clock import utc_now
from monitor.digest.week import next_tick
from monitor.services import Services

from monitor.background import DIGESTS, enqueue_unique

log = logging.getLogger(__name__)
QUIET_BEFORE_ENDED = timedelta(hours=6)
"""A meeting without meeting.ended in which nobody joined or left for this long is taken to have ended."""


def tick_job_id(at: datetime) -> str:
    return f"digest-tick-{at.astimezone(timezone.utc):%Y%m%dT%H%MZ}"


def schedule_tick(svc: Services, after: datetime | None = None) -> datetime:
    """Schedules the first tick after ``after`` (default: now) unless it is scheduled already; returns its time."""
    after = after or utc_now(svc.clock)
    at = next_tick(after, svc.digests.tz)
    enqueue_unique(svc.redis, DIGESTS, "digest_tick", tick_job_id(at), at.isoformat(), at=at,
                   result_ttl=2 * 86400, failure_ttl=7 * 86400)
    return at


def run_tick(svc: Services, at_iso: str) -> str | None:
    now = max(datetime.fromisoformat(at_iso), utc_now(svc.clock))
    schedule_tick(svc, now)  # first, whatever happens below; after a late tick, no string of ticks to catch up
    ended = svc.pipeline.record_unended(int((now - QUIET_BEFORE_ENDED).timestamp() * 1000))
    if ended:
        log.info("recorded %d meeting(s) that never sent meeting.ended", ended)
    return svc.digests.tick(now)
