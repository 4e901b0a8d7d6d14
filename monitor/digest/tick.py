"""The weekly digest's hourly tick, on the hour of school time (workers/periodic.py keeps the next one scheduled):
it records the lessons whose ``meeting.ended`` never came, then sends the digest if one is due and not sent. So the
digest goes at the configured hour whatever the clocks did on Sunday, and a worker that was down at that hour sends
it at its first tick after. The digest store's claim makes sure one week's digest is e-mailed once even if two ticks
run at once."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ..pipeline import Pipeline
from .service import DigestService

log = logging.getLogger(__name__)
QUIET_BEFORE_ENDED = timedelta(hours=6)
"""A meeting without meeting.ended in which nobody joined or left for this long is taken to have ended."""


def run_tick(pipeline: Pipeline, digests: DigestService, now: datetime) -> str | None:
    """Returns what became of the digest (see DigestService.tick)."""
    ended = pipeline.record_unended(int((now - QUIET_BEFORE_ENDED).timestamp() * 1000))
    if ended:
        log.info("recorded %d meeting(s) that never sent meeting.ended", ended)
    return digests.tick(now)
