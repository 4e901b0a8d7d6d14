"""``monitor worker``: an RQ worker on the monitor's queues, with RQ's scheduler for delayed and retried jobs."""
from __future__ import annotations

from redis import Redis
from rq import Queue, Worker

from monitor.config import ConfigError
from monitor.settings import Settings

QUEUES = ("alerts", "default")


def run_worker(settings: Settings) -> None:
    if not settings.redis_url:
        raise ConfigError("environment variable REDIS_URL is not set: a worker needs the Redis server the web app uses")
    redis = Redis.from_url(settings.redis_url)
    queues = [Queue(name, connection=redis) for name in QUEUES]
    # A short worker TTL lets a replacement worker retry the jobs of one that was killed within minutes.
    Worker(queues, connection=redis, worker_ttl=60, maintenance_interval=60).work(with_scheduler=True)
