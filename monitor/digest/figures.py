"""The weekly digest's figures: a pure function of the incidents, the lessons, the week and the school's time zone.

Every figure is "as at the end of the week" (the next Monday 00:00, school time), so a digest made again later gives
the same figures as long as nobody changed the incidents since; but the lists of incidents overdue and not
acknowledged (what needs attention) leave out those closed, or acknowledged, since. No pupil appears here:
incidents are counted, staff are named only when the staff directory knows them, and an incident's subject is used
only when it is the member of staff whose conduct it is about (private_chat; for external_participant it is an
outsider's e-mail).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from ..classes import STAFF_CLASSES
from ..lessons import Lesson
from ..rules import RULE_IDS, RULES, is_conduct, whose_conduct
from ..status_words import status_words
from .week import Week

SEVERITIES = ("high", "medium", "low")
RULE_LABELS = {rule.id: rule.label for rule in RULES}
TREND_WEEKS = 4
ATTENTION_LIMIT = 5
LISTED_LIMIT = 5


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule.replace("_", " ").capitalize())


def rule_words(rule: str) -> str:
    """The rule's label inside a sentence: its first letter small, the rest as written (Personal Meeting ID)."""
    label = rule_label(rule)
    return label[:1].lower() + label[1:]


@dataclass(frozen=True)
class IncidentFacts:
    """What the digest reads of an incident (times aware UTC)."""

    id: int
    rule: str
    severity: str
    opened_at: datetime
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    due_on: date | None = None
    host_email: str | None = None
    host_class: str | None = None
    topic: str | None = None
    subject: str | None = None
    subject_class: str | None = None


class RuleLine(BaseModel):
    rule: str
    label: str
    high: int
    medium: int
    low: int
    total: int


class StaffLine(BaseModel):
    email: str
    name: str
    by_rule: dict[str, int]
    total: int


class DayLine(BaseModel):
    day: date
    incidents: int


class WeekLine(BaseModel):
    week: str
    lessons: int
    incidents: int


class IncidentRef(BaseModel):
    id: int
    rule: str
    topic: str | None
    opened_on: date
    due_on: date | None


class FindingCounts(BaseModel):
    """Settings that differ from the protocol (findings, contracts.md Zoom API): found and resolved in the week,
    and still open at its end."""

    found: int
    resolved: int
    open: int


class ZoomSettingsLine(BaseModel):
    lessons: FindingCounts
    teachers: FindingCounts


class Digest(BaseModel):
    school: str
    week: str
    first_day: date
    last_day: date
    timezone: str
    made_at: datetime
    lessons: int
    lesson_hours: float
    incidents: int
    by_rule: list[RuleLine]
    by_severity: dict[str, int]
    by_staff: list[StaffLine]
    conduct_hosts_not_staff: int
    """Staff-conduct incidents whose host is not on the staff list (a pupil's account, an outsider, unidentified).
    A private chat is staff conduct only with a member of staff, so it is never one of these."""
    open: int
    overdue: list[IncidentRef]
    unacknowledged: list[IncidentRef]
    acknowledged: int
    median_minutes_to_acknowledge: float | None
    closed: int
    median_hours_to_close: float | None
    per_day: list[DayLine]
    trend: list[WeekLine]
    """The previous four weeks, oldest first."""
    attention: list[str]
    zoom_settings: ZoomSettingsLine | None = None
    """Only when Zoom's API is connected, or findings were found, resolved or open in the week."""

    @property
    def trend_average(self) -> tuple[float, float]:
        """Incidents and lessons a week over the previous four weeks."""
        n = len(self.trend) or 1
        return sum(w.incidents for w in self.trend) / n, sum(w.lessons for w in self.trend) / n


