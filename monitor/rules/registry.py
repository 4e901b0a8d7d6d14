"""Every rule in one place: its id, severity, grace, whether it is about staff conduct, its plain words (what an
alert and the staff's pages say) and what evaluates it. The order is the order the rules are evaluated and listed in.

A rule is a condition (``holds``: the subjects it holds for in the roster as it stands, at a moment; the checks time
it and see it clear), an event (``judge``: the breaches one event is; nothing to clear), or both.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Literal

from .. import rule_ids as ids
from ..classes import STAFF_CLASSES
from ..config import SchoolConfig
from ..events import ChatEvent, ZoomEvent
from ..roster.model import Roster
from .admission import external_participant
from .chat import chat_in_lesson, private_chat
from .condition import Happening
from .hosting import (
    first_seen_on_personal_meeting_id,
    join_before_host,
    join_before_host_after_end,
    non_teacher_host,
    personal_meeting_id,
    personal_meeting_id_first_seen,
)
from .hours import out_of_hours
from .recording import no_recording
from .sharing import STARTED, participant_screen_share
from .supervision import fewer_than_two_pupils, pupils_unsupervised

Severity = Literal["high", "medium", "low"]
Holds = Callable[[Roster, SchoolConfig, int], list[str | None]]
"""(roster, config, now in ms) -> the subjects the condition holds for (None: the meeting itself)."""
Judge = Callable[[ZoomEvent, Roster, SchoolConfig, bool], list[Happening]]
"""(event, the whole roster as applied so far, config, whether a pupil is there) -> the breaches the event is."""
Judges = Callable[[ZoomEvent, Roster], bool]
"""(event, the roster as the delivery left it) -> whether the rule's judge must look at the event."""


def _chat(event: ZoomEvent, roster: Roster) -> bool:
    return isinstance(event, ChatEvent)


def _kind(kind: str) -> Judges:
    return lambda event, roster: event.event == kind


def sentence(words: str) -> str:
    """``words`` with a capital first letter; unlike str.capitalize, the rest is left as it is."""
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    grace: str | None
    """The config [rules] key of the seconds a condition must hold for before it is a breach; None: at once."""
    conduct: bool
    """About a member of staff's conduct (the staff-concern views, the digest) rather than about who got in."""
    label: str
    """A short name, for tables (the digest's)."""
    headline: str
    clause: str
    """The protocol's words that the rule enforces."""
    holds: Holds | None = None
    judge: Judge | None = None
    judges: Judges | None = None
    clears: bool = True
    """False: once confirmed, the condition stays open until the meeting is forgotten (nothing to clear)."""
    chains: bool = False
    """True: when the condition passes from one subject to another it goes on from when it began (a lesson's host,
    from one non-teacher to another: the grace does not restart)."""
    conduct_of: Literal["host", "subject"] = "host"
    """Whose conduct a conduct rule's incident is about: the lesson's host, or its subject (then it is a matter of
    conduct only when the subject is a member of staff)."""

    @property
    def sentence(self) -> str:
        """The headline starting a sentence: its first letter a capital, the rest as written (Personal Meeting ID)."""
        return sentence(self.headline)

    @property
    def happens(self) -> bool:
        """Only events break it: each is an occurrence of the incident, and there is nothing to clear."""
        return self.holds is None

    @property
    def settles(self) -> bool:
        """Its incidents can clear."""
        return self.clears and not self.happens

    def grace_seconds(self, config: SchoolConfig) -> int:
        return getattr(config.rules, self.grace) if self.grace else 0

    def severity_for(self, config: SchoolConfig) -> Severity:
        return config.rules.severity.get(self.id, self.severity)


