"""The event model takes every example delivery in the Zoom reference."""
import json
from pathlib import Path

import pytest

from monitor.config import StaffDirectory
from monitor.events import KINDS, Envelope, ScheduleEvent, Unattachable, ZoomEvent, parse_event
from monitor.roster.changes import change_for

EXAMPLES = [json.loads(line) for line in
            (Path(__file__).parent.parent / "fixtures" / "zoom-reference-examples.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["event"] for e in EXAMPLES])
def test_every_reference_example_parses(example):
    event = parse_event(example)
    if example["event"] in KINDS:
        assert isinstance(event, KINDS[example["event"]])
        assert event.meeting.uuid == example["payload"]["object"].get("uuid")
        meeting_id = example["payload"]["object"].get("id")
        assert event.meeting.id == (str(meeting_id) if meeting_id is not None else None)
    else:
        assert type(event) is Envelope

NO_STAFF = StaffDirectory({}, {})


def test_the_reference_covers_every_modelled_family():
    kinds = {e["event"] for e in EXAMPLES}
    assert {"meeting.participant_joined", "meeting.participant_role_changed", "recording.started",
            "meeting.sharing_started", "meeting.chat_message_sent", "meeting.participant_jbh_joined"} <= kinds


def test_meeting_ids_are_normalised_to_strings():
    numeric = next(e for e in EXAMPLES if isinstance(e["payload"].get("object", {}).get("id"), int))
    assert parse_event(numeric).meeting.id == str(numeric["payload"]["object"]["id"])


def test_participant_fields_and_times():
    example = next(e for e in EXAMPLES if e["event"] == "meeting.participant_joined")
    p = parse_event(example).participant
    assert p.connection_id == "55555AAAiAAAAAiAiAiiAii"
    assert p.zoom_user_id == "iFxeBPYun6SAiWUzBcEkX"
    assert p.join_time == 1626212691000   # 2021-07-13T21:44:51Z


def test_blank_emails_and_ids_are_none():
    guest = {"event": "meeting.participant_joined", "event_ts": 1731585605000, "payload": {"object": {
        "uuid": "u", "participant": {"user_id": "16778240", "id": "", "participant_uuid": "", "email": "  ",
                                     "participant_user_id": "", "join_time": "2024-11-14T12:00:05Z"}}}}
    p = parse_event(guest).participant
    assert (p.email, p.zoom_user_id, p.connection_id) == (None, None, "16778240")


def test_scheduling_and_post_meeting_events_change_no_roster():
    for kind in ("meeting.created", "meeting.updated", "recording.completed"):
        event = next(e for e in EXAMPLES if e["event"] == kind)
        assert isinstance(parse_event(event), ZoomEvent) and change_for(parse_event(event), 0, NO_STAFF) is None


@pytest.mark.parametrize("kind", sorted(k for k, model in KINDS.items() if model is not ScheduleEvent))
def test_an_in_meeting_kind_without_a_meeting_uuid_cannot_be_attached_to_a_meeting(kind):
    event = parse_event({"event": kind, "event_ts": 1731585605000, "payload": {"object": {"id": 1}}})
    assert isinstance(event, Unattachable) and "uuid" in event.reason
