"""Work the monitor hands to the RQ workers: the queues, the jobs by name, and the one way to queue a job (once for
its id). Jobs are named, never imported: workers/ imports the monitor, the monitor imports nothing of workers/."""
from __future__ import annotations

from datetime import datetime, timezone

from redis import Redis
from rq import Callback, Queue, Retry
from rq.exceptions import DuplicateJobError

from .clock import Clock, utc_now
from .incidents.store import IncidentStore

ALERTS, CHECKS, DIGESTS, ZOOM = "alerts", "checks", "digest", "zoom"
QUEUES = (ALERTS, CHECKS, DIGESTS, ZOOM)
"""In the order a worker takes jobs: an alert first; reading Zoom's API (at its rate limit) last."""

RETRIES = Retry(max=3, interval=[10, 60, 300])
"""A failed alert job (or read of Zoom's API) is tried again after 10 s, 1 min and 5 min, then stays in RQ's failed
registry: a minute's outage at Zoom loses nothing."""
KEEP_FAILED_SECONDS = 7 * 86400
"""How long a job that failed for good stays in RQ's failed registry, for whoever looks into it."""
JOBS = "workers.jobs"
"""The module of the job functions (thin: each calls the monitor)."""


def job(name: str) -> str:
    """A job's dotted name, as RQ imports it in the worker."""
    return f"{JOBS}.{name}"


def callback(name: str) -> Callback:
    return Callback(job(name))


def enqueue_unique(redis: Redis, queue: str, name: str, job_id: str, *args, at: datetime | None = None,
                   **options) -> bool:
    """Queues the job ``name`` (a function of workers.jobs) with ``args`` as the job ``job_id``, to run at once or
    ``at`` that time, unless a job of that id is queued, scheduled or running already; True when it queued it.
    ``options`` are RQ's (retry, failure_ttl, ...)."""
    q = Queue(queue, connection=redis)
    try:
        if at is None:
            q.enqueue(job(name), *args, job_id=job_id, unique=True, **options)
        else:
            q.schedule_job(q.create_job(job(name), args=args, job_id=job_id, **options), at, unique=True)
    except DuplicateJobError:
        return False
    return True


class RQNotifier:
    """Hands the checks' follow-ups to RQ: an alert job per opened incident, a scheduled job per check deadline."""

    def __init__(self, redis: Redis, incidents: IncidentStore, clock: Clock):
        self.redis = redis
        self.incidents = incidents
        self.clock = clock

    def incident_opened(self, incident_id: int) -> None:
        """Called after the incident is committed; the job id makes a second call a no-op."""
        enqueue_unique(self.redis, ALERTS, "alert_incident", f"incident-{incident_id}-opened", incident_id,
                       retry=RETRIES, failure_ttl=KEEP_FAILED_SECONDS)
        self.incidents.mark_alert_enqueued(incident_id, utc_now(self.clock))

    def check_due_at(self, deadline_ms: int) -> None:
        """Schedules a sweep just after the deadline (RQ's scheduler works in whole seconds); one job a second."""
        second = deadline_ms // 1000 + 1
        enqueue_unique(self.redis, CHECKS, "fire_due_checks", f"checks-due-{second}",
                       at=datetime.fromtimestamp(second, timezone.utc), result_ttl=600)
