"""GET /metrics on the web app: behind the API's token, in Prometheus' format, with the counters moving as
deliveries, incidents and alerts happen, and the gauges read from Redis."""
from __future__ import annotations

from rq import Retry

from monitor.alerting import notify
from monitor.app import create_app
from monitor.metrics.instruments import OTHER_KIND
from monitor.zoom_api import ZoomApi

from .. import zoom
from ..alerting.test_alerts import outsider_lesson, run_worker
from ..school import API_TOKEN
from ..zoom_api_server import safe_meeting
from .scraped import samples, value

TOKEN = {"Authorization": f"Bearer {API_TOKEN}"}
PUPILS = ("pupil1@gatehouse.sch.uk", "pupil2@gatehouse.sch.uk")


def scrape(client) -> dict:
    answer = client.get("/metrics", headers=TOKEN)
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain")
    return samples(answer.get_data(as_text=True))


def deliveries(found, kind: str, outcome: str) -> float:
    return value(found, "monitor_webhook_deliveries_total", kind=kind, outcome=outcome)


def test_metrics_need_the_api_token(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers=TOKEN).status_code == 200


def test_each_delivery_is_counted_by_kind_and_answer(client, deliver, clock):
    before = scrape(client)
    deliver(zoom.started(zoom.T0))
    deliver(zoom.started(zoom.T0))                                   # Zoom's retry
    deliver({**zoom.started(zoom.T0), "event": "meeting.something_new"})
    client.post("/zoom/webhook", data=b"{}", headers={"x-zm-signature": "v0=bad", "x-zm-request-timestamp": "1"})
    after = scrape(client)

    def moved(kind, outcome):
        return deliveries(after, kind, outcome) - deliveries(before, kind, outcome)

    assert moved("meeting.started", "applied") == 1
    assert moved("meeting.started", "duplicate") == 1
    assert moved(OTHER_KIND, "ignored") == 1                        # a kind the monitor does not model: no new series
    assert moved("unknown", "unauthorized") == 1
    assert (value(after, "monitor_webhook_ack_seconds_count") - value(before, "monitor_webhook_ack_seconds_count")
            == 4)


