"""``monitor replay``: recorded Zoom events through the live pipeline, on a private in-memory state and database,
with a replayed clock.

The clock (contracts.md, Replay): for each line, t := max(clock, event_ts / 1000); the lesson hours' boundaries
between the clock and t are crossed (out_of_hours begins or clears there); clock := t; every check whose grace
period ran out strictly before the clock fires; then the line is applied at the clock. After the last line every
pending check fires, as if time went on, but an out_of_hours check that the lesson hours would end first.
"""
from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator

from sqlalchemy.event import listen

from .clock import ManualClock
from .config import SchoolConfig
from .db import make_engine
from .events import BadEvent, Unattachable, load_json, storable_event, surely_storable
from .incidents import IncidentStore
from .memory import MemoryState
from .migrations import migrate
from .pipeline import Pipeline

SCRATCH_PRAGMAS = "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY;"
"""For the private database, deleted at the end of the run: no waiting for the disk at every commit."""


class ReplayError(Exception):
    """A line that is not a Zoom event; the message names the file and line."""


@dataclass
class ReplayNotifier:
    """Replay alerts nobody: it notes which incidents opened, and needs no scheduler (its clock fires checks)."""

    opened: list[int] = field(default_factory=list)
    next_due: int | None = None

    def incident_opened(self, incident_id: int) -> None:
        if incident_id not in self.opened:
            self.opened.append(incident_id)

    def check_due_at(self, deadline_ms: int) -> None:
        self.next_due = deadline_ms if self.next_due is None else min(self.next_due, deadline_ms)


@dataclass
class ReplayResult:
    incidents: list[dict]
    events: int
    seconds: float
    skipped: int = 0
    """Zoom events the monitor could not take (an absurd time, a participant without a connection id): not applied."""

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def _lines(paths: list[Path], progress: IO[str] | None) -> Iterator[tuple[Path, int, bytes]]:
    total = sum(p.stat().st_size for p in paths)
    done = 0
    for path in paths:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                done += len(raw)
                if progress is not None and number % 5000 == 0:
                    progress.write(f"\rreplay: {done * 100 // max(total, 1):3d}%  {path.name}:{number}")
                    progress.flush()
                if raw.strip():
                    yield path, number, raw  # as bytes, read as the webhook reads a body
    if progress is not None:
        progress.write("\rreplay: 100%" + " " * 40 + "\n")


def _zoom_shaped(body: Any) -> bool:
    """A line with ``event``, a numeric ``event_ts`` and ``payload.object`` is a Zoom event (contracts.md, Replay)."""
    if not isinstance(body, dict) or not isinstance(body.get("payload"), dict):
        return False
    ts = body.get("event_ts")
    return (isinstance(body.get("event"), str) and isinstance(ts, (int, float)) and not isinstance(ts, bool)
            and "object" in body["payload"])


def replay(paths: list[Path], config: SchoolConfig, *, data_dir: Path | None = None,
           database_url: str | None = None, progress: IO[str] | None = None) -> ReplayResult:
    """Replays JSON Lines files as one stream; returns the incidents opened during the run."""
    for path in paths:
        if not path.is_file():
            raise ReplayError(f"{path}: no such file")
    with tempfile.TemporaryDirectory(prefix="monitor-replay-") as scratch:
        private = database_url is None and data_dir is None
        if database_url is None:
            directory = data_dir or Path(scratch)
            directory.mkdir(parents=True, exist_ok=True)
            database_url = f"sqlite:///{directory.resolve() / 'monitor.sqlite3'}"
        engine = make_engine(database_url)
        if private:
            listen(engine, "connect", lambda connection, _: connection.executescript(SCRATCH_PRAGMAS))
        migrate(engine)
        notifier = ReplayNotifier()
        incidents = IncidentStore(engine)
        clock = ManualClock(0)
        state = MemoryState()
        pipeline = Pipeline(config, clock, incidents, notifier, state, state)
        started, events, skipped = time.perf_counter(), 0, 0
        for path, number, line in _lines(paths, progress):
            try:
                body = load_json(line)
            except BadEvent as exc:
                raise ReplayError(f"{path}:{number}: {exc}") from None
            try:
                body, event = storable_event(body, checked=surely_storable(line))
            except BadEvent as exc:
                if not _zoom_shaped(body):
                    raise ReplayError(f"{path}:{number}: {exc}") from None
                skipped += 1  # nothing of it is applied, not even its time
                continue
            if isinstance(event, Unattachable):
                skipped += 1  # nothing of it is applied, not even its time
                continue
            before = int(clock() * 1000)
            now = max(before, event.event_ts)
            if before and now > before and pipeline.hours is not None:  # no boundary before the first line
                pipeline.checks.cross_hours(pipeline.hours, before, now)
            clock.set(now / 1000)
            if notifier.next_due is not None and notifier.next_due < now:
                pipeline.checks.fire_due(now)
                notifier.next_due = pipeline.checks.next_deadline()
            pipeline.handle(event, body)
            events += 1
        if pipeline.hours is not None:  # ... time goes on: no boundary is crossed, and every pending check fires
            pipeline.checks.forget_out_of_hours_ending(pipeline.hours)  # but those the lesson hours would end first
        pipeline.checks.fire_due(sys.maxsize)
        pipeline.record_unended(sys.maxsize)  # and a meeting that never sent meeting.ended is over
        incidents.mark_replayed(notifier.opened)
        seconds = time.perf_counter() - started
        opened = [incidents.get(incident_id) for incident_id in notifier.opened]
        engine.dispose()
    return ReplayResult([i for i in opened if i is not None], events, seconds, skipped)
