"""The jobs RQ runs. They reach the service's parts through ``current()``, bound once per worker process."""
from __future__ import annotations

import logging

from monitor.services import Services

log = logging.getLogger(__name__)
_services: Services | None = None


def bind(services: Services) -> None:
    global _services
    _services = services


def current() -> Services:
    if _services is None:  # a worker started as plain `rq worker`
        from monitor.app import build_services
        from monitor.settings import Settings

        bind(build_services(Settings()))
    return _services


def fire_due_checks() -> None:
    """Confirms the breach conditions whose grace period has run out (deadlines are kept in Redis)."""
    current().pipeline.fire_due_checks()


def alert_incident(incident_id: int) -> None:
    """Runs once an incident is committed. Alert delivery comes with the alerts feature; for now it is logged."""
    log.info("incident %s opened: alert due", incident_id)
