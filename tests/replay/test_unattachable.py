"""contracts.md, Replay: a Zoom event the monitor cannot attach to a meeting instance (no uuid; a participant event
naming no connection) never stops a replay: it is skipped and counted, and nothing of it is applied, not its time."""
from __future__ import annotations

import json

from monitor.replay import replay

from .. import zoom
from ..zoom import T0

PUPILS = ("pupil1@gatehouse.sch.uk", "pupil2@gatehouse.sch.uk")


def lesson_recorded_within_the_grace() -> list[dict]:
    events = [zoom.started(T0), zoom.joined(T0 + 1, "t", "a.teacher@gatehouse.sch.uk", user_id=zoom.HOST_ID)]
    events += [zoom.joined(T0 + 10 + i, f"p{i}", p) for i, p in enumerate(PUPILS)]
    return events + [zoom.recording("started", T0 + 60), zoom.ended(T0 + 900)]


def unattachable() -> list[dict]:
    """Each an hour ahead: had its time moved the clock, the lesson's recording would have come too late."""
    nameless = zoom.joined(T0 + 3600, "x", "stranger@gmail.com")
    nameless["payload"]["object"]["participant"].update(participant_uuid="", user_id="")
    no_uuid = zoom.chat(T0 + 3600, ("p0", PUPILS[0]), ("t", "a.teacher@gatehouse.sch.uk"), "host")
    del no_uuid["payload"]["object"]["uuid"]
    no_participant = zoom.left(T0 + 3600, "p1", PUPILS[1])
    del no_participant["payload"]["object"]["participant"]
    return [nameless, no_uuid, no_participant]


def test_events_without_a_meeting_or_connection_are_skipped_counted_and_the_replay_goes_on(tmp_path, school_config):
    events = lesson_recorded_within_the_grace()
    stream = events[:3] + unattachable() + events[3:]
    path = tmp_path / "stream.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in stream))
    result = replay([path], school_config)
    assert (result.skipped, result.events) == (3, len(events))
    assert result.incidents == []      # no outsider was applied, and no_recording's grace ran on the lesson's clock
