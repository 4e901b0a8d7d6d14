"""The queue's filters and counts, assignment and notes, chronologies, the staff-concern view, the live lessons
board, and which role may open which page."""
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from monitor.incidents.concerned import person_key

from ..signing_in import add, csrf, signed_in
from ..staff_pages import ALONE, PUPIL, TEACHER, audit, rows, shown_as
from .test_every_rule import text as words


def test_the_queue_counts_by_status_and_filters(services, web, a_day):
    web = signed_in(services, web, "dsl")
    page = web.get("/incidents").get_data(as_text=True)
    assert re.search(r'<span class="n">3</span> not acknowledged', page)
    assert rows(web.get("/incidents")).count("Not acknowledged") == 3
    assert "status-row-new" in rows(web.get("/incidents"))

    only = rows(web.get("/incidents?rule=fewer_than_two_pupils"))
    assert "alone with" in only and "outside the school" not in only
    by_teacher = rows(web.get(f"/incidents?host={TEACHER}&severity=high"))
    assert by_teacher.count("data-id") == 2 and "not hosted by a teacher" not in by_teacher
    assert rows(web.get("/incidents?severity=low")) == ""
    # days are the school's: lesson 1 was on Wednesday 18 November, lesson 2 on the 19th
    assert rows(web.get("/incidents?since=2026-11-19")).count("data-id") == 1
    assert rows(web.get("/incidents?until=2026-11-18")).count("data-id") == 2
    assert rows(web.get("/incidents?since=2026-11-20")) == ""

    # an alert about several incidents of one lesson links to that lesson's incidents
    lesson = services.incidents.get(a_day["external_participant"])["meeting_uuid"]
    one = web.get("/incidents", query_string={"meeting_uuid": lesson}).get_data(as_text=True)
    assert rows(web.get("/incidents", query_string={"meeting_uuid": lesson})).count("data-id") == 2
    assert "Showing one lesson's incidents" in one and "Show every lesson" in one

    token = csrf(web.get(f"/incidents/{a_day['external_participant']}").data)
    web.post(f"/incidents/{a_day['external_participant']}/acknowledge", data={"csrf_token": token})
    page = web.get("/incidents").get_data(as_text=True)
    assert re.search(r'<span class="n">2</span> not acknowledged', page)
    assert re.search(r'<span class="n">1</span> acknowledged', page)
    assert rows(web.get("/incidents?status=acknowledged")).count("data-id") == 1


def test_the_export_follows_the_filters(services, web, a_day):
    web = signed_in(services, web, "dsl")
    exported = web.get("/incidents.csv?rule=fewer_than_two_pupils").get_data(as_text=True).splitlines()
    assert len(exported) == 2 and "fewer_than_two_pupils" in exported[1]
    assert ALONE not in "".join(exported)


def test_assign_with_a_due_date_and_see_it_overdue(services, web, a_day):
    web = signed_in(services, web, "dsl")
    add(services, "deputy@gatehouse.sch.uk", "deputy")
    incident_id = a_day["fewer_than_two_pupils"]
    token = csrf(web.get(f"/incidents/{incident_id}").data)
    web.post(f"/incidents/{incident_id}/assign", data={"csrf_token": token, "assignee": "deputy@gatehouse.sch.uk",
                                                       "due_on": "2026-11-19"})  # today, at the school
    assigned = services.incidents.get(incident_id)
    assert (assigned["assigned_to"], assigned["due_on"]) == ("deputy@gatehouse.sch.uk", "2026-11-19")
    listing = rows(web.get("/incidents"))
    assert shown_as(listing, "deputy", "deputy@gatehouse.sch.uk") and ", due Thu 19 Nov 2026" in words(listing)
    assert "overdue" not in listing
    for hours in (8, 8):  # to the next day at the school, signed in all along
        services.clock.advance(hours * 3600)
        listing = rows(web.get("/incidents"))
    assert "overdue" in listing
    refused = web.post(f"/incidents/{incident_id}/assign", data={"csrf_token": token, "assignee": "nobody@x.org"},
                       follow_redirects=True)
    assert b"Nothing was changed" in refused.data
    assert services.incidents.get(incident_id)["assigned_to"] == "deputy@gatehouse.sch.uk"
    add(services, "gone@gatehouse.sch.uk", "deputy")
    services.accounts.disable("gone@gatehouse.sch.uk")  # a deputy who has left the school
    assert b"gone@gatehouse.sch.uk" not in web.get(f"/incidents/{incident_id}").data
    web.post(f"/incidents/{incident_id}/assign", data={"csrf_token": token, "assignee": "gone@gatehouse.sch.uk"})
    assert services.incidents.get(incident_id)["assigned_to"] == "deputy@gatehouse.sch.uk"
    assert ("assign", {"to": "deputy@gatehouse.sch.uk", "due_on": "2026-11-19"}) in [
        (h["action"], h["detail"]) for h in services.triage.history(incident_id)]


