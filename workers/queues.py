"""The RQ queues (alert work, the timed checks and the sweep, the weekly digest's hourly tick), and the one way the
monitor queues a job: once for its id."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

ALERTS, CHECKS, DIGESTS = "alerts", "checks", "digest"
QUEUES = (ALERTS, CHECKS, DIGESTS)

RETRIES = Retry(max=3, interval=[10, 60, 300])
"""A failed alert job is tried again after 10 s, 1 min and 5 min, then stays in RQ's failed registry."""


def enqueue_unique(redis: Redis, queue: str, func: Callable, job_id: str, *args, at: datetime | None = None,
                   **options) -> bool:
    """Queues ``func(*args)`` as the job ``job_id``, to run at once or ``at`` that time, unless a job of that id is
    queued, scheduled or running already; True when it queued it. ``options`` are RQ's (retry, failure_ttl, ...)."""
    q = Queue(queue, connection=redis)
    try:
        if at is None:
            q.enqueue(func, *args, job_id=job_id, unique=True, **options)
        else:
            q.schedule_job(q.create_job(func, args=args, job_id=job_id, **options), at, unique=True)
    except DuplicateJobError:
        return False
    return True
