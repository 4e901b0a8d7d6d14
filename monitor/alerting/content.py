"""What an alert says: what happened, in which lesson, the rule in plain words, and a link to the incident.
Never a pupil's name or e-mail, nor anyone else's: the incident queue, behind sign-in, has the detail."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from ..config import SchoolConfig
from ..rules import BY_ID
from .message import AlertMessage
from .records import AlertIncident


def _when(config: SchoolConfig, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(config.school.timezone)).strftime("%a %d %b %Y, %H:%M")


def alert_message(config: SchoolConfig, incidents: Sequence[AlertIncident], key: str) -> AlertMessage:
    """One alert for the incidents of one meeting (the first is the one it leads with)."""
    first = incidents[0]
    lesson = " ".join((first.topic or "").split()) or f"meeting {first.meeting_id or first.meeting_uuid}"
    rules = list(dict.fromkeys(i.rule for i in incidents))
    base = config.alerts.base_url.rstrip("/")
    link = f"{base}/incidents/{first.id}" if len(incidents) == 1 else \
        f"{base}/incidents?meeting_uuid={quote(first.meeting_uuid, safe='')}"
    severity = min((i.severity for i in incidents), key=["high", "medium", "low"].index)
    facts = [("Lesson", lesson), ("Meeting ID", first.meeting_id or "-"), ("When", _when(config, first.began_at)),
             ("Severity", severity)]
    facts += [("Breach", f"{BY_ID[rule].sentence}. {BY_ID[rule].clause}") for rule in rules]
    if len(incidents) > 1:
        facts.append(("Incidents", str(len(incidents))))
    others = f" (and {len(rules) - 1} other breach{'es' if len(rules) > 2 else ''})" if len(rules) > 1 else ""
    return AlertMessage(
        title=f"Safeguarding alert: {lesson}",
        text=f"In {lesson}, {BY_ID[rules[0]].headline}{others}. Open the incident queue to review and acknowledge it.",
        facts=tuple(facts),
        link=link,
        severity=severity,
        key=key,
    )
