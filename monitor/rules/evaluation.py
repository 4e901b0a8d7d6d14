from __future__ import annotations

from ..classes import PersonClass
from ..config import SchoolConfig
from ..roster.model import Roster
from .condition import Condition
from .registry import RULES

CONDITION_RULES = tuple(rule for rule in RULES if rule.kind == "condition")


def evaluate(roster: Roster, config: SchoolConfig) -> list[Condition]:
    """Every condition that holds now. The rules concern lessons: they apply only while a pupil is present (so
    nothing holds once the meeting has ended)."""
    if roster.count(PersonClass.PUPIL) == 0:
        return []
    return [Condition(rule.id, subject, rule.grace_seconds(config))
            for rule in CONDITION_RULES for subject in rule.holds(roster, config)]
