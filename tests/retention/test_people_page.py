"""The DSL's page of a person's data: found by e-mail (never in an address), exactly their incidents, no one else
named, as JSON too, audited; refused to the other roles; and on paper, only the content."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from monitor.incidents.concerned import person_key

from ..signing_in import csrf, signed_in
from ..staff_pages import PUPIL, PUPIL_TWO, audit
from .test_people import appearing_in

ROOT = Path(__file__).resolve().parents[2]


def exported_ids(html: str) -> list[int]:
    return sorted(int(n) for n in re.findall(r"<h3>#(\d+) ", html))


def test_the_dsl_finds_a_pupil_by_e_mail_and_sees_exactly_their_incidents(services, web, every_rule):
    web = signed_in(services, web, "dsl")
    form = web.get("/people/export")
    assert form.status_code == 200 and "<h1>A person's data</h1>" in form.get_data(as_text=True)
    found = web.post("/people/export", data={"email": " Pupil.Two@Gatehouse.sch.uk ", "csrf_token": csrf(form.data)})
    assert found.status_code == 303 and found.location.endswith(f"/people/{person_key(PUPIL_TWO)}/export")
    page = web.get(found.location).get_data(as_text=True)
    assert exported_ids(page) == appearing_in(services, PUPIL_TWO)
    assert PUPIL not in page and "Pupil One" not in page
    assert "Shared their whole screen (as a pupil)" in page
    assert "Present, as a pupil, named “Pupil Two” in Zoom" in page
    entry = audit(services)[-1]
    assert (entry.action, entry.detail["person"], entry.detail["via"]) == ("export", person_key(PUPIL_TWO), "page")
    assert PUPIL_TWO not in json.dumps(entry.detail)


def test_the_same_as_json(services, web, every_rule):
    web = signed_in(services, web, "deputy")
    answer = web.get(f"/people/{person_key(PUPIL_TWO)}/export.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="person-{person_key(PUPIL_TWO)}.json"'
    assert answer.headers["Cache-Control"] == "no-store"
    assert sorted(i["id"] for i in answer.get_json()["incidents"]) == appearing_in(services, PUPIL_TWO)
    assert audit(services)[-1].detail["via"] == "json"


def test_someone_of_whom_nothing_is_held(services, web, every_rule):
    web = signed_in(services, web, "dsl")
    token = csrf(web.get("/people/export").data)
    page = web.post("/people/export", data={"email": "nobody@elsewhere.org", "csrf_token": token})
    assert page.status_code == 200 and "Incidents they appear in: 0" in page.get_data(as_text=True)
    assert audit(services)[-1].detail == {"person": person_key("nobody@elsewhere.org"), "via": "page",
                                          "incidents": []}
    assert web.get(f"/people/{person_key('nobody@elsewhere.org')}/export").status_code == 404
    wrong = web.post("/people/export", data={"email": "not an address", "csrf_token": token})
    assert wrong.status_code == 200 and "not an e-mail address" in wrong.get_data(as_text=True)


@pytest.mark.parametrize("role", ["headteacher", "viewer"])
def test_other_roles_are_refused(services, web, every_rule, role):
    web = signed_in(services, web, role)
    token = csrf(web.get("/incidents").data)
    key = person_key(PUPIL_TWO)
    assert web.get("/people/export").status_code == 403
    assert web.post("/people/export", data={"email": PUPIL_TWO, "csrf_token": token}).status_code == 403
    assert web.get(f"/people/{key}/export").status_code == 403
    assert web.get(f"/people/{key}/export.json").status_code == 403
    assert "export" not in [entry.action for entry in audit(services)]


def test_on_paper_only_the_content_shows(services, web, every_rule, browser):
    web = signed_in(services, web, "dsl")
    html = web.get(f"/people/{person_key(PUPIL_TWO)}/export").get_data(as_text=True)
    css = (ROOT / "monitor/static/monitor.css").read_text()
    html = re.sub(r'<link rel="stylesheet"[^>]*>', f"<style>{css}</style>", html)
    html = re.sub(r"<script[^>]*></script>", "", html)
    page = browser.new_page()
    try:
        page.set_content(html)
        assert page.locator("header").is_visible()
        page.emulate_media(media="print")
        assert not page.locator("header").is_visible() and not page.locator(".no-print").is_visible()
        assert page.locator(".export-incident").count() == len(appearing_in(services, PUPIL_TWO))
        assert page.locator(".export-incident").first.is_visible()
        assert page.pdf(format="A4").startswith(b"%PDF")
    finally:
        page.close()
