"""Every rule in one place: its id, severity, kind, whether it is about staff conduct, its plain words (what an alert
and the staff's pages say) and what evaluates it. The order is the order the rules are evaluated and listed in."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from ..config import SchoolConfig
from ..roster.model import Roster
from .admission import EXTERNAL_PARTICIPANT, external_participant
from .hosting import NON_TEACHER_HOST, non_teacher_host
from .recording import NO_RECORDING, no_recording
from .supervision import FEWER_THAN_TWO_PUPILS, fewer_than_two_pupils

Subjects = Callable[[Roster, SchoolConfig], list[str | None]]
"""A condition rule: the subjects it holds for in the roster as it stands (None: the meeting itself)."""


@dataclass(frozen=True)
class Rule:
    id: str
    holds: Subjects
    severity: Literal["high", "medium", "low"]
    kind: Literal["condition"]  # later also "event" (opens on an event) and "time" (begins and ends with the clock)
    grace: str | None
    """The config [rules] key of the seconds a condition must hold for before it is a breach; None: at once."""
    conduct: bool
    """About a member of staff's conduct (the staff-concern views, the digest) rather than about who got in."""
    headline: str
    clause: str
    """The protocol's words that the rule enforces."""

    def grace_seconds(self, config: SchoolConfig) -> int:
        return getattr(config.rules, self.grace) if self.grace else 0


RULES = (
    Rule(EXTERNAL_PARTICIPANT, external_participant, severity="high", kind="condition", grace=None, conduct=False,
         headline="someone from outside the school joined a lesson with pupils",
         clause="Only school accounts are admitted to live lessons."),
    Rule(FEWER_THAN_TWO_PUPILS, fewer_than_two_pupils, severity="high", kind="condition",
         grace="one_to_one_grace_seconds", conduct=True,
         headline="a pupil was alone with staff on video, outside an approved 1:1",
         clause="No 1:1 video with a pupil except scheduled 1:1 sessions; at least two pupils present."),
    Rule(NON_TEACHER_HOST, non_teacher_host, severity="high", kind="condition", grace="host_grace_seconds",
         conduct=True,
         headline="a lesson with pupils was not hosted by a teacher",
         clause="A Zoom session must be hosted by the teacher."),
    Rule(NO_RECORDING, no_recording, severity="high", kind="condition", grace="recording_grace_seconds",
         conduct=False,
         headline="a lesson with pupils was not being recorded",
         clause="All live sessions must be recorded."),
)

BY_ID = {rule.id: rule for rule in RULES}
RULE_IDS = tuple(BY_ID)
SEVERITY = {rule.id: rule.severity for rule in RULES}
CONDUCT_RULES = frozenset(rule.id for rule in RULES if rule.conduct)
