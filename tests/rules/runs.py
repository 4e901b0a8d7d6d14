"""What the rules' end-to-end tests share: a lesson's deliveries, Zoom's ways of delivering them (duplicated,
shuffled, late and stale), and the two paths they take: replay, and the live pipeline on Redis with a clock."""
from __future__ import annotations

import json
import random

from monitor.clock import ManualClock, utc_now
from monitor.pipeline import Pipeline
from monitor.replay import replay
from monitor.times import iso_ms

from .. import zoom
from ..notifier import RecordingNotifier
from ..zoom import T0

TEACHER, TA = "a.teacher@gatehouse.sch.uk", "c.assistant@gatehouse.sch.uk"
P1, P2, P3 = (f"pupil{i}@gatehouse.sch.uk" for i in (1, 2, 3))


def ms(seconds: float, start: float = T0) -> str:
    """ISO-8601 of start + seconds, as incidents show it."""
    return iso_ms(int(round((start + seconds) * 1000)))


def replayed(tmp_path, config, events) -> list[dict]:
    path = tmp_path / f"stream-{random.random()}.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return replay([path], config).incidents


def flagged(incidents) -> list[tuple]:
    return sorted(((i["rule"], i["subject"]) for i in incidents), key=lambda f: (f[0], f[1] or ""))


def lesson(*, record=True, pupils=(P1, P2, P3), host_events=(), extra=(), start=T0, length=3000,
           teacher=TEACHER) -> list[dict]:
    """A lesson from ``start``: the teacher (the host, joining as ``teacher``) at +1 s, recording at +2 s, the
    pupils from +10 s, everyone gone by ``length`` + 10 s and the meeting ended at ``length`` + 20 s; ``extra``
    events in time order."""
    events = [zoom.started(start), zoom.joined(start + 1, "t", teacher, user_id=zoom.HOST_ID)]
    if record:
        events.append(zoom.recording("started", start + 2))
    events += [zoom.joined(start + 10 + i, f"p{i}", p) for i, p in enumerate(pupils)]
    events += [*host_events, *extra]
    events += [zoom.left(start + length + i, f"p{i}", p) for i, p in enumerate(pupils)]
    events += [zoom.left(start + length + 10, "t", teacher, user_id=zoom.HOST_ID), zoom.ended(start + length + 20)]
    return sorted(events, key=lambda e: e["event_ts"])


# --- Zoom's delivery reality ----------------------------------------------------------------------------------------

def duplicated(events):
    """Every delivery twice, and Zoom's retries of some 5 and 25 minutes later (their clock long gone by)."""
    out = [e for event in events for e in (event, event)]
    for event in events[2:6]:
        for delay in (300, 1500):
            later = next((i for i, e in enumerate(out) if e["event_ts"] > event["event_ts"] + delay * 1000), len(out))
            out.insert(later, event)
    return out


def shuffled(events, seed=3):
    """Neighbours within a few seconds swapped, as Zoom does not keep order; joins stay before their leaves."""
    out = list(events)
    rng = random.Random(seed)
    for i in range(1, len(out) - 2):
        a, b = out[i], out[i + 1]
        close = abs(a["event_ts"] - b["event_ts"]) < 5000
        same_connection = a["payload"]["object"].get("participant", {}).get("participant_uuid") == \
            b["payload"]["object"].get("participant", {}).get("participant_uuid")
        if close and not same_connection and b["event"] != "meeting.ended" and rng.random() < 0.7:
            out[i], out[i + 1] = b, a
    return out


def late_and_stale(events):
    """Pupil 1 drops and rejoins on a new connection, and Zoom delivers the drop after the rejoin; an old recording
    event arrives after newer ones (times from the lesson's first delivery)."""
    start = events[0]["event_ts"] / 1000

    def is_final_leave_of_p0(e):
        return e["event"] == "meeting.participant_left" and \
            e["payload"]["object"]["participant"]["participant_uuid"] == "p0"
    late = [zoom.joined(start + 505, "p0b", P1), zoom.left(start + 500, "p0", P1),
            zoom.recording("stopped", start - 30)]
    out = []
    for event in events:
        if is_final_leave_of_p0(event):
            event = zoom.left(event["event_ts"] / 1000 - 0.25, "p0b", P1)
        if late and event["event_ts"] > (start + 505) * 1000:
            out += late
            late = []
        out.append(event)
    return out


# --- the live path --------------------------------------------------------------------------------------------------

class Enqueuing(RecordingNotifier):
    """As RQ's notifier does: an incident's alert, once queued, is marked so on the incident."""

    def __init__(self, incidents, clock):
        super().__init__()
        self.incidents, self.clock = incidents, clock

    def incident_opened(self, incident_id: int) -> None:
        super().incident_opened(incident_id)
        self.incidents.mark_alert_enqueued(incident_id, utc_now(self.clock))


class Live:
    """The live path: Redis scripts, the clock running as deliveries come, the worker's scheduler firing checks at
    the deadlines asked for, and (``sweep_every`` seconds) the workers' sweep."""

    def __init__(self, config, redis, incidents, sweep_every: float | None = None):
        self.clock = ManualClock(0)
        self.notifier = Enqueuing(incidents, self.clock)
        self.incidents = incidents
        self.sweep_every = sweep_every
        self.pipeline = Pipeline.on_redis(config, redis, self.clock, incidents, self.notifier)

    def run_until(self, now: float) -> None:
        """Time goes on to ``now`` (s) with nothing delivered."""
        while True:
            due = [d // 1000 + 1 for d in self.notifier.deadlines if d // 1000 + 1 <= now]   # the scheduler's jobs
            sweep = self._next_sweep()
            if sweep is not None and sweep <= now and (not due or sweep < min(due)):
                self.clock.set(sweep)
                self.pipeline.sweep()
                continue
            if not due:
                break
            at = min(due)
            self.notifier.deadlines = [d for d in self.notifier.deadlines if d // 1000 + 1 != at]
            self.clock.set(at)
            self.pipeline.fire_due_checks()
        self.clock.set(max(self.clock(), now))

    def _next_sweep(self) -> float | None:
        if self.sweep_every is None or not self.clock():
            return None
        return (self.clock() // self.sweep_every + 1) * self.sweep_every

    def deliver(self, events) -> "Live":
        for event in events:
            self.run_until(max(self.clock(), event["event_ts"] / 1000))
            self.pipeline.process(event)
        return self

    def finish(self, at: float = 10**10) -> "Live":
        """Time goes on: with the sweep, an hour of it; else the scheduler's jobs, whenever they are due."""
        if self.sweep_every is not None:
            self.run_until(self.clock() + 3600)
        else:
            self.clock.set(at)
            self.pipeline.fire_due_checks()
        return self

    def opened(self) -> list[tuple]:
        found = [self.incidents.get(i) for i in self.notifier.opened]
        return sorted(((i["rule"], i["subject"], i["began_at"], i["opened_at"]) for i in found), key=str)


def live(school_config, redis, incidents, events) -> list[tuple]:
    return Live(school_config, redis, incidents).deliver(events).finish().opened()


def replay_side(tmp_path, config, events) -> list[tuple]:
    """What replay opens, as ``Live.opened`` lists it."""
    return sorted(((i["rule"], i["subject"], i["began_at"], i["opened_at"])
                   for i in replayed(tmp_path, config, events)), key=str)
