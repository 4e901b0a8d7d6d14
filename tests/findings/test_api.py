"""GET /api/findings: the bearer token, the fields contracts.md names, newest first, the filters."""
from __future__ import annotations

import pytest

from monitor.findings.appendix import meeting_findings, user_findings

from ..school import API_TOKEN
from .settings import LESSON, MEETING, SAFE_AUTHENTICATION, SAFE_MEETING, SAFE_SECURITY, SAFE_USER, TEACHER, at, flipped

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def recorded(services):
    store = services.findings
    store.record("meeting", MEETING, meeting_findings(flipped(SAFE_MEETING, "settings.join_before_host", True),
                                                      "cloud"), at(0), **LESSON, series=True)
    chat = user_findings(flipped(SAFE_USER, "in_meeting.chat", True), SAFE_SECURITY, SAFE_AUTHENTICATION, "cloud")
    store.record("user", TEACHER, chat, at(1))
    store.record("meeting", "81000000002", meeting_findings(flipped(SAFE_MEETING, "password", ""), "cloud"), at(2))
    store.record("meeting", "81000000002", [], at(3.5))
    return store


def test_findings_need_the_bearer_token(client):
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = client.get("/api/findings", headers=headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


def test_findings_newest_first_with_the_fields_of_contracts_md(client, recorded):
    found = client.get("/api/findings", headers=AUTH).get_json()["findings"]
    assert [(f["kind"], f.get("meeting_id"), f.get("user"), f["setting"]) for f in found] == [
        ("meeting", "81000000002", None, "password"), ("user", None, TEACHER, "in_meeting.chat"),
        ("meeting", MEETING, None, "join_before_host")]
    password, chat, jbh = found
    assert password["resolved_at"] == "2026-11-18T11:03:30Z"
    assert {key: jbh[key] for key in ("expected", "actual", "first_seen", "last_seen", "resolved_at", "topic",
                                      "host_email", "start_time", "series")} == {
        "expected": "false", "actual": "true", "first_seen": "2026-11-18T11:00:00Z",
        "last_seen": "2026-11-18T11:00:00Z", "resolved_at": None, "topic": "Year 9 Maths", "host_email": TEACHER,
        "start_time": "2026-11-19T10:00:00Z", "series": True}
    assert jbh["words"] == "Join before host is on: pupils can be in the lesson before the teacher."
    assert jbh["fix"].startswith("In Zoom: Meetings > edit the lesson > ")
    assert "meeting_id" not in chat and "topic" not in chat
    assert (chat["expected"], chat["actual"]) == ("false", "true") and chat["fix"].startswith("In Zoom: Settings > ")


def test_findings_by_kind_and_open(client, recorded):
    def settings(query: str) -> list[str]:
        return [f["setting"] for f in client.get(f"/api/findings?{query}", headers=AUTH).get_json()["findings"]]

    assert settings("kind=meeting") == ["password", "join_before_host"]
    assert settings("kind=user") == ["in_meeting.chat"]
    assert settings("open=true") == ["in_meeting.chat", "join_before_host"]
    assert settings("open=true&kind=meeting") == ["join_before_host"]
    assert settings("open=false") == settings("") == ["password", "in_meeting.chat", "join_before_host"]
    assert settings("limit=1") == ["password"]


@pytest.mark.parametrize(("query", "parameter"), [("kind=teacher", "kind"), ("open=maybe", "open"),
                                                  ("limit=0", "limit")])
def test_a_bad_filter_is_refused_naming_it(client, query, parameter):
    response = client.get(f"/api/findings?{query}", headers=AUTH)
    assert response.status_code == 400 and response.get_json()["parameter"] == parameter


def test_nothing_read_is_an_empty_list(client):
    assert client.get("/api/findings", headers=AUTH).get_json() == {"findings": []}
