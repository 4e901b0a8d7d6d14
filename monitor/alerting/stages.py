"""The stages that hold incidents back from their group's alert, in order. Each stage has a name, the alert_state it
gives the incidents it holds (nothing is sent for them), and a function choosing them among those still due."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..rules import EXTERNAL_PARTICIPANT, NON_TEACHER_HOST
from .records import AlertIncident

if TYPE_CHECKING:
    from .service import Alerting

log = logging.getLogger(__name__)
INHIBITING = frozenset({NON_TEACHER_HOST})
"""Meeting-level breaches: while one is alerted and uncleared, per-participant ones of the meeting are held back."""
INHIBITED = frozenset({EXTERNAL_PARTICIPANT})


@dataclass(frozen=True)
class Stage:
    name: str
    """The alert_state it gives the incidents it holds."""
    holds: Callable[[Alerting, list[AlertIncident], datetime], list[AlertIncident]]


def cleared(alerting: Alerting, due: list[AlertIncident], now: datetime) -> list[AlertIncident]:
    """Incidents that cleared within the group wait."""
    wait = timedelta(seconds=alerting.config.alerts.group_wait_seconds)
    return [i for i in due if i.cleared_at and i.cleared_at <= i.opened_at + wait]


def silenced(alerting: Alerting, due: list[AlertIncident], now: datetime) -> list[AlertIncident]:
    silences = alerting.store.silences(active_at=now)
    return [i for i in due if any(silence.matches(i) for silence in silences)]


def inhibited(alerting: Alerting, due: list[AlertIncident], now: datetime) -> list[AlertIncident]:
    """Per-participant incidents held back while a meeting-level one of the same meeting is alerted and uncleared:
    that alert already sends the DSL to the meeting."""
    lessons = {i.meeting_uuid for i in due if i.rule in INHIBITED}
    standing = {uuid for uuid in lessons if alerting.store.alert_stands(uuid, INHIBITING)}
    return [i for i in due if i.rule in INHIBITED and i.meeting_uuid in standing]


STAGES = (Stage("cleared", cleared), Stage("silenced", silenced), Stage("inhibited", inhibited))


def hold_back(alerting: Alerting, due: list[AlertIncident], now: datetime) -> list[AlertIncident]:
    """Applies the stages in order, settling what each holds; returns the incidents none of them held."""
    for stage in STAGES:
        held = stage.holds(alerting, due, now) if due else []
        if held:
            alerting.store.settle([i.id for i in held], stage.name)
            log.info("incidents %s %s: no alert", [i.id for i in held], stage.name)
            due = [i for i in due if i not in held]
    return due
