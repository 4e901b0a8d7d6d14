"""Weeks as the school lives them: ISO weeks (Monday to Sunday) in the school's time zone, and when each week's
digest is due. Clock changes are the time zone's business: times are made locally, then turned into UTC."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Week":
        """'2026-W48'; ValueError for anything else, or a week that year does not have."""
        found = WEEK_RE.match(text.strip())
        if not found:
            raise ValueError(f"not an ISO week like 2026-W48: {text!r}")
        year, number = int(found[1]), int(found[2])
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"{year} has no week {number}") from None
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> "Week":
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def containing(cls, moment: datetime, tz: ZoneInfo) -> "Week":
        return cls.of(moment.astimezone(tz).date())

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]

    def before(self, weeks: int = 1) -> "Week":
        return Week.of(self.monday - timedelta(weeks=weeks))

    def after(self, weeks: int = 1) -> "Week":
        return Week.of(self.monday + timedelta(weeks=weeks))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: from Monday 00:00 to the next Monday 00:00, school time."""
        return local_midnight(self.monday, tz), local_midnight(self.monday + timedelta(weeks=1), tz)

    def send_at(self, tz: ZoneInfo, weekday: int = 1, hour: int = 7) -> datetime:
        """When this week's digest is due (UTC): on ``weekday`` of the following week at ``hour``, school time."""
        day = self.after().monday + timedelta(days=weekday - 1)
        return datetime.combine(day, time(hour), tzinfo=tz).astimezone(timezone.utc)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)


def due_week(now: datetime, tz: ZoneInfo, weekday: int = 1, hour: int = 7) -> Week:
    """The latest week whose digest is due by ``now``."""
    week = Week.containing(now, tz).before()
    return week if week.send_at(tz, weekday, hour) <= now else week.before()


def next_tick(now: datetime, tz: ZoneInfo) -> datetime:
    """The next whole hour of school time after ``now``, in UTC (also in zones a half hour off UTC)."""
    hour = now.astimezone(tz).replace(minute=0, second=0, microsecond=0)
    return hour.astimezone(timezone.utc) + timedelta(hours=1)
