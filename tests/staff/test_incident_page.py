"""The incident page as a busy DSL reads it: the decision panel first with the facts beside it, a confirmation after
every decision, a due date in the past refused, one name for each state in every view, people by name with their
e-mail on hover, dates in the school's format and time zone, who was there folded away past ten people, and the audit
log in sentences."""
import csv
import io
import re
from datetime import datetime, timezone

import pytest

from monitor.config import load_config
from monitor.incidents.concerned import person_key
from monitor.pipeline import Pipeline

from .. import zoom
from ..api.test_api_incidents import AUTH
from ..school import CONFIG_TOML, TEACHER, write_config
from ..signing_in import PASSWORD, csrf, signed_in
from ..staff_pages import PUPIL, rows, shown_as
from .test_every_rule import text

DSL = "dsl@gatehouse.sch.uk"
SAM = "sam.deputy@gatehouse.sch.uk"


@pytest.fixture
def school_config(request, tmp_path):
    """The test school; a parameter adds [school] keys (a date format, a time zone)."""
    extra = getattr(request, "param", "")
    return load_config(write_config(tmp_path, CONFIG_TOML.replace("[school]", "[school]\n" + extra)))


@pytest.fixture
def outsider(services, incidents_in_a_lesson):
    """The incident about the outsider in the lesson (opened Wed 18 Nov 2026 at 11:06, London), with Sam Deputy's
    account there to assign it to."""
    at = datetime.fromtimestamp(services.clock(), timezone.utc)
    services.accounts.add(SAM, "Sam Deputy", "deputy", PASSWORD, totp=False, at=at)
    return incidents_in_a_lesson["external_participant"]


def section(page, start: str, end: str) -> str:
    html = page.get_data(as_text=True)
    return html[html.index(start):html.index(end, html.index(start))]


def flashed(page) -> list[str]:
    return [text(m) for m in re.findall(r'<p class="\w+" role="\w+">(.*?)</p>', page.get_data(as_text=True), re.S)]


def test_the_decision_panel_comes_first_with_the_facts_beside_it(services, web, outsider):
    web = signed_in(services, web, "dsl")
    page = web.get(f"/incidents/{outsider}")
    html = page.get_data(as_text=True)
    assert html.index('class="decision with-actions"') < html.index("Who was there") < html.index("Audit log")
    facts = text(section(page, 'class="key-facts"', "</section>"))
    for fact in ("Status Not acknowledged", "Rule Someone from outside the school", "Severity high",
                 "Lesson Year 9 Maths", "Began Wed 18 Nov 2026, 11:06", "Confirmed Wed 18 Nov 2026, 11:06",
                 "Cleared not yet", "Alert waiting to be sent", "Assigned to nobody yet", "Due no due date"):
        assert fact in facts
    actions = section(page, 'class="actions"', "</section>")
    assert re.findall(r'<button type="submit">(\w+)</button>', actions) == ["Acknowledge", "Assign", "Close"]

    viewer = signed_in(services, web.application.test_client(), "viewer").get(f"/incidents/{outsider}")
    assert 'class="decision"' in viewer.get_data(as_text=True) and 'class="actions"' not in viewer.get_data(True)


def test_every_decision_is_confirmed_on_the_page_it_leads_back_to(services, web, outsider):
    web = signed_in(services, web, "dsl")
    token = csrf(web.get(f"/incidents/{outsider}").data)

    def act(action: str, **data) -> list[str]:
        page = web.post(f"/incidents/{outsider}/{action}", data={"csrf_token": token, **data}, follow_redirects=True)
        assert page.request.path == f"/incidents/{outsider}"
        assert '<p class="done" role="status">' in page.get_data(as_text=True)
        return flashed(page)

    assert act("acknowledge") == ["Acknowledged. Reminders for this incident stop."]
    assert act("assign", assignee=SAM, due_on="2026-12-02") == ["Assigned to Sam Deputy, due Wed 2 Dec 2026."]
    assert act("assign", assignee=DSL) == ["Assigned to dsl, with no due date."]
    assert act("notes", text="Called the teacher.") == ["Note added."]
    assert act("close", outcome="action_taken", rationale="Spoke to the teacher.") == ["Closed: action taken."]
    assert act("reopen", reason="The parent called back.") == ["Reopened."]
    assert act("close", outcome="no_action", rationale="Nothing more.") == ["Closed: no action required."]
    assert flashed(web.get(f"/incidents/{outsider}")) == []  # said once


