from __future__ import annotations

from ..classes import PersonClass
from ..config import SchoolConfig
from ..events import ZoomEvent
from ..roster.model import Roster
from .condition import Condition, Happening, own_time
from .registry import conditions, judging


def evaluate(roster: Roster, config: SchoolConfig, now: int) -> list[Condition]:
    """Every condition that holds now (ms). The rules concern lessons: they apply only while a pupil is present (so
    nothing holds once the meeting has ended)."""
    if roster.count(PersonClass.PUPIL) == 0:
        return []
    return [Condition(rule.id, subject, rule.grace_seconds(config))
            for rule in conditions(config) for subject in rule.holds(roster, config, now)]


def to_judge(event: ZoomEvent, roster: Roster, config: SchoolConfig) -> bool:
    """Whether some rule must judge the event itself (``roster`` as the delivery left it)."""
    return any(rule.judges(event, roster) for rule in judging(config))


def judge(event: ZoomEvent, roster: Roster, config: SchoolConfig) -> list[Happening]:
    """The breaches an event is, judged by the whole roster as applied so far: live, who is present now; delivered
    after the meeting's end, who was present at the event's own time (nothing when that was after the end)."""
    if roster.ended_at is None:
        pupils = roster.count(PersonClass.PUPIL) > 0
    else:
        own = own_time(event)
        if own >= roster.ended_at:
            return []
        pupils = roster.pupils_at(own)
    found = []
    for rule in judging(config):
        if rule.judges(event, roster):
            found += [h if h.at is not None or roster.ended_at is None else _at(h, own_time(event))
                      for h in rule.judge(event, roster, config, pupils)]
    return found


def _at(happening: Happening, at: int) -> Happening:
    return Happening(happening.rule, happening.subject, at, happening.facts)