def test_notes_are_kept_shown_audited_and_never_edited(services, web, a_day):
    web = signed_in(services, web, "deputy")
    incident_id = a_day["external_participant"]
    token = csrf(web.get(f"/incidents/{incident_id}").data)
    web.post(f"/incidents/{incident_id}/notes", data={"csrf_token": token, "text": "Called the parent at 10:30."})
    assert b"Nothing was changed" in web.post(f"/incidents/{incident_id}/notes", data={"csrf_token": token,
                                                                                       "text": "  "},
                                              follow_redirects=True).data
    page = web.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Called the parent at 10:30." in page and "deputy@gatehouse.sch.uk" in page
    assert [n["text"] for n in services.triage.notes(incident_id)] == ["Called the parent at 10:30."]
    assert "note" in [h["action"] for h in services.triage.history(incident_id)]
    for statement in ("UPDATE incident_notes SET text = 'nothing'", "DELETE FROM incident_notes"):
        with pytest.raises(DatabaseError, match="append-only"):
            with services.database.begin() as conn:
                conn.execute(text(statement))


def test_a_pupils_chronology(services, web, a_day):
    web = signed_in(services, web, "dsl")
    incident_page = web.get(f"/incidents/{a_day['external_participant']}").get_data(as_text=True)
    link = f"/people/{person_key(PUPIL)}"
    assert link in incident_page and PUPIL not in link
    page = web.get(link).get_data(as_text=True)
    assert "Chronology: Pupil One" in page
    assert "outside the school" in page and "not hosted by a teacher" in page and "alone with" not in page
    assert ("chronology", {"person": PUPIL}) in [(e.action, e.detail) for e in audit(services)]
    assert web.get("/people/unknown").status_code == 404


def test_a_staff_members_chronology_and_the_staff_concern_view(services, web, a_day):
    web = signed_in(services, web, "headteacher")
    concerns = web.get("/staff-concerns").get_data(as_text=True)
    assert "Alex Teacher" in concerns and "alone with" in concerns
    page = web.get(f"/people/{person_key(TEACHER)}").get_data(as_text=True)
    assert "Chronology: Alex Teacher" in page and "alone with" in page
    assert web.get(f"/people/{person_key(PUPIL)}").status_code == 403  # the headteacher's view is of staff


def test_the_live_lessons_board(services, web, a_day):
    web = signed_in(services, web, "viewer")
    board = web.get("/lessons").get_data(as_text=True)
    body = board[board.index("<tbody>"):]
    assert body.count("<tr") == 1  # lesson 1 has ended
    assert shown_as(body, "Alex Teacher", TEACHER) and "Alex Teacher (teacher)" in words(web.get("/lessons"))
    assert "<td>1</td>" in body and "recording" in body
    assert "alone with" in body
    assert ALONE not in board and "Pupil Alone" not in board


