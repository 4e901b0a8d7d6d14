"""Whatever a signed body holds, the webhook answers 200, 400 or 503, never 500: odd text is stored, absurd times
and shapes are refused, and what is refused stores nothing."""
import dataclasses
import json

import pytest
from sqlalchemy import create_engine

from monitor.app import create_app
from monitor.migrations import migrate

from .. import zoom
from .deliveries import post_raw, snapshot

API = {"Authorization": "Bearer test-api-token"}
ODD = "Year 9\u0000Maths \ud800 \udfff end"
STORED = "Year 9\ufffdMaths \ufffd \ufffd end"


def lesson_with_an_outsider(topic: str, outsider_name: str, uuid: str = zoom.UUID) -> list[dict]:
    """A teacher, two pupils and an outsider in a lesson with this topic."""
    stream = [zoom.started(zoom.T0, uuid), zoom.joined(zoom.T0, "t", "a.teacher@gatehouse.sch.uk", uuid),
              zoom.joined(zoom.T0, "p1", "pupil1@gatehouse.sch.uk", uuid),
              zoom.joined(zoom.T0, "p2", "pupil2@gatehouse.sch.uk", uuid),
              zoom.joined(zoom.T0 + 1, "x", "", uuid, name=outsider_name)]
    for event in stream:
        event["payload"]["object"]["topic"] = topic
    return stream


def post(client, clock, data: bytes):
    return post_raw(client, data, zoom.signed_headers(data, int(clock())))


def test_nul_and_lone_surrogates_are_stored_as_replacement_characters(client, clock):
    stream = lesson_with_an_outsider(ODD, "Mal\u0000lory \udc00")
    assert "\\ud800" in zoom.raw(stream[0]).decode(), "sent as Zoom sends it: a JSON escape"
    assert [post(client, clock, zoom.raw(e)).get_json() for e in stream] == [{"status": "applied"}] * 5
    assert post(client, clock, zoom.raw(stream[-1])).get_json() == {"status": "duplicate"}, "the retry is known"
    [meeting] = client.get("/api/meetings", headers=API).get_json()["meetings"]
    assert meeting["topic"] == STORED
    assert "Mal\ufffdlory \ufffd" in [p["name"] for p in meeting["present"]]
    [incident] = client.get("/api/incidents", headers=API).get_json()["incidents"]
    assert (incident["rule"], incident["topic"]) == ("external_participant", STORED)


def test_the_same_odd_text_as_raw_utf8_bytes_is_the_same_delivery(client, clock):
    """json.loads lets encoded surrogates through from bytes: the same body, escaped or not, is one delivery."""
    event = zoom.joined(zoom.T0, "conn-1", "p1@gatehouse.sch.uk", name="Pupil \udc80")
    escaped = zoom.raw(event)
    encoded = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert escaped != encoded
    assert post(client, clock, escaped).get_json() == {"status": "applied"}
    assert post(client, clock, encoded).get_json() == {"status": "duplicate"}


DEEP = 5000


@pytest.mark.parametrize("data, message", [
    (b'{"event": ["meeting.started"], "event_ts": 1795000000000, "payload": {"object": {"uuid": "u"}}}', "event"),
    (b'{"event": {"a": 1}, "event_ts": 1795000000000, "payload": {}}', "event"),
    (b'{"event": "meeting.started", "event_ts": 1795000000000, "payload": {"object": {"uuid": "u", "x": '
     + b"[" * DEEP + b"]" * DEEP + b"}}}", "deep"),
    (b'{"event": "x.y", "event_ts": 1795000000000, "payload": ' + b'{"a": ' * 40 + b"1" + b"}" * 41, "deep"),
    (b"[" * DEEP + b"]" * DEEP, "deep"),
    (b'{"event": "meeting.started", "event_ts": 1795000000000.5, "payload": {"object": {"uuid": "u"}}}', "event_ts"),
    (b'{"event": "meeting.started", "event_ts": 1' + b"0" * 5000 + b', "payload": {}}', "not JSON"),
])
def test_wrong_types_and_deep_nesting_get_400_and_store_nothing(client, clock, fake_redis, data, message):
    response = post(client, clock, data)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert snapshot(fake_redis) == {}