def test_a_due_date_in_the_past_is_refused_and_nothing_is_stored(services, web, outsider):
    web = signed_in(services, web, "dsl")
    page = web.get(f"/incidents/{outsider}")
    [due_input] = re.findall(r'<input[^>]*name="due_on"[^>]*>', page.get_data(as_text=True))
    assert 'min="2026-11-18"' in due_input  # the browser offers no earlier day
    refused = web.post(f"/incidents/{outsider}/assign", data={
        "csrf_token": csrf(page.data), "assignee": SAM, "due_on": "2026-11-17"}, follow_redirects=True)
    assert flashed(refused) == ["Nothing was changed: Due by: Tue 17 Nov 2026 has passed; choose today "
                                "(Wed 18 Nov 2026) or a later day."]
    assert '<p class="error" role="alert">' in refused.get_data(as_text=True)
    stored = services.incidents.get(outsider)
    assert (stored["assigned_to"], stored["due_on"]) == (None, None)
    assert "assign" not in [h["action"] for h in services.triage.history(outsider)]
    today = web.post(f"/incidents/{outsider}/assign", data={
        "csrf_token": csrf(page.data), "assignee": SAM, "due_on": "2026-11-18"}, follow_redirects=True)
    assert flashed(today) == ["Assigned to Sam Deputy, due Wed 18 Nov 2026."]


@pytest.mark.parametrize("school_config", ['timezone = "Pacific/Auckland"'], indirect=True)
def test_today_is_the_schools_day(services, web, outsider):
    """At 11:10 UTC on the 18th it is already the 19th in Auckland: the 18th has passed there."""
    web = signed_in(services, web, "dsl")
    token = csrf(web.get(f"/incidents/{outsider}").data)
    refused = web.post(f"/incidents/{outsider}/assign", data={"csrf_token": token, "assignee": SAM,
                                                              "due_on": "2026-11-18"}, follow_redirects=True)
    assert "has passed; choose today (Thu 19 Nov 2026)" in flashed(refused)[0]
    assert services.incidents.get(outsider)["assigned_to"] is None


def test_new_is_not_acknowledged_in_every_view_and_new_in_the_api_and_the_export(services, web, client, outsider):
    web = signed_in(services, web, "dsl")
    queue = web.get("/incidents")
    assert rows(queue).count("Not acknowledged") == 2 and ">new<" not in rows(queue)
    assert '<option value="new">not acknowledged</option>' in queue.get_data(as_text=True)
    assert re.search(r'<span class="n">2</span> not acknowledged', queue.get_data(as_text=True))
    assert "Status Not acknowledged" in text(web.get(f"/incidents/{outsider}"))
    chronology = text(web.get(f"/people/{person_key(PUPIL)}"))
    assert chronology.split("Status", 1)[1].count("not acknowledged") == 2 and " new" not in chronology
    assert "2 not acknowledged: #1" in text(web.get("/digests/2026-W47"))

    assert {i["status"] for i in client.get("/api/incidents", headers=AUTH).get_json()["incidents"]} == {"new"}
    exported = csv.DictReader(io.StringIO(web.get("/incidents.csv").get_data(as_text=True)))
    assert {r["status"] for r in exported} == {"new"}