ROLES = ("dsl", "deputy", "headteacher", "viewer")
ALLOWED = {
    "staff.incidents": ROLES, "staff.incident": ROLES, "staff.lessons": ROLES,
    "staff.export": ("dsl", "deputy"), "staff.acknowledge": ("dsl", "deputy"), "staff.close": ("dsl", "deputy"),
    "staff.reopen": ("dsl", "deputy"), "staff.assign": ("dsl", "deputy"), "staff.add_note": ("dsl", "deputy"),
    "staff.chronology": ("dsl", "deputy", "headteacher"), "staff.staff_concerns": ("dsl", "deputy", "headteacher"),
    "digests.digests": ("dsl", "deputy", "headteacher"), "digests.digest": ("dsl", "deputy", "headteacher"),
    "findings.zoom_settings": ("dsl", "deputy", "headteacher"),
    "privacy.person_search": ("dsl", "deputy"), "privacy.person_export": ("dsl", "deputy"),
    "privacy.person_export_json": ("dsl", "deputy"),
}
NOT_STAFF_PAGES = ("static", "staff.home", "api.", "alerts_api.", "findings_api.", "accounts.", "metrics.")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_refuses_the_wrong_role(services, app, web, a_day, role):
    pages = {r.endpoint: r for r in app.url_map.iter_rules() if not r.endpoint.startswith(NOT_STAFF_PAGES)}
    assert set(pages) == set(ALLOWED), "a page was added or removed: say who may open it in ALLOWED"
    web = signed_in(services, web, role)
    token = csrf(web.get("/incidents").data)
    for endpoint, rule in pages.items():
        path = rule.rule.replace("<int:incident_id>", str(a_day["non_teacher_host"])).replace(
            "<key>", person_key(TEACHER)).replace("<week>", "2026-W47")
        method = "POST" if "POST" in rule.methods else "GET"
        status = web.open(path, method=method, data={"csrf_token": token}).status_code
        if role in ALLOWED[endpoint]:
            assert status in (200, 303), f"{role} could not {method} {path}: {status}"
        else:
            assert status == 403, f"{role} was not refused {method} {path}: {status}"


def test_incidents_opened_before_the_chronologies_are_found_in_them(tmp_path):
    """The schema revision that added chronologies reads who each earlier incident concerned from its evidence."""
    from alembic import command
    from sqlalchemy import create_engine

    from monitor.migrations import alembic_config, migrate

    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
        evidence = ('{"roster": {"pupil": [{"email": "%s", "name": "Pupil One"}], "external": [{"email": null}]},'
                    ' "host": {"email": "%s", "class": "teacher"}}' % (PUPIL, TEACHER))
        conn.execute(text("INSERT INTO incidents (id, meeting_uuid, rule, subject_key, severity, began_at, opened_at,"
                          " evidence) VALUES (7, 'u', 'external_participant', '', 'high', '2026-11-18 10:00:00',"
                          " '2026-11-18 10:00:00', :e)"), {"e": evidence})
        conn.execute(text("INSERT INTO incident_occurrences (incident_id, began_at, opened_at, evidence)"
                          " VALUES (7, '2026-11-18 10:00:00', '2026-11-18 10:00:00', :e)"), {"e": evidence})
    migrate(engine)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT email, person_key, person_class FROM incident_people ORDER BY email")).all()
    assert [tuple(r) for r in found] == [(TEACHER, person_key(TEACHER), "teacher"),
                                         (PUPIL, person_key(PUPIL), "pupil")]


def test_the_filters_fold_away_unless_they_are_in_use(services, web, a_day):
    web = signed_in(services, web, "dsl")
    assert '<details class="filters-fold">' in web.get("/incidents").get_data(as_text=True)
    filtered = web.get("/incidents?severity=high").get_data(as_text=True)
    assert '<details class="filters-fold" open>' in filtered and "Filters (in use)" in filtered
