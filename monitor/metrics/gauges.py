"""The gauges, read from Redis when /metrics is scraped, so that every process reports the same: live meetings and
their participants, the timed checks waiting and overdue, RQ's queues and failed jobs."""
from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry

from .. import keys
from ..background import QUEUES
from ..clock import Clock
from ..roster.store import RosterStore


class RedisGauges(Collector):
    def __init__(self, redis: Redis, clock: Clock):
        self.redis = redis
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            found = list(self._read())
        except RedisError:
            found = []
        yield GaugeMetricFamily("monitor_redis_up", "1 when Redis answered this scrape, else 0 (and no other gauge)",
                                value=1 if found else 0)
        yield from found

    def _read(self) -> Iterator[GaugeMetricFamily]:
        now_ms = int(self.clock() * 1000)
        uuids = RosterStore(self.redis).meeting_uuids()
        pipe = self.redis.pipeline(transaction=False)
        for uuid in uuids:
            pipe.hexists(keys.meeting(uuid), "ended_at")
            pipe.hvals(keys.present(uuid))
        pipe.zcard(keys.DEADLINES)
        pipe.zcount(keys.DEADLINES, "-inf", f"({now_ms}")
        pipe.zrange(keys.DEADLINES, 0, 0, withscores=True)
        for name in QUEUES:
            pipe.llen(Queue(name, connection=self.redis).key)
            pipe.zcard(FailedJobRegistry(name, connection=self.redis).key)
        replies = pipe.execute()
        meetings, replies = replies[:2 * len(uuids)], replies[2 * len(uuids):]
        live = [present for ended, present in zip(meetings[::2], meetings[1::2]) if not ended]
        yield GaugeMetricFamily("monitor_live_meetings", "Meetings under way (started, not ended)", value=len(live))
        yield GaugeMetricFamily("monitor_live_participants", "People present in the meetings under way",
                                value=sum(len(set(present)) for present in live))
        pending, overdue, first = replies[:3]
        yield GaugeMetricFamily("monitor_checks_pending", "Timed checks waiting for their grace period to end (one "
                                "whose condition cleared meanwhile is dropped when it comes due)",
                                value=pending)
        yield GaugeMetricFamily("monitor_checks_overdue", "Timed checks whose grace period has ended and that no "
                                "worker has run yet", value=overdue)
        late = (now_ms - first[0][1]) / 1000 if first else 0
        yield GaugeMetricFamily("monitor_checks_overdue_seconds", "How long ago the oldest waiting check came due "
                                "(0: none is due)", value=max(late, 0))
        queued = GaugeMetricFamily("monitor_rq_queued_jobs", "Jobs waiting in an RQ queue", labels=["queue"])
        failed = GaugeMetricFamily("monitor_rq_failed_jobs", "Jobs in an RQ queue's failed registry (failed after "
                                   "their retries, kept a week)", labels=["queue"])
        for name, length, failures in zip(QUEUES, replies[3::2], replies[4::2]):
            queued.add_metric([name], length)
            failed.add_metric([name], failures)
        yield queued
        yield failed