def test_people_are_shown_by_name_with_their_e_mail_on_hover(services, web, outsider):
    web = signed_in(services, web, "dsl")
    token = csrf(web.get(f"/incidents/{outsider}").data)
    web.post(f"/incidents/{outsider}/assign", data={"csrf_token": token, "assignee": SAM})
    web.post(f"/incidents/{outsider}/notes", data={"csrf_token": token, "text": "Called the teacher."})
    page = web.get(f"/incidents/{outsider}")
    facts = section(page, 'class="key-facts"', "</section>")
    assert shown_as(facts, "Alex Teacher", TEACHER)                   # the host, from the staff directory
    assert shown_as(facts, "Sam Deputy", SAM)                         # the assignee, from the accounts
    roster = section(page, 'class="roster"', "</ul>")
    assert shown_as(roster, "Pupil One", PUPIL)                       # a pupil, by the name Zoom gave
    assert "external : Someone" in text(roster)                      # an outsider without an e-mail, by Zoom's name
    notes = section(page, 'class="notes"', "</ul>")
    assert shown_as(notes, "dsl", DSL)                                # the author, by their account's name
    audit = section(page, 'class="audit"', "</ol>")
    assert shown_as(audit, "dsl", DSL) and shown_as(audit, "Sam Deputy", SAM)


def test_someone_without_a_known_name_is_shown_by_their_e_mail(services, web, outsider):
    at = datetime.fromtimestamp(services.clock(), timezone.utc)
    services.accounts.add("nameless@gatehouse.sch.uk", "", "deputy", PASSWORD, totp=False, at=at)
    web = signed_in(services, web, "dsl")
    token = csrf(web.get(f"/incidents/{outsider}").data)
    web.post(f"/incidents/{outsider}/assign", data={"csrf_token": token, "assignee": "nameless@gatehouse.sch.uk"})
    facts = section(web.get(f"/incidents/{outsider}"), 'class="key-facts"', "</section>")
    assert "Assigned to nameless@gatehouse.sch.uk" in text(facts) and 'title="nameless@' not in facts


@pytest.mark.parametrize("school_config", ['date_format = "%d/%m/%Y %H:%M"\nday_format = "%d/%m/%Y"'],
                         indirect=True)
def test_dates_follow_the_schools_format_on_every_page(services, web, outsider):
    web = signed_in(services, web, "dsl")
    token = csrf(web.get(f"/incidents/{outsider}").data)
    web.post(f"/incidents/{outsider}/assign", data={"csrf_token": token, "assignee": SAM, "due_on": "2026-12-02"})
    page = text(web.get(f"/incidents/{outsider}"))
    assert "Began 18/11/2026 11:06" in page and "Due 02/12/2026" in page
    assert "assigned it to Sam Deputy , due 02/12/2026." in page and "viewed it 2 times on 18/11/2026." in page
    assert "18/11/2026 11:06" in text(rows(web.get("/incidents")))
    assert ", due 02/12/2026" in text(rows(web.get("/incidents")))
    assert "18/11/2026 11:06" in text(web.get(f"/people/{person_key(PUPIL)}"))
    assert "18/11/2026 11:" in text(web.get("/staff-concerns"))
    assert "Nov 2026" not in page


@pytest.mark.parametrize("school_config", ['timezone = "Pacific/Auckland"'], indirect=True)
def test_dates_are_in_the_schools_time_zone(services, web, outsider):
    page = text(signed_in(services, web, "dsl").get(f"/incidents/{outsider}"))
    assert "Began Thu 19 Nov 2026, 00:06" in page  # 11:06 UTC is 00:06 the next day in Auckland (UTC+13)


