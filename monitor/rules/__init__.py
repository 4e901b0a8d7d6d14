"""The breach rules (rules.md): pure functions of a roster, the school's config, the time and (for the rules an event
breaks) the event; no I/O. Each rule says what holds or what happened; the checks time it and keep the incidents.

A module per family of rules, and a line per rule in ``registry.py`` (its id, severity, words, functions):

- ``admission.py``, who got in: external_participant
- ``supervision.py``, who is with the pupils: fewer_than_two_pupils, pupils_unsupervised
- ``hosting.py``, how the lesson is hosted and set up: non_teacher_host, join_before_host, personal_meeting_id
- ``recording.py``, whether it is recorded: no_recording
- ``chat.py``, chat in a lesson: private_chat, chat_in_lesson
- ``sharing.py``, who shares their screen: participant_screen_share
- ``hours.py``, when lessons happen: out_of_hours
"""
from __future__ import annotations

from ..rule_ids import *  # noqa: F403  (the rule ids)
from ..rule_ids import RULE_IDS
from .admission import late_external_participant
from .condition import Condition, Happening
from .evaluation import evaluate, judge, to_judge
from .registry import (
    BY_ID,
    CHAINED,
    CONDUCT_OF_SUBJECT,
    CONDUCT_RULES,
    LATCHED,
    RULES,
    SEVERITY,
    Rule,
    active,
    is_conduct,
    whose_conduct,
)

__all__ = ["BY_ID", "CHAINED", "CONDUCT_OF_SUBJECT", "CONDUCT_RULES", "LATCHED", "RULES", "RULE_IDS", "SEVERITY",
           "Condition", "Happening", "Rule", "active", "evaluate", "is_conduct", "judge", "late_external_participant",
           "to_judge", "whose_conduct"]
