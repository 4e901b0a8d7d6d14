"""GET /metrics: on the web app behind the API's bearer token, or, with MONITOR_METRICS_ADDRESS set, on a listener
of its own at that address without a token (the web app's /metrics is then not found)."""
from __future__ import annotations

import logging
import sys
from wsgiref.simple_server import WSGIServer

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.exposition import choose_encoder
from redis import Redis

from ..api import bearer_required
from ..clock import Clock
from ..config import ConfigError
from . import instruments
from .gauges import RedisGauges
from .processes import files_collector, shared_directory

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)
REGISTRY_KEY = "monitor.metrics"


def scrape_registry(redis: Redis, clock: Clock) -> CollectorRegistry:
    """What a scrape shows: the counters of every process sharing PROMETHEUS_MULTIPROC_DIR (else this process's),
    and the gauges read from Redis then."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(files_collector() if shared_directory() else instruments.REGISTRY)
    registry.register(RedisGauges(redis, clock))
    return registry


@bp.get("/metrics")
@bearer_required
def metrics():
    """In the format the scraper asks for (Accept), as prometheus_client's own listener answers."""
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encode(current_app.extensions[REGISTRY_KEY]), content_type=content_type)


def init_app(app: Flask) -> None:
    services = app.extensions["monitor"]
    if "gunicorn.arbiter" in sys.modules and shared_directory() is None:
        log.warning("PROMETHEUS_MULTIPROC_DIR is not set: each gunicorn worker counts alone; start gunicorn with "
                    "--config python:monitor.gunicorn_hooks, as the Procfile does")
    if services.metrics_address:  # served by a listener of its own
        return
    app.extensions[REGISTRY_KEY] = scrape_registry(services.redis, services.clock)
    app.register_blueprint(bp)


def listen_address(address: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:9108`` for IPv6) as a host and a port; ConfigError naming the variable otherwise."""
    host, _, port = address.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"MONITOR_METRICS_ADDRESS must be HOST:PORT, e.g. 127.0.0.1:9108, not {address!r}")
    return host, int(port)


def serve_metrics(address: str, redis: Redis, clock: Clock) -> WSGIServer | None:
    """Serves /metrics at ``address`` from a thread of this process, without a token; None (logged) when the
    address is taken, e.g. by another of the monitor's processes on this machine, which then serves them."""
    host, port = listen_address(address)
    try:
        server, _thread = start_http_server(port, host, registry=scrape_registry(redis, clock))
    except OSError as exc:
        log.error("metrics not served at %s: %s", address, exc.strerror or exc)
        return None
    log.info("metrics served at http://%s/metrics", address)
    return server
