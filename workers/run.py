"""RQ workers: ``monitor worker`` in production, and a thread inside ``monitor serve`` on embedded defaults."""
from __future__ import annotations

import logging
import threading

from redis.exceptions import RedisError
from rq import Queue, SimpleWorker, Worker
from rq.job import Job
from rq.timeouts import TimerDeathPenalty

from monitor.background import QUEUES
from monitor.config import ConfigError
from monitor.metrics.exposition import serve_metrics
from monitor.metrics.processes import fold_dead
from monitor.services import Services
from monitor.settings import Settings
from monitor.wiring import build_services

from . import jobs
from .periodic import schedule_periodic

log = logging.getLogger(__name__)


def run_worker(settings: Settings) -> None:
    """A forking RQ worker with its scheduler, on the Redis server the web app uses."""
    if not settings.redis_url:
        raise ConfigError("environment variable REDIS_URL is not set: a worker needs the Redis server the web app uses")
    services = build_services(settings)
    if services.metrics_address:
        serve_metrics(services.metrics_address, services.redis, services.clock)
    jobs.bind(services)
    services.pipeline.sweep()  # deadlines that passed while no worker ran, alerts never queued
    schedule_periodic(services)
    forking_worker(settings, services).work(with_scheduler=True)


def forking_worker(settings: Settings, services: Services) -> Worker:
    """A job whose worker and work horse were both killed is retried once its heartbeat has lapsed (by default 60 s
    past the last one, sent every 5 s) and a worker next cleans up (every 15 s, while idle too), 10 s later."""
    queues = [Queue(name, connection=services.redis) for name in QUEUES]
    maintenance = settings.monitor_worker_maintenance_seconds
    worker = MonitorWorker(queues, connection=services.redis, worker_ttl=maintenance + 15,
                           maintenance_interval=maintenance,
                           job_monitoring_interval=settings.monitor_worker_heartbeat_seconds)
    worker.heartbeat_grace = settings.monitor_worker_heartbeat_grace_seconds
    return worker


class MonitorWorker(Worker):
    """RQ's forking worker, which also queues the periodic jobs at each maintenance pass (so due checks and unqueued
    alerts are swept even when nothing else happens), in which how long a job's heartbeat outlives the last one is
    settable (RQ fixes it at 60 s), and which keeps the metrics of each work horse.

    An idle worker waits for a job worker_ttl - 15 s at a time, and cleans up only between waits: worker_ttl is the
    maintenance interval plus 15."""

    heartbeat_grace = 60
    _horse = 0

    def fork_work_horse(self, job: Job, queue: Queue) -> None:
        super().fork_work_horse(job, queue)  # returns in this process only: the horse exits when its job is done
        self._horse = self._horse_pid

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Once the horse has exited, its metrics are folded into this process's (README, Metrics)."""
        super().execute_job(job, queue)
        try:
            fold_dead(self._horse)
        except Exception:  # the counts of one job are not worth a worker
            log.exception("the metrics of work horse %s could not be folded", self._horse)

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        try:
            schedule_periodic(jobs.current(), sweep_every=self.maintenance_interval)
        except RedisError as exc:
            log.error("the periodic jobs could not be queued: %s", type(exc).__name__)

    def get_heartbeat_ttl(self, job: Job) -> int:
        beat = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            beat = min(job.timeout - self.current_job_working_time, beat)
        return int(beat) + self.heartbeat_grace


class _ThreadWorker(SimpleWorker):
    """Runs jobs in this process, off the main thread (no signals there: timeouts by timer)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


def start_embedded_worker(services: Services, interval: float = 1.0) -> threading.Event:
    """Runs queued and due scheduled jobs every ``interval`` seconds in a thread; set the returned event to stop.

    The in-process Redis stand-in cannot be shared with forked processes, so RQ's scheduler runs inline here.
    """
    jobs.bind(services)
    schedule_periodic(services)
    stop = threading.Event()
    queues = [Queue(name, connection=services.redis) for name in QUEUES]

    def loop() -> None:
        worker = _ThreadWorker(queues, connection=services.redis)
        while not stop.is_set():
            try:
                schedule_periodic(services)
                worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
            except Exception:  # keep the service's worker alive; the job's failure is in RQ's registry
                log.exception("embedded worker pass failed")
            stop.wait(interval)

    threading.Thread(target=loop, name="monitor-worker", daemon=True).start()
    return stop
