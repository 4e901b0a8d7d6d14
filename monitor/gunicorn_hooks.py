"""gunicorn's settings for the web app (the Procfile's ``--config python:monitor.gunicorn_hooks``): its
workers count into one directory, PROMETHEUS_MULTIPROC_DIR (a temporary one when it is not set, removed when gunicorn
stops), so that /metrics adds them all up; with MONITOR_METRICS_ADDRESS set, gunicorn's master serves /metrics
there. The app is loaded by each worker after the fork (no ``--preload``), once the directory is set."""
from __future__ import annotations

import os
import shutil
import tempfile

from .metrics.processes import DIRECTORY, process_dead

_made: list[str] = []


def on_starting(server) -> None:
    if os.environ.get(DIRECTORY):
        os.makedirs(os.environ[DIRECTORY], exist_ok=True)
    else:
        _made.append(tempfile.mkdtemp(prefix="monitor-metrics-"))
        os.environ[DIRECTORY] = _made[-1]


def when_ready(server) -> None:
    from .clock import wall_clock
    from .settings import Settings

    settings = Settings()
    if settings.monitor_metrics_address and settings.redis_url:
        from .metrics.exposition import serve_metrics
        from .wiring import connect_redis

        serve_metrics(settings.monitor_metrics_address, connect_redis(settings.redis_url), wall_clock)


def child_exit(server, worker) -> None:
    process_dead(worker.pid)


def on_exit(server) -> None:
    for path in _made:
        shutil.rmtree(path, ignore_errors=True)
