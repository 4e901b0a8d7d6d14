"""What an alert says: what happened, in which lesson (or lessons), the rule in plain words, and a link to the queue.
Never a pupil's name or e-mail, nor anyone else's: the incident queue, behind sign-in, has the detail.

Its kinds read differently at a glance: a first alert; another breach in a lesson already alerted; one rule broken in
several lessons at once (a storm: one alert listing them); a reminder ("Reminder 2: ...") and an escalation
("Escalated: not acknowledged for 15 min"), each saying what is new since the first alert."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from ..config import SchoolConfig
from ..rules import BY_ID
from .message import AlertMessage, LessonLine
from .records import AlertIncident

SEVERITIES = ["high", "medium", "low"]
TO_DO = "Open the incident queue to review and acknowledge it."


@dataclass(frozen=True)
class Telling:
    """What an alert says beyond its incidents: its kind, and for a follow-up, what has happened since the first."""
    kind: str = "first"
    """first, repeat or escalation."""
    round: int = 0
    """A repeat's number: 1 for the first reminder."""
    again: bool = False
    """A first alert about a lesson that an earlier alert was about already."""
    first_at: datetime | None = None
    """A follow-up's first alert: when it was sent, how many incidents it carried, how long ago."""
    first_count: int = 0
    waited_minutes: int = 0
    occurrences_since: int = 0
    """How often the breaches happened again since the first alert."""


def alert_message(config: SchoolConfig, incidents: Sequence[AlertIncident], key: str,
                  telling: Telling = Telling()) -> AlertMessage:
    """One alert for its incidents (the first is the one it leads with): of one lesson, or of one rule in several."""
    several = len({i.meeting_uuid for i in incidents}) > 1
    title, text, facts, link, listed = (_storm if several else _one_lesson)(config, incidents, telling)
    waited = f"not acknowledged for {telling.waited_minutes} min" if telling.waited_minutes else \
        "not acknowledged for under a minute"
    if telling.kind == "repeat":
        title, text = f"Reminder {telling.round}: {title}", \
            f"Reminder {telling.round}: {waited}. {_since(config, incidents, telling)} {text}"
    elif telling.kind == "escalation":
        title, text = f"Escalated: {waited} ({title})", \
            f"Escalated: {waited}. {_since(config, incidents, telling)} {text}"
    return AlertMessage(title=title, text=text, facts=tuple(facts), link=link, severity=_severity(incidents), key=key,
                        lessons=tuple(listed))


def _one_lesson(config: SchoolConfig, incidents: Sequence[AlertIncident], telling: Telling):
    first = incidents[0]
    lesson = _lesson(first)
    rules = list(dict.fromkeys(i.rule for i in incidents))
    base = config.alerts.base_url.rstrip("/")
    link = f"{base}/incidents/{first.id}" if len(incidents) == 1 else \
        f"{base}/incidents?meeting_uuid={quote(first.meeting_uuid, safe='')}"
    facts = [("Lesson", lesson), ("Meeting ID", first.meeting_id or "-"), ("When", _local(config, first.began_at)),
             ("Severity", _severity(incidents))]
    facts += [("Breach", f"{BY_ID[rule].sentence}. {BY_ID[rule].clause}") for rule in rules]
    if len(incidents) > 1:
        facts.append(("Incidents", str(len(incidents))))
    others = f" (and {len(rules) - 1} other breach{'es' if len(rules) > 2 else ''})" if len(rules) > 1 else ""
    what = f"{lesson}, {BY_ID[rules[0]].headline}{others}."
    if telling.again and telling.kind == "first":
        title, text = f"Safeguarding alert: another breach in {lesson}", f"Another breach in the same lesson: in {what}"
    else:
        title, text = f"Safeguarding alert: {lesson}", f"In {what}"
    return title, f"{text} {TO_DO}", facts, link, ()


def _storm(config: SchoolConfig, incidents: Sequence[AlertIncident], telling: Telling):
    """One rule broken in several lessons at once: one alert listing the lessons, each its own incident."""
    rule = BY_ID[incidents[0].rule]
    base = config.alerts.base_url.rstrip("/")
    by_lesson: dict[str, list[AlertIncident]] = {}
    for incident in sorted(incidents, key=lambda i: (i.began_at, _lesson(i))):
        by_lesson.setdefault(incident.meeting_uuid, []).append(incident)
    listed = [LessonLine(lesson=_lesson(found[0]), meeting_id=found[0].meeting_id or "-",
                         when=_local(config, found[0].began_at, "%H:%M"), link=_link(base, found))
              for found in by_lesson.values()]
    began = [i.began_at for i in incidents]
    since = min(began)
    link = f"{base}/incidents?" + urlencode({"rule": rule.id, "since": _local(config, since, "%Y-%m-%d")})
    until = _local(config, max(began), "%H:%M")
    when = _local(config, since) + ("" if until == _local(config, since, "%H:%M") else f" to {until}")
    facts = [("Breach", f"{rule.sentence}. {rule.clause}"), ("Lessons", str(len(listed))), ("When", when),
             ("Severity", _severity(incidents))]
    title = f"Safeguarding alert: {len(listed)} lessons, {rule.label.lower()}"
    text = (f"The same breach in {len(listed)} lessons at once: {rule.headline}. Each lesson is its own incident in "
            "the queue: open the list to review and acknowledge them.")
    return title, text, facts, link, listed


def _since(config: SchoolConfig, incidents: Sequence[AlertIncident], telling: Telling) -> str:
    """What is new since the first alert: acknowledgements, the breach happening again, clearing."""
    said = []
    if telling.first_count > len(incidents):
        done = telling.first_count - len(incidents)
        said.append(f"{done} of its {telling.first_count} incidents {'was' if done == 1 else 'were'} acknowledged")
    if telling.occurrences_since:
        said.append(f"it happened again {_times(telling.occurrences_since)}")
    cleared = [i.cleared_at for i in incidents if i.cleared_at]
    if len(incidents) == 1:
        said.append(f"it cleared at {_local(config, cleared[0], '%H:%M')}" if cleared else "it has not cleared")
    elif cleared:
        said.append(f"{len(cleared)} of {len(incidents)} have cleared")
    first = _local(config, telling.first_at, "%H:%M") if telling.first_at else "-"
    return f"Since the first alert at {first}: {'; '.join(said) or 'nothing new'}."


def _link(base: str, incidents: Sequence[AlertIncident]) -> str:
    first = incidents[0]
    if len(incidents) == 1:
        return f"{base}/incidents/{first.id}"
    return f"{base}/incidents?" + urlencode({"meeting_uuid": first.meeting_uuid, "rule": first.rule})


def _local(config: SchoolConfig, moment: datetime, pattern: str | None = None) -> str:
    """In the school's time zone and, unless told otherwise, its date format."""
    return moment.astimezone(ZoneInfo(config.school.timezone)).strftime(pattern or config.school.date_format)


def _lesson(incident: AlertIncident) -> str:
    return " ".join((incident.topic or "").split()) or f"meeting {incident.meeting_id or incident.meeting_uuid}"


def _severity(incidents: Sequence[AlertIncident]) -> str:
    return min((i.severity for i in incidents), key=SEVERITIES.index)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")