def test_a_delivery_that_cannot_be_stored_counts_a_redis_error(client, deliver, services, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(*_args, **_kwargs):
        raise RedisConnectionError("down")

    before = scrape(client)
    monkeypatch.setattr(services.pipeline, "handle", down)
    assert deliver(zoom.started(zoom.T0)).status_code == 503
    monkeypatch.undo()
    after = scrape(client)
    assert deliveries(after, "meeting.started", "unavailable") - deliveries(before, "meeting.started", "unavailable") \
        == 1
    assert (value(after, "monitor_storage_errors_total", store="redis")
            - value(before, "monitor_storage_errors_total", store="redis")) == 1


def test_an_opened_incident_is_counted_by_rule_and_no_one_is_named(client, services, deliver):
    before = scrape(client)
    for event in (zoom.started(zoom.T0), zoom.joined(zoom.T0, "t", "a.teacher@gatehouse.sch.uk"),
                  *(zoom.joined(zoom.T0 + 1, f"p{i}", p, name=f"Pupil {i}") for i, p in enumerate(PUPILS)),
                  zoom.joined(zoom.T0 + 5, "x", "stranger@gmail.com", name="Stranger Danger")):
        assert deliver(event).status_code == 200
    deliver(zoom.joined(zoom.T0 + 5, "x", "stranger@gmail.com", name="Stranger Danger"))   # opens nothing more
    text = client.get("/metrics", headers=TOKEN).get_data(as_text=True)
    after = samples(text)
    rule = "external_participant"
    assert (value(after, "monitor_incidents_opened_total", rule=rule)
            - value(before, "monitor_incidents_opened_total", rule=rule)) == 1
    for private in ("pupil1", "Pupil 0", "stranger", "Stranger", "a.teacher", "Year 9 Maths", zoom.UUID):
        assert private not in text


def test_the_gauges_are_read_from_redis(client, services, deliver, clock):
    for event in (zoom.started(zoom.T0), zoom.joined(zoom.T0, "t", "a.teacher@gatehouse.sch.uk", user_id=zoom.HOST_ID),
                  zoom.joined(zoom.T0, "t2", "a.teacher@gatehouse.sch.uk"),            # a second device: one person
                  *(zoom.joined(zoom.T0 + 1, f"p{i}", p) for i, p in enumerate(PUPILS)),
                  zoom.started(zoom.T0, "ended=="), zoom.joined(zoom.T0, "e", "a.teacher@gatehouse.sch.uk", "ended=="),
                  zoom.ended(zoom.T0 + 2, "ended==")):
        deliver(event)
    found = scrape(client)
    assert value(found, "monitor_redis_up") == 1
    assert value(found, "monitor_live_meetings") == 1
    assert value(found, "monitor_live_participants") == 3
    # not recorded, and for a moment one pupil alone with the teacher (stale since, dropped when it comes due)
    assert value(found, "monitor_checks_pending") == 2
    assert value(found, "monitor_checks_overdue") == 0
    assert value(found, "monitor_checks_overdue_seconds") == 0
    clock.advance(200)                                                  # no worker ran the check
    found = scrape(client)
    assert value(found, "monitor_checks_overdue") == 2
    assert 70 < value(found, "monitor_checks_overdue_seconds") < 200
    assert value(found, "monitor_rq_queued_jobs", queue="alerts") == 0
    assert value(found, "monitor_rq_failed_jobs", queue="alerts") == 0


def test_without_redis_the_scrape_still_answers_and_says_so(client, services, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(*_args, **_kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(services.redis, "scan_iter", down)
    found = scrape(client)
    assert value(found, "monitor_redis_up") == 0
    assert ("monitor_live_meetings", frozenset()) not in found


def alert_deliveries(before, after, channel: str, outcome: str) -> float:
    return (value(after, "monitor_alert_deliveries_total", channel=channel, outcome=outcome)
            - value(before, "monitor_alert_deliveries_total", channel=channel, outcome=outcome))


def test_alerts_delivered_and_failed_are_counted_by_channel(alerting, receiver, monkeypatch):
    svc, mailbox = alerting
    client = create_app(svc).test_client()
    monkeypatch.setattr(notify, "RETRIES", Retry(max=1))
    receiver.status = 500
    before = scrape(client)
    outsider_lesson(svc)
    run_worker(svc)
    after = scrape(client)
    assert [alert_deliveries(before, after, channel, outcome) for channel, outcome in (
        ("dsl", "delivered"), ("slack", "failed"), ("slack", "delivered"), ("slack", "unknown"))] == [1, 2, 0, 0]
    assert value(after, "monitor_rq_failed_jobs", queue="alerts") == 1
    assert len(mailbox.received) == 1


def test_an_attempt_cut_off_mid_send_is_counted_unknown_when_its_retry_finds_it(alerting, receiver, monkeypatch):
    svc, _ = alerting
    client = create_app(svc).test_client()
    monkeypatch.setattr(notify, "RETRIES", Retry(max=1))
    real = notify.make_channel
    stopped = []

    def stopping_once(config, name, **options):
        channel = real(config, name, **options)
        if name == "slack" and not stopped:
            stopped.append(name)
            channel.send = lambda message: (_ for _ in ()).throw(SystemError("the work horse was stopped"))
        return channel

    monkeypatch.setattr(notify, "make_channel", stopping_once)
    before = scrape(client)
    outsider_lesson(svc)
    run_worker(svc)
    after = scrape(client)
    assert [alert_deliveries(before, after, "slack", outcome) for outcome in ("unknown", "delivered", "failed")] \
        == [1, 1, 0]


def test_zoom_api_calls_are_counted_by_endpoint_and_status_without_ids(zoom_api_server, fake_redis, clock, client):
    zoom_api_server.meetings["81000000002"] = safe_meeting("81000000002")
    api = ZoomApi(zoom_api_server.credentials(), fake_redis, max_requests_per_second=50, clock=clock,
                  sleep=clock.advance)
    before = scrape(client)
    try:
        api.meeting("81000000002")
        assert api.meeting("81000000009") is None                        # Zoom has no such meeting
        assert api.user_settings("nobody@gatehouse.sch.uk") is None
        zoom_api_server.fail(count=1, status=503)
        api.meeting("81000000002")                                       # tried again after the 503
    finally:
        api.close()
    text = client.get("/metrics", headers=TOKEN).get_data(as_text=True)
    after = samples(text)

    def moved(endpoint, status):
        return (value(after, "monitor_zoom_api_requests_total", endpoint=endpoint, status=status)
                - value(before, "monitor_zoom_api_requests_total", endpoint=endpoint, status=status))

    assert [moved(*call) for call in (("token", "200"), ("meeting", "200"), ("meeting", "404"),
                                      ("user_settings", "404"), ("meeting", "503"))] == [1, 2, 1, 1, 1]
    assert "81000000002" not in text and "nobody" not in text
