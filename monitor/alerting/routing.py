"""Which channels an alert goes to: routes by rule and severity, working hours in the school's time zone."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from ..config import SchoolConfig


def in_working_hours(config: SchoolConfig, moment: datetime) -> bool:
    alerts = config.alerts
    local = moment.astimezone(ZoneInfo(config.school.timezone))
    start, end = (time.fromisoformat(t) for t in alerts.working_hours)
    return local.isoweekday() in alerts.working_days and start <= local.time() < end


def channels_for(config: SchoolConfig, rule: str, severity: str, moment: datetime) -> list[str]:
    """The channels of every route that takes this rule and severity, each once, in the order configured."""
    working = in_working_hours(config, moment)
    chosen: list[str] = []
    for route in config.alerts.routes:
        if ("*" in route.rules or rule in route.rules) and severity in route.severities:
            names = route.channels if working or route.out_of_hours is None else route.out_of_hours
            chosen += [name for name in names if name not in chosen]
    return chosen


def escalation_channels(config: SchoolConfig, rule: str, severity: str) -> list[str]:
    """Where an alert still unacknowledged after escalate_after_minutes goes as well."""
    chosen: list[str] = []
    for route in config.alerts.routes:
        if ("*" in route.rules or rule in route.rules) and severity in route.severities:
            chosen += [name for name in route.escalate_to if name not in chosen]
    return chosen
