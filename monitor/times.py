"""Times as the monitor shows them: ISO-8601 in UTC ending in "Z", with milliseconds only when there are some."""
from __future__ import annotations

from datetime import datetime, timezone


def utc(ms: int) -> datetime:
    """Milliseconds since the epoch as an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, timezone.utc)


def iso_utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment.astimezone(timezone.utc)
    seconds = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = moment.microsecond // 1000
    return f"{seconds}.{millis:03d}Z" if millis else f"{seconds}Z"


def iso_ms(ms: int | None) -> str | None:
    return None if ms is None else iso_utc(utc(ms))
