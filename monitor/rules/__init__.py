"""The breach rules (rules.md, The rules): pure functions of a roster and the school's config, no I/O. Each rule
says what holds in the roster as it stands; the checks time it.

A module per family of rules, and a line per rule in ``registry.py`` (its id, severity, kind, words, function):

- ``admission.py``, who got in: external_participant
- ``supervision.py``, who is with the pupils: fewer_than_two_pupils; next pupils_unsupervised
- ``hosting.py``, how the lesson is hosted and set up: non_teacher_host; next join_before_host, personal_meeting_id
- ``recording.py``, whether it is recorded: no_recording
- next ``chat.py``, chat in a lesson: private_chat, chat_in_lesson
- next ``sharing.py``, who shares their screen: participant_screen_share
- next ``hours.py``, when lessons happen: out_of_hours
"""
from __future__ import annotations

from .admission import EXTERNAL_PARTICIPANT, late_external_participant
from .condition import Condition
from .evaluation import evaluate
from .hosting import NON_TEACHER_HOST
from .recording import NO_RECORDING
from .registry import BY_ID, CONDUCT_RULES, RULE_IDS, RULES, SEVERITY, Rule
from .supervision import FEWER_THAN_TWO_PUPILS

__all__ = ["BY_ID", "CONDUCT_RULES", "EXTERNAL_PARTICIPANT", "FEWER_THAN_TWO_PUPILS", "NON_TEACHER_HOST",
           "NO_RECORDING", "RULES", "RULE_IDS", "SEVERITY", "Condition", "Rule", "evaluate",
           "late_external_participant"]