def _at(event: dict, path: str, value) -> dict:
    *parents, last = path.split(".")
    target = event
    for part in parents:
        target = target[part]
    target[last] = value
    return event


@pytest.mark.parametrize("path, value", [
    ("event_ts", 10**17),
    ("event_ts", 0),
    ("event_ts", -1),
    ("event_ts", 946_684_799_999),                   # a millisecond before 2000
    ("event_ts", 4_102_444_800_000),                 # 2100
    ("payload.object.participant.join_time", "9999-12-31T23:59:59Z"),
    ("payload.object.participant.join_time", "0001-01-01T00:00:00+01:00"),
    ("payload.object.participant.join_time", "1970-01-01T00:00:00Z"),
    ("payload.object.participant.join_time", 10**17),
    ("payload.object.start_time", "2200-01-01T00:00:00Z"),
])
def test_absurd_times_get_400_naming_the_field_and_the_board_still_works(client, clock, fake_redis, path, value):
    event = _at(zoom.joined(zoom.T0, "conn-1", "p1@gatehouse.sch.uk"), path, value)
    response = post(client, clock, zoom.raw(event))
    assert response.status_code == 400
    assert path.split(".")[-1] in response.get_json()["error"]
    assert "2000 and 2100" in response.get_json()["error"]
    assert snapshot(fake_redis) == {}
    assert client.get("/api/meetings", headers=API).status_code == 200


def test_an_ignored_kind_with_an_absurd_time_is_refused_too(client, clock, fake_redis):
    event = {"event": "meeting.rtms_started", "event_ts": 10**17, "payload": {"object": {"uuid": "x"}}}
    response = post(client, clock, zoom.raw(event))
    assert response.status_code == 400 and "event_ts" in response.get_json()["error"]
    assert snapshot(fake_redis) == {}


def test_the_edges_of_the_bounds_are_taken(client, clock):
    earliest = _at(zoom.joined(zoom.T0, "a", "p1@gatehouse.sch.uk"), "payload.object.participant.join_time",
                   "2000-01-01T00:00:00Z")
    latest = _at(zoom.joined(zoom.T0, "b", "p2@gatehouse.sch.uk"), "payload.object.participant.join_time",
                 "2099-12-31T23:59:59.999Z")
    assert [post(client, clock, zoom.raw(e)).status_code for e in (earliest, latest)] == [200, 200]


def test_the_pipeline_stores_the_same_text_as_the_webhook(services):
    """Pipeline.process (the tests' and the workers' way in) makes text storable as the webhook does."""
    stream = lesson_with_an_outsider(ODD, "Mal\u0000lory")
    assert [services.pipeline.process(e)[0] for e in stream] == ["applied"] * 5
    assert services.pipeline.process(json.loads(zoom.raw(stream[-1])))[0] == "duplicate"
    assert services.pipeline.roster(zoom.UUID).topic == STORED


@pytest.mark.integration
def test_nul_in_a_topic_reaches_postgresql_as_a_replacement_character(services, clock, postgres_url):
    """PostgreSQL refuses NUL in text: before, the incident could never be written and Zoom got 503 on every retry."""
    engine = create_engine(postgres_url)
    migrate(engine)
    on_postgres = dataclasses.replace(services, database=engine)
    client = create_app(on_postgres).test_client()
    uuid = "nul-topic-" + str(id(engine))          # the database is shared with other tests
    statuses = [post(client, clock, zoom.raw(e)).status_code for e in lesson_with_an_outsider(ODD, "X\u0000", uuid)]
    assert statuses == [200] * 5
    [incident] = on_postgres.incidents.list(meeting_uuid=uuid)
    assert (incident["rule"], incident["topic"]) == ("external_participant", STORED)
    engine.dispose()