def test_the_audit_log_tells_the_story_in_sentences(services, web, client, outsider):
    web = signed_in(services, web, "dsl")
    token = csrf(web.get(f"/incidents/{outsider}").data)
    web.get(f"/incidents/{outsider}")
    web.post(f"/incidents/{outsider}/acknowledge", data={"csrf_token": token})
    web.post(f"/incidents/{outsider}/assign", data={"csrf_token": token, "assignee": SAM, "due_on": "2026-12-02"})
    web.post(f"/incidents/{outsider}/notes", data={"csrf_token": token, "text": "Called the teacher."})
    web.post(f"/incidents/{outsider}/close", data={"csrf_token": token, "outcome": "action_taken",
                                                   "rationale": "Spoke to the teacher"})
    services.clock.advance(8 * 3600)  # the evening
    web.post(f"/incidents/{outsider}/reopen", data={"csrf_token": token, "reason": "The parent called back."})
    web.post(f"/incidents/{outsider}/assign", data={"csrf_token": token, "assignee": DSL})
    services.clock.advance(6 * 3600)  # the next morning
    page = web.get(f"/incidents/{outsider}")
    lines = [text(line) for line in re.findall(r"<li>(.*?)</li>", section(page, 'class="audit"', "</ol>"), re.S)]
    assert lines == [
        "Wed 18 Nov 2026, 11:10 dsl viewed it 2 times on Wed 18 Nov 2026.",
        "Wed 18 Nov 2026, 11:10 dsl acknowledged it.",
        "Wed 18 Nov 2026, 11:10 dsl assigned it to Sam Deputy , due Wed 2 Dec 2026.",
        "Wed 18 Nov 2026, 11:10 dsl added a note.",
        "Wed 18 Nov 2026, 11:10 dsl closed it: action taken. Rationale: Spoke to the teacher.",
        "Wed 18 Nov 2026, 19:10 dsl reopened it. Reason: The parent called back.",
        "Wed 18 Nov 2026, 19:10 dsl assigned it to dsl , with no due date.",
        "Thu 19 Nov 2026, 01:10 dsl viewed it once on Thu 19 Nov 2026.",
    ]
    assert "{" not in section(page, 'class="audit"', "</ol>")


def test_an_acknowledgement_through_the_api_reads_plainly_too(services, web, client, outsider):
    client.post(f"/api/incidents/{outsider}/acknowledge", json={"by": "Dee on her phone"}, headers=AUTH)
    audit = text(section(signed_in(services, web, "dsl").get(f"/incidents/{outsider}"), 'class="audit"', "</ol>"))
    assert "Dee on her phone (API) acknowledged it." in audit


def a_lesson_with(services, notifier, pupils: int) -> int:
    """An outsider joins a lesson of a teacher and this many pupils; the incident's id."""
    pipeline = Pipeline.on_redis(services.config, services.redis, services.clock, services.incidents, notifier)
    for event in (zoom.started(zoom.T0), zoom.recording("started", zoom.T0),
                  zoom.joined(zoom.T0, "t", TEACHER, user_id=zoom.HOST_ID, name="Alex Teacher"),
                  *(zoom.joined(zoom.T0, f"p{n}", f"pupil{n}@gatehouse.sch.uk", name=f"Pupil {n}")
                    for n in range(pupils)),
                  zoom.joined(zoom.T0 + 1, "x", "", name="Unknown Caller")):
        pipeline.process(event)
    [incident] = services.incidents.list(rule="external_participant")
    return incident["id"]


@pytest.mark.parametrize("pupils, folded", [(8, False), (9, True), (30, True)])
def test_who_was_there_folds_away_past_ten_people(services, web, notifier, pupils, folded):
    incident_id = a_lesson_with(services, notifier, pupils)
    page = signed_in(services, web, "dsl").get(f"/incidents/{incident_id}")
    fold = re.search(r'<details class="roster-fold"( open)?>\s*<summary>(.*?)</summary>', page.get_data(as_text=True),
                     re.S)
    assert fold.group(1) is None if folded else fold.group(1) == " open"
    pupil_words = "1 pupil" if pupils == 1 else f"{pupils} pupils"
    assert text(fold.group(2)) == f"{pupils + 2} people: 1 teacher, {pupil_words}, 1 external"
    assert shown_as(page, f"Pupil {pupils - 1}", f"pupil{pupils - 1}@gatehouse.sch.uk")  # there, when unfolded


def test_a_viewer_sees_the_fold_with_pupils_counted_not_named(services, web, notifier):
    incident_id = a_lesson_with(services, notifier, 12)
    page = signed_in(services, web, "viewer").get(f"/incidents/{incident_id}")
    html = page.get_data(as_text=True)
    assert "14 people: 1 teacher, 12 pupils, 1 external" in text(page) and "12 pupil(s)" in text(page)
    assert "pupil0@" not in html and "Pupil 0" not in html

