"""When lessons happen: never before the school's lesson hours, after them, or on a day without lessons.

Lesson hours are wall-clock times in the school's time zone. A boundary that a day's clock change skips (inside the
spring-forward gap) falls at the instant of the jump; one that the autumn's repeated hour shows twice counts at its
first occurrence only (rules.md, Clock changes).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..classes import PersonClass
from ..config import SchoolConfig
from ..roster.model import Roster

DAY_MS = 86_400_000


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _instant(day: date, clock_time: str, zone: ZoneInfo) -> int:
    """The moment (ms) a wall-clock time happens on a day, first occurrence; in a gap, the moment of the jump."""
    hour, minute = map(int, clock_time.split(":"))
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    moment = local.astimezone(timezone.utc)
    if moment.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return _ms(moment)
    # Skipped: fold=1 reads the time with the offset after the jump (earlier), fold=0 with the one before (later).
    before, after = local.replace(fold=1).astimezone(timezone.utc), moment
    offset = before.astimezone(zone).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            before = middle
        else:
            after = middle
    return _ms(after.replace(microsecond=0))


class LessonHours:
    def __init__(self, zone: ZoneInfo, start: str, end: str, days: frozenset[int]):
        self.zone, self.start, self.end, self.days = zone, start, end, days
        self._span = (0, 0, False)
        """(from, until, within): a stretch of time between two boundaries, the last one looked up."""

    def _day(self, ms: int) -> date:
        return datetime.fromtimestamp(ms / 1000, self.zone).date()

    @lru_cache(maxsize=512)
    def window(self, day: date) -> tuple[int, int] | None:
        """The day's lesson hours as [start, end) in ms, or None on a day without lessons."""
        if day.isoweekday() not in self.days:
            return None
        return _instant(day, self.start, self.zone), _instant(day, self.end, self.zone)

    def within(self, ms: int) -> bool:
        since, until, inside = self._span
        if since <= ms < until:  # most moments asked about lie between the same two boundaries as the last one
            return inside
        day = self._day(ms)
        window = self.window(day)
        inside = window is not None and window[0] <= ms < window[1]
        edges = {b for d in (-1, 0, 1) for b in self.window(day + timedelta(days=d)) or ()}
        self._span = (max((b for b in edges if b <= ms), default=ms),
                      min((b for b in edges if b > ms), default=ms + 1), inside)
        return inside

    def boundaries(self, after: int, upto: int) -> list[tuple[int, bool]]:
        """The boundaries ``b`` with ``after < b <= upto``, in time order, each with True when it goes into the
        lesson hours and False when it leaves them."""
        self.within(after)
        if upto < self._span[1]:  # no boundary between them (the usual case: a replay's next line)
            return []
        found = []
        day, last = self._day(after) - timedelta(days=1), self._day(upto) + timedelta(days=1)
        while day <= last:
            window = self.window(day)
            if window is not None:
                found += [(b, into) for b, into in ((window[0], True), (window[1], False)) if after < b <= upto]
            day += timedelta(days=1)
        return sorted(found)

    def next_start(self, after: int) -> int | None:
        """The first moment after ``after`` at which the lesson hours begin (None: no lesson day in a fortnight)."""
        for days in range(15):
            window = self.window(self._day(after) + timedelta(days=days))
            if window is not None and window[0] > after:
                return window[0]
        return None


@lru_cache(maxsize=16)
def lesson_hours(timezone_name: str, start: str, end: str, days: tuple[int, ...]) -> LessonHours:
    return LessonHours(ZoneInfo(timezone_name), start, end, frozenset(days))


def hours_of(config: SchoolConfig) -> LessonHours:
    rules = config.rules
    return lesson_hours(config.school.timezone, rules.lesson_hours[0], rules.lesson_hours[1],
                        tuple(rules.lesson_days))


def out_of_hours(roster: Roster, config: SchoolConfig, now: int) -> list[str | None]:
    if roster.count(PersonClass.PUPIL) == 0 or hours_of(config).within(now):
        return []
    return [None]
