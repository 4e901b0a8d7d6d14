"""The jobs that run on a schedule, in one list (the sweep, the digest's tick, the staff's Zoom settings, retention).
Every worker, at each of its maintenance passes, makes sure the next run of each is queued; a run's job id is its
slot, so however many workers ask, each run is queued once."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Callable, NamedTuple
from zoneinfo import ZoneInfo

from monitor.background import CHECKS, DIGESTS, KEEP_FAILED_SECONDS, ZOOM, enqueue_unique
from monitor.clock import utc_now
from monitor.digest.week import next_tick
from monitor.services import Services

SWEEP_SECONDS = 15
"""How often the due checks and the alert outbox are swept (``monitor worker``: every maintenance pass, set by
MONITOR_WORKER_MAINTENANCE_SECONDS, 15 by default)."""


class Run(NamedTuple):
    job_id: str
    at: datetime | None
    """None: at once."""
    args: tuple = ()


class Periodic(NamedTuple):
    job: str
    """A function of workers.jobs."""
    queue: str
    next_run: Callable[[Services, datetime, int], Run | None]
    """(services, now, the sweep's interval in seconds) -> the next run (None: it does not run here)."""
    options: dict


def _sweep(services: Services, now: datetime, every: int) -> Run:
    return Run(f"sweep-{int(now.timestamp()) // every}", None)


def digest_tick_id(at: datetime) -> str:
    return f"digest-tick-{at.astimezone(timezone.utc):%Y%m%dT%H%MZ}"


def _digest_tick(services: Services, now: datetime, every: int) -> Run:
    at = next_tick(now, services.digests.tz)
    return Run(digest_tick_id(at), at, (at.isoformat(),))


def _next_daily(services: Services, now: datetime, at: time) -> datetime:
    """The next time of day ``at`` in school time, after now."""
    zone = ZoneInfo(services.config.school.timezone)
    local = now.astimezone(zone)
    next_at = datetime.combine(local.date(), at, zone)
    if next_at <= local:
        next_at = datetime.combine(local.date() + timedelta(days=1), at, zone)
    return next_at


def _staff_settings(services: Services, now: datetime, every: int) -> Run | None:
    """Daily at 06:00 school time, before lessons: every member of staff's own Zoom settings (with Zoom's API)."""
    if services.reader is None:
        return None
    at = _next_daily(services, now, time(6))
    return Run(f"zoom-staff-{at.date()}", at, (at.date().isoformat(),))


def _retention(services: Services, now: datetime, every: int) -> Run:
    """Daily at 02:30 school time, when no lesson runs: what is past its period is deleted or reduced."""
    at = _next_daily(services, now, time(2, 30))
    return Run(f"retention-{at.date()}", at, (at.date().isoformat(),))


SWEEP = Periodic("sweep", CHECKS, _sweep, {"result_ttl": 60, "failure_ttl": 86400})
DIGEST_TICK = Periodic("digest_tick", DIGESTS, _digest_tick,
                       {"result_ttl": 2 * 86400, "failure_ttl": KEEP_FAILED_SECONDS})
STAFF_SETTINGS = Periodic("zoom_read_staff", ZOOM, _staff_settings, {"result_ttl": 2 * 86400,
                                                                      "failure_ttl": KEEP_FAILED_SECONDS})
RETENTION = Periodic("retention", DIGESTS, _retention, {"result_ttl": 2 * 86400, "failure_ttl": KEEP_FAILED_SECONDS})
PERIODIC = (SWEEP, DIGEST_TICK, STAFF_SETTINGS, RETENTION)


def _queue(services: Services, periodic: Periodic, run: Run | None) -> None:
    if run is None:
        return
    enqueue_unique(services.redis, periodic.queue, periodic.job, run.job_id, *run.args, at=run.at, **periodic.options)


def schedule_periodic(services: Services, *, sweep_every: int = SWEEP_SECONDS) -> None:
    now = utc_now(services.clock)
    for periodic in PERIODIC:
        _queue(services, periodic, periodic.next_run(services, now, sweep_every))


def schedule_tick(services: Services, after: datetime | None = None) -> datetime:
    """Schedules the digest's first tick after ``after`` (default: now) unless it is scheduled already; its time."""
    run = _digest_tick(services, after or utc_now(services.clock), SWEEP_SECONDS)
    _queue(services, DIGEST_TICK, run)
    return run.at