RULES = (
    Rule(ids.EXTERNAL_PARTICIPANT, "high", None, conduct=False, holds=external_participant,
         label="Someone from outside the school",
         headline="someone from outside the school joined a lesson with pupils",
         clause="Only school accounts are admitted to live lessons."),
    Rule(ids.FEWER_THAN_TWO_PUPILS, "high", "one_to_one_grace_seconds", conduct=True, holds=fewer_than_two_pupils,
         label="Fewer than two pupils",
         headline="a pupil was alone with staff on video, outside an approved 1:1",
         clause="No 1:1 video with a pupil except scheduled 1:1 sessions; at least two pupils present."),
    Rule(ids.NON_TEACHER_HOST, "high", "host_grace_seconds", conduct=True, holds=non_teacher_host, chains=True,
         label="Not hosted by a teacher",
         headline="a lesson with pupils was not hosted by a teacher",
         clause="A Zoom session must be hosted by the teacher."),
    Rule(ids.NO_RECORDING, "high", "recording_grace_seconds", conduct=False, holds=no_recording,
         label="Not recorded",
         headline="a lesson with pupils was not being recorded",
         clause="All live sessions must be recorded."),
    Rule(ids.PUPILS_UNSUPERVISED, "high", "unsupervised_grace_seconds", conduct=True, holds=pupils_unsupervised,
         label="Pupils without staff",
         headline="pupils were in a lesson with no member of staff",
         clause="A Zoom session must be hosted by the teacher; pupils are not left in a session without staff."),
    Rule(ids.PRIVATE_CHAT, "high", None, conduct=True, conduct_of="subject", judge=private_chat, judges=_chat,
         label="Private chat with a pupil",
         headline="an adult and a pupil chatted privately in a lesson",
         clause="All chat functions should be off; conduct sessions as you would a normal lesson."),
    Rule(ids.CHAT_IN_LESSON, "medium", None, conduct=False, judge=chat_in_lesson, judges=_chat,
         label="Chat or files in a lesson",
         headline="chat or file transfer was used in a lesson with pupils",
         clause="All chat functions should be off. File transfer should be off."),
    Rule(ids.PARTICIPANT_SCREEN_SHARE, "medium", None, conduct=False, judge=participant_screen_share,
         judges=_kind(STARTED),
         label="Screen shared by non-staff",
         headline="someone other than staff shared their screen in a lesson with pupils",
         clause="Screen sharing must be off; disable desktop/screen share for users."),
    Rule(ids.JOIN_BEFORE_HOST, "medium", None, conduct=True, holds=join_before_host, clears=False,
         judge=join_before_host_after_end, judges=_kind("meeting.participant_jbh_joined"),
         label="Joined before the host",
         headline="participants joined a lesson with pupils before the host",
         clause="Join before host should be off."),
    Rule(ids.PERSONAL_MEETING_ID, "medium", None, conduct=True, holds=personal_meeting_id,
         judge=personal_meeting_id_first_seen, judges=first_seen_on_personal_meeting_id,
         label="On a Personal Meeting ID",
         headline="a lesson with pupils was held on a teacher's Personal Meeting ID",
         clause="Both Use Personal Meeting ID settings should be off."),
    Rule(ids.OUT_OF_HOURS, "medium", "out_of_hours_grace_seconds", conduct=True, holds=out_of_hours,
         label="Outside lesson hours",
         headline="a lesson with pupils ran outside the school's lesson hours",
         clause="Do not post on any online provision after 18:00 or before 07:00."),
)

BY_ID = {rule.id: rule for rule in RULES}
assert tuple(BY_ID) == ids.RULE_IDS, "the registry lists every rule id once, in order"
RULE_IDS = ids.RULE_IDS
SEVERITY = {rule.id: rule.severity for rule in RULES}
"""The default severities (rules.md); a school's config may change them (``Rule.severity_for``)."""
CONDUCT_RULES = frozenset(rule.id for rule in RULES if rule.conduct)
"""private_chat is conduct only when the adult is a member of staff (``is_conduct``)."""
CONDUCT_OF_SUBJECT = frozenset(rule.id for rule in RULES if rule.conduct and rule.conduct_of == "subject")
"""The conduct rules whose incidents are about their subject, and are conduct only when the subject is staff."""
LATCHED = frozenset(rule.id for rule in RULES if not rule.clears)
CHAINED = frozenset(rule.id for rule in RULES if rule.chains)


def is_conduct(rule: str, subject_class: str | None) -> bool:
    """Whether an incident of this rule, about a subject of this class, is about a member of staff's conduct."""
    return rule in CONDUCT_RULES and (rule not in CONDUCT_OF_SUBJECT or subject_class in STAFF_CLASSES)


Person = tuple[str | None, str | None]
"""(e-mail, class)"""


def whose_conduct(rule: str, host: Person, subject: Person) -> Person:
    """The person whose conduct a conduct incident is about: the lesson's host, or the incident's subject for a rule
    about its subject (private_chat: the member of staff who chatted)."""
    return subject if rule in CONDUCT_OF_SUBJECT else host


def active(config: SchoolConfig) -> tuple[Rule, ...]:
    """The rules the school has not turned off."""
    return _active(tuple(config.rules.disabled))[0]


def conditions(config: SchoolConfig) -> tuple[Rule, ...]:
    """The rules turned on that hold in a roster."""
    return _active(tuple(config.rules.disabled))[1]


def judging(config: SchoolConfig) -> tuple[Rule, ...]:
    """The rules turned on that judge an event."""
    return _active(tuple(config.rules.disabled))[2]


@lru_cache(maxsize=8)
def _active(disabled: tuple[str, ...]) -> tuple[tuple[Rule, ...], ...]:
    on = tuple(rule for rule in RULES if rule.id not in disabled)
    return on, tuple(rule for rule in on if rule.holds), tuple(rule for rule in on if rule.judge)
