"""Builds the services from the environment: one place for the web app, the workers and the command line."""
from __future__ import annotations

import logging
import secrets

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from .alerting.channels import check_environment
from .clock import Clock, wall_clock
from .config import ConfigError, load_config
from .db import connect_database
from .metrics.exposition import listen_address
from .migrations import require_current
from .migrations import upgrade as upgrade_schema
from .services import Services
from .settings import Settings
from .zoom_api import ZoomApi, ZoomCredentials

log = logging.getLogger(__name__)


def embedded_redis() -> Redis:
    """The in-process Redis stand-in: shared by every thread of this process, gone when it exits."""
    import fakeredis  # only here: with its Lua runtime it loads numpy, which production workers do without

    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


def connect_redis(url: str) -> Redis:
    """Fails fast: a delivery must be answered, with 503 at worst, well inside Zoom's 3-second deadline."""
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1,
                          retry=Retry(ExponentialBackoff(cap=0.1, base=0.02), 1))


def _secret(value, name: str, embedded: bool) -> str:
    if value is not None and value.get_secret_value():
        return value.get_secret_value()
    if not embedded:
        raise ConfigError(f"environment variable {name} is not set")
    generated = secrets.token_urlsafe(24)
    log.warning("%s is not set: this run uses a one-off value: %s", name, generated)
    return generated


def build_services(settings: Settings, *, embedded_ok: bool = False, upgrade: bool = False,
                   redis: Redis | None = None, clock: Clock = wall_clock) -> Services:
    """Everything the service needs, from the environment; raises ConfigError naming what is wrong.

    Without REDIS_URL only a single-process run (``embedded_ok``) may use the in-process Redis stand-in: gunicorn's
    worker processes would each get a private one. Only ``upgrade`` migrates the database (`monitor serve`, which no
    release step precedes); otherwise its schema must be current (`monitor db upgrade` is the release step).
    """
    embedded = settings.embedded
    if embedded and redis is None and not embedded_ok:
        raise ConfigError("environment variable REDIS_URL is not set (only `monitor serve` runs without Redis)")
    config = load_config(settings.monitor_config)
    check_environment(config)
    if settings.monitor_metrics_address:
        listen_address(settings.monitor_metrics_address)
    if redis is None:
        redis = embedded_redis() if embedded else connect_redis(settings.redis_url)
    database = connect_database(settings)
    if upgrade:
        log.info("%s", upgrade_schema(database))
    else:
        require_current(database)
    zoom = ZoomApi(ZoomCredentials.from_settings(settings), redis, clock=clock,
                   max_requests_per_second=config.zoom_api.max_requests_per_second) if config.zoom_api.enabled else None
    return Services(
        config=config,
        zoom=zoom,
        redis=redis,
        database=database,
        webhook_secret=_secret(settings.zoom_webhook_secret_token, "ZOOM_WEBHOOK_SECRET_TOKEN", embedded),
        api_token=_secret(settings.monitor_api_token, "MONITOR_API_TOKEN", embedded),
        secret_key=_secret(settings.monitor_secret_key, "MONITOR_SECRET_KEY", True) if embedded else
        (settings.monitor_secret_key.get_secret_value() if settings.monitor_secret_key else ""),
        secure_cookies=not embedded,
        clock=clock,
        metrics_address=settings.monitor_metrics_address or None,
    )