def _within(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _ref(incident: IncidentFacts, tz: ZoneInfo) -> IncidentRef:
    return IncidentRef(id=incident.id, rule=incident.rule, topic=incident.topic,
                       opened_on=incident.opened_at.astimezone(tz).date(), due_on=incident.due_on)


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def make_digest(week: Week, incidents: Iterable[IncidentFacts], lessons: Iterable[Lesson], *, tz: ZoneInfo,
                school: str, overdue_days: int, staff_names: Mapping[str, str], made_at: datetime,
                findings: Mapping[str, Mapping[str, int]] | None = None) -> Digest:
    """``incidents`` and ``lessons`` may hold more than the week (earlier weeks feed the trend, older incidents
    the open and overdue counts); what falls outside is left out here. ``findings``: the week's counts of
    findings by kind (FindingStore.counts), or None to leave the Zoom settings out."""
    incidents, lessons = list(incidents), list(lessons)
    start, end = week.bounds(tz)
    of_week = sorted((i for i in incidents if _within(i.opened_at, start, end)), key=lambda i: i.opened_at)
    week_lessons = [lesson for lesson in lessons if _within(lesson.started_at, start, end) and lesson.pupils > 0]

    by_rule = []
    for rule in list(RULE_IDS) + sorted({i.rule for i in of_week} - set(RULE_IDS)):
        counts = Counter(i.severity for i in of_week if i.rule == rule)
        by_rule.append(RuleLine(rule=rule, label=rule_label(rule), **{s: counts[s] for s in SEVERITIES},
                                total=sum(counts.values())))

    staff: dict[str, Counter] = {}
    not_staff = 0
    for incident in of_week:
        if not is_conduct(incident.rule, incident.subject_class):
            continue
        email, cls = whose_conduct(incident.rule, (incident.host_email, incident.host_class),
                                   (incident.subject, incident.subject_class))
        if email and cls in STAFF_CLASSES:
            staff.setdefault(email, Counter())[incident.rule] += 1
        else:
            not_staff += 1
    by_staff = sorted((StaffLine(email=email, name=staff_names.get(email) or email, by_rule=dict(sorted(c.items())),
                                 total=sum(c.values())) for email, c in staff.items()),
                      key=lambda line: (-line.total, line.name))

    still_open = [i for i in incidents if i.opened_at < end and not (i.closed_at and i.closed_at < end)]
    last_day = week.days[-1]
    # Who needs chasing is read as the incidents stand now: one closed since the week ended is never listed.
    still_unclosed = [i for i in still_open if i.closed_at is None]
    overdue = [i for i in still_unclosed if (i.due_on <= last_day if i.due_on is not None
                                             else i.opened_at <= end - timedelta(days=overdue_days))]
    unacknowledged = [i for i in still_unclosed if i.acknowledged_at is None]
    to_ack = [(i.acknowledged_at - i.opened_at).total_seconds() / 60 for i in incidents
              if _within(i.acknowledged_at, start, end)]
    to_close = [(i.closed_at - i.opened_at).total_seconds() / 3600 for i in incidents
                if _within(i.closed_at, start, end)]

    per_day = Counter(i.opened_at.astimezone(tz).date() for i in of_week)
    trend = []
    for back in range(TREND_WEEKS, 0, -1):
        earlier = week.before(back)
        w_start, w_end = earlier.bounds(tz)
        trend.append(WeekLine(week=str(earlier),
                              lessons=sum(1 for x in lessons if _within(x.started_at, w_start, w_end) and x.pupils > 0),
                              incidents=sum(1 for i in incidents if _within(i.opened_at, w_start, w_end))))

    digest = Digest(
        school=school, week=str(week), first_day=week.monday, last_day=last_day, timezone=tz.key, made_at=made_at,
        lessons=len(week_lessons), lesson_hours=round(sum(lesson.hours for lesson in week_lessons), 1),
        incidents=len(of_week), by_rule=by_rule,
        by_severity={s: sum(1 for i in of_week if i.severity == s) for s in SEVERITIES},
        by_staff=by_staff, conduct_hosts_not_staff=not_staff,
        open=len(still_open),
        overdue=[_ref(i, tz) for i in sorted(overdue, key=lambda i: i.opened_at)],
        unacknowledged=[_ref(i, tz) for i in sorted(unacknowledged, key=lambda i: i.opened_at)],
        acknowledged=len(to_ack), median_minutes_to_acknowledge=_median(to_ack),
        closed=len(to_close), median_hours_to_close=_median(to_close),
        per_day=[DayLine(day=day, incidents=per_day[day]) for day in week.days],
        trend=trend, attention=[],
        zoom_settings=None if findings is None else ZoomSettingsLine(
            lessons=FindingCounts(**findings["meeting"]), teachers=FindingCounts(**findings["user"])),
    )
    trend_start = week.before(TREND_WEEKS).bounds(tz)[0]
    earlier = Counter(i.rule for i in incidents if _within(i.opened_at, trend_start, start))
    digest.attention = _attention(digest, earlier)
    return digest


def _listed(refs: list[IncidentRef]) -> str:
    shown = ", ".join(f"#{r.id} {rule_words(r.rule)}" + (f" ({r.topic})" if r.topic else "")
                      for r in refs[:LISTED_LIMIT])
    more = f" and {len(refs) - LISTED_LIMIT} more" if len(refs) > LISTED_LIMIT else ""
    return shown + more


def _attention(digest: Digest, earlier_by_rule: Counter) -> list[str]:
    """A short list, most pressing first: overdue, not acknowledged, repeated staff conduct, rules above trend."""
    items = []
    if digest.overdue:
        items.append(f"{len(digest.overdue)} overdue: {_listed(digest.overdue)}.")
    if digest.unacknowledged:
        items.append(f"{len(digest.unacknowledged)} {status_words('new')}: {_listed(digest.unacknowledged)}.")
    for line in digest.by_staff:
        if line.total >= 2:
            items.append(f"{line.name}: {line.total} staff-conduct incidents this week.")
    for line in digest.by_rule:
        usual = earlier_by_rule[line.rule] / TREND_WEEKS
        if line.total >= 2 and line.total > 2 * usual:
            items.append(f"{line.label}: {line.total} this week, against {usual:.1f} a week before.")
    return items[:ATTENTION_LIMIT]
