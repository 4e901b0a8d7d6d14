"""POST /zoom/webhook: every status of the contract, and nothing stored where nothing may be."""
import dataclasses
import json
import time

import pytest

from monitor.app import create_app
from monitor.wiring import connect_redis

from .. import zoom
from .deliveries import EMOJI_BODY, EMOJI_SIGNATURE, VALIDATION_BODY, VALIDATION_SIGNATURE, post_raw, snapshot


def test_url_validation_answers_zoom_challenge_from_the_real_vector(client, clock, fake_redis):
    clock.set(1720705455)
    response = post_raw(client, VALIDATION_BODY, {"x-zm-request-timestamp": "1720705455",
                                                  "x-zm-signature": VALIDATION_SIGNATURE})
    assert response.status_code == 200
    assert response.get_json() == {
        "plainToken": "xys8n8PGS7mAU0m5-YJjRA",
        "encryptedToken": "2fffc6a967dde4f68024025a5bd991c5ae1e5313b4e6365be4883e3e81d479b3",
    }
    assert snapshot(fake_redis) == {}


def test_real_emoji_delivery_is_accepted_and_opens_the_meeting(client, clock):
    clock.set(1720707175)
    response = post_raw(client, EMOJI_BODY, {"x-zm-request-timestamp": "1720707175", "x-zm-signature": EMOJI_SIGNATURE})
    assert response.status_code == 200
    assert response.get_json() == {"status": "applied"}
    meetings = client.get("/api/meetings", headers={"Authorization": "Bearer test-api-token"}).get_json()["meetings"]
    assert [(m["uuid"], m["meeting_id"], m["topic"]) for m in meetings] == [
        ("jUh5o3dKQIytvcsfTtKBlg==", "85393847045", "Test \U0001F692\U0001F692 ? - \u2019 - \u2013 \U0001F697 HOLA")]


def test_a_repeated_delivery_is_a_no_op(deliver, fake_redis):
    event = zoom.joined(zoom.T0, "conn-1", "p1@gatehouse.sch.uk")
    assert deliver(event).get_json() == {"status": "applied"}
    before = snapshot(fake_redis)
    assert deliver(event).get_json() == {"status": "duplicate"}
    assert snapshot(fake_redis) == before


def test_deliveries_open_no_session(deliver):
    response = deliver(zoom.joined(zoom.T0, "conn-1", "p1@gatehouse.sch.uk"))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


def test_a_retry_with_its_first_timestamp_gets_in_85_minutes_later(deliver, clock):
    event = zoom.joined(zoom.T0, "conn-1", "p1@gatehouse.sch.uk")
    clock.advance(85 * 60)
    response = deliver(event, timestamp=zoom.T0)
    assert response.status_code == 200
    assert response.get_json() == {"status": "applied"}


@pytest.mark.parametrize("headers, why", [
    ({}, "missing"),
    ({"x-zm-request-timestamp": str(zoom.T0)}, "missing"),
    ({"x-zm-request-timestamp": str(zoom.T0), "x-zm-signature": "v0=" + "0" * 64}, "bad signature"),
    ({"x-zm-request-timestamp": "soon", "x-zm-signature": "v0=" + "0" * 64}, "bad signature"),
])
def test_forged_or_unsigned_deliveries_get_401_and_store_nothing(client, fake_redis, headers, why):
    response = post_raw(client, zoom.raw(zoom.started()), headers)
    assert response.status_code == 401
    assert why in response.get_json()["error"]
    assert snapshot(fake_redis) == {}


def test_signed_with_another_secret_gets_401(client, fake_redis):
    data = zoom.raw(zoom.started())
    assert post_raw(client, data, zoom.signed_headers(data, zoom.T0, secret="not-the-secret")).status_code == 401
    assert snapshot(fake_redis) == {}


@pytest.mark.parametrize("offset, status", [
    (-3 * 3600 - 1, 401),   # older than the default tolerance
    (-3 * 3600, 200),
    (300, 200),              # a little clock skew
    (301, 401),              # more than 5 minutes in the future
])
def test_timestamp_window(client, clock, fake_redis, offset, status):
    data = zoom.raw(zoom.started())
    response = post_raw(client, data, zoom.signed_headers(data, int(clock()) + offset))
    assert response.status_code == status
    if status == 401:
        assert snapshot(fake_redis) == {}


