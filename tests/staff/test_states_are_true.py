"""What a busy DSL reads must be true: an incident clears when its meeting ends, and says when; an event has nothing
to clear; an incident never waits "not yet" for a meeting that is over."""
from datetime import date, timedelta

from monitor.alerting.store import AlertStore
from monitor.clock import utc_now
from monitor.incidents.concerned import person_key
from monitor.pipeline import Pipeline
from monitor.replay import replay
from monitor.rules import BY_ID

from .. import zoom
from ..api.test_api_incidents import AUTH
from ..replay.examples import EXAMPLES
from ..signing_in import signed_in
from ..staff_pages import EVENING_UUID, PUPIL, PUPIL_TWO, TEACHER
from .test_every_rule import text

MORNING_END = "Cleared Wed 18 Nov 2026, 11:16"  # the morning lesson ended at T0 + 600


def test_an_ended_lessons_incidents_say_when_they_cleared_and_a_lesson_under_way_says_not_yet(
        services, web, every_rule):
    web = signed_in(services, web, "dsl")
    for (rule, _), incident_id in every_rule.items():
        incident = services.incidents.get(incident_id)
        page = text(web.get(f"/incidents/{incident_id}"))
        if not BY_ID[rule].settles:
            assert "Cleared" not in page and "not yet" not in page, rule  # an event or a latch: nothing to clear
        elif incident["meeting_uuid"] == EVENING_UUID:
            assert "Cleared not yet" in page, rule  # the evening lesson is still going on
        else:
            assert "Cleared Wed 18 Nov 2026, 11:" in page and "not yet" not in page, rule


def a_lesson(services, notifier) -> Pipeline:
    pipeline = Pipeline.on_redis(services.config, services.redis, services.clock, services.incidents, notifier)
    for event in (zoom.started(zoom.T0), zoom.recording("started", zoom.T0),
                  zoom.joined(zoom.T0, "t", TEACHER, user_id=zoom.HOST_ID, name="Alex Teacher"),
                  zoom.joined(zoom.T0, "p1", PUPIL, name="Pupil One"),
                  zoom.joined(zoom.T0, "p2", PUPIL_TWO, name="Pupil Two")):
        pipeline.process(event)
    return pipeline


def an_outsider_in_a_lesson(services, notifier) -> dict:
    """The lesson, which an outsider joins a minute in: its one incident."""
    a_lesson(services, notifier).process(zoom.joined(zoom.T0 + 60, "x", "", name="Unknown Caller"))
    [incident] = services.incidents.list()
    return incident


def test_an_outsider_whose_join_came_after_the_end_cleared_when_the_lesson_ended(services, notifier, web):
    pipeline = a_lesson(services, notifier)
    services.clock.set(zoom.T0 + 600)
    pipeline.process(zoom.ended(zoom.T0 + 600))
    services.clock.set(zoom.T0 + 700)
    pipeline.process(zoom.joined(zoom.T0 + 60, "x", "", name="Unknown Caller"))  # Zoom delivered it late
    [incident] = services.incidents.list(rule="external_participant")
    assert incident["cleared_at"] == "2026-11-18T11:16:40Z"
    page = text(signed_in(services, web, "dsl").get(f"/incidents/{incident['id']}"))
    assert MORNING_END in page and "not yet" not in page


def test_a_lesson_whose_end_never_came_clears_when_it_is_taken_as_over(services, notifier, web):
    pipeline = a_lesson(services, notifier)
    services.clock.set(zoom.T0 + 60)
    pipeline.process(zoom.joined(zoom.T0 + 60, "x", "", name="Unknown Caller"))
    services.clock.set(zoom.T0 + 600)
    pipeline.process(zoom.left(zoom.T0 + 600, "x", ""))  # the outsider left; the lesson went quiet, no meeting.ended
    pipeline.process(zoom.joined(zoom.T0 + 600, "y", "", name="Another Caller"))
    assert services.incidents.list(rule="external_participant")[0]["cleared_at"] is None  # still someone outside
    pipeline.record_unended(zoom.T0 * 1000 + 86_400_000)
    [incident] = services.incidents.list(rule="external_participant")
    assert incident["cleared_at"] == "2026-11-18T11:16:40Z"  # its last join or leave
    page = text(signed_in(services, web, "dsl").get(f"/incidents/{incident['id']}"))
    assert MORNING_END in page and "not yet" not in page


def test_a_replayed_incident_says_no_alert_was_sent_on_its_page_the_queue_and_the_api(services, web, client):
    [example] = [path for path in EXAMPLES if path.stem == "1000-external-participant"]
    [opened] = replay([example], services.config, database_url=str(services.database.url)).incidents
    assert opened["alert_state"] == "replayed"
    [listed] = client.get("/api/incidents", headers=AUTH).get_json()["incidents"]
    assert listed["alert_state"] == "replayed"
    web = signed_in(services, web, "dsl")
    for page in (web.get(f"/incidents/{opened['id']}"), web.get("/incidents")):
        assert "no alert (replayed)" in text(page) and "waiting to be sent" not in text(page)


def test_an_incident_with_no_route_for_its_rule_says_so(services, notifier, web):
    incident = an_outsider_in_a_lesson(services, notifier)
    web = signed_in(services, web, "dsl")
    assert "waiting to be sent" in text(web.get(f"/incidents/{incident['id']}"))
    AlertStore(services.database).settle([incident["id"]], "unrouted")
    for page in (web.get(f"/incidents/{incident['id']}"), web.get("/incidents")):
        assert "no alert channel for this rule" in text(page) and "waiting to be sent" not in text(page)


def test_a_closed_incident_is_never_unacknowledged_or_overdue_in_the_queue_or_a_chronology(services, notifier, web):
    incident = an_outsider_in_a_lesson(services, notifier)
    web = signed_in(services, web, "dsl")
    dsl = (None, "dsl@gatehouse.sch.uk")
    overdue = date.fromtimestamp(zoom.T0) - timedelta(days=1)
    assert services.triage.assign(dsl, incident["id"], "dsl@gatehouse.sch.uk", overdue, utc_now(services.clock))
    queue = text(web.get("/incidents"))
    assert "Not acknowledged" in queue and "overdue" in queue and "1 not acknowledged" in queue  # before it is closed
    assert services.triage.close(dsl, incident["id"], "no_action", "A parent joining by mistake.",
                                 utc_now(services.clock))
    queue = text(web.get("/incidents"))
    assert "Not acknowledged" not in queue and "overdue" not in queue and "0 not acknowledged" in queue
    chronology = text(web.get(f"/people/{person_key(PUPIL)}"))
    assert "closed" in chronology and "new" not in chronology.split("Status", 1)[1]