@pytest.mark.parametrize("data, message", [
    (b"not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"event": "meeting.started", "payload": {}}', "event_ts"),
    (b'{"event": "meeting.started", "event_ts": "1", "payload": {}}', "event_ts"),
    (b'{"event_ts": 1795000000000, "payload": {}}', "event"),
    (b'{"event": "meeting.started", "event_ts": 1795000000000, "payload": []}', "payload"),
    (b'{"event": "meeting.participant_joined", "event_ts": 1795000000000, "payload": {"object": {"uuid": "u",'
     b' "participant": {"user_id": "1", "join_time": "yesterday"}}}}', "join_time"),
    (b'{"event": "endpoint.url_validation", "event_ts": 1795000000000, "payload": {}}', "plainToken"),
])
def test_bodies_that_are_not_zoom_events_get_400_and_store_nothing(client, clock, fake_redis, data, message):
    response = post_raw(client, data, zoom.signed_headers(data, int(clock())))
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert snapshot(fake_redis) == {}


@pytest.mark.parametrize("data", [
    b'{"event": "meeting.started", "event_ts": 1795000000000, "payload": {"object": {"id": 1}}}',
    b'{"event": "meeting.participant_joined", "event_ts": 1795000000000, "payload": {"object": {"uuid": "u",'
    b' "participant": {"user_name": "x", "join_time": "2026-01-01T00:00:00Z"}}}}',
])
def test_a_zoom_event_that_names_no_meeting_or_connection_is_answered_ignored_and_counted(client, clock, fake_redis,
                                                                                         data):
    """contracts.md, Replay: a Zoom event the monitor cannot attach to a meeting instance is skipped and counted;
    Zoom must not retry it for three days."""
    response = post_raw(client, data, zoom.signed_headers(data, int(clock())))
    assert (response.status_code, response.get_json()) == (200, {"status": "ignored"})
    kind = json.loads(data)["event"]
    assert fake_redis.hgetall("zm:{monitor}:ignored") == {kind.encode(): b"1"}
    assert not [key for key in fake_redis.keys() if b"zm:{u}" in key]


def test_oversized_body_gets_413_and_stores_nothing(client, clock, fake_redis, school_config):
    event = zoom.started()
    event["payload"]["object"]["topic"] = "x" * school_config.webhook.max_body_bytes
    data = zoom.raw(event)
    response = post_raw(client, data, zoom.signed_headers(data, int(clock())))
    assert response.status_code == 413
    assert snapshot(fake_redis) == {}


def test_unknown_kinds_are_accepted_counted_and_ignored(deliver, client, fake_redis):
    event = {"event": "meeting.rtms_started", "event_ts": zoom.T0 * 1000, "payload": {"object": {"uuid": "x"}}}
    assert deliver(event).get_json() == {"status": "ignored"}
    assert deliver(event).get_json() == {"status": "duplicate"}
    assert deliver(zoom.body("meeting.created", zoom.T0, zoom.meeting_object())).get_json() == {"status": "ignored"}
    listing = client.get("/api/meetings", headers={"Authorization": "Bearer test-api-token"}).get_json()
    assert listing == {"meetings": [], "ignored_events": {"meeting.rtms_started": 1, "meeting.created": 1}}


def test_redis_down_gives_503_so_that_zoom_retries(services, clock, caplog):
    dead = connect_redis("redis://127.0.0.1:1/0")
    client = create_app(dataclasses.replace(services, redis=dead)).test_client()
    data = zoom.raw(zoom.joined(zoom.T0, "conn-1", "p1@gatehouse.sch.uk"))
    started = time.monotonic()
    response = post_raw(client, data, zoom.signed_headers(data, int(clock())))
    assert time.monotonic() - started < 2.5, "Zoom gives up after 3 seconds"
    assert response.status_code == 503
    assert "retry" in response.get_json()["error"]
    assert "Redis unavailable" in caplog.text
    assert "p1@gatehouse" not in caplog.text


def test_log_lines_carry_no_names_or_emails(deliver, caplog):
    caplog.set_level("DEBUG")
    deliver(zoom.joined(zoom.T0, "conn-1", "pupil.one@gatehouse.sch.uk", name="Pupil One"))
    deliver({"event": "meeting.participant_joined", "event_ts": 1, "payload": {"object": {"uuid": "u"}}})
    assert caplog.records
    assert "pupil.one" not in caplog.text and "Pupil One" not in caplog.text


def test_database_down_gives_503_and_the_retry_loses_nothing(services, clock, tmp_path, caplog):
    from sqlalchemy import create_engine

    dead = dataclasses.replace(services, database=create_engine(f"sqlite:///{tmp_path}/missing/dir/x.db"))
    stream = [zoom.joined(zoom.T0, "p1", "pupil1@gatehouse.sch.uk"),
              zoom.joined(zoom.T0, "p2", "pupil2@gatehouse.sch.uk"),
              zoom.joined(zoom.T0 + 1, "x", "")]
    statuses = []
    for client in (create_app(dead).test_client(), create_app(services).test_client()):   # Zoom retries later
        for event in stream:
            data = zoom.raw(event)
            statuses.append(post_raw(client, data, zoom.signed_headers(data, int(clock()))).status_code)
    assert statuses == [200, 200, 503, 200, 200, 200]
    assert "database unavailable" in caplog.text
    assert [(i["rule"], i["subject"]) for i in services.incidents.list()] == [("external_participant", None)]
