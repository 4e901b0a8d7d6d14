"""GET /api/incidents: bearer token, filters, bad parameters, database down."""
import dataclasses
import logging

import pytest
from sqlalchemy import create_engine

from monitor.app import create_app

from ..confirmations import OTHER_UUID, UUID, at, confirmation
from ..school import API_TOKEN

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def opened(services):
    """Three incidents: ids by name, opened in the order a, b, c."""
    store = services.incidents
    return {
        "a": store.confirm(confirmation(at(0)))[0],
        "b": store.confirm(confirmation(at(60), rule="external_participant", subject="x@evil.example"))[0],
        "c": store.confirm(confirmation(at(120), rule="non_teacher_host", meeting_uuid=OTHER_UUID))[0],
    }


def ids(client, query: str = "") -> list[int]:
    response = client.get(f"/api/incidents{query}", headers=AUTH)
    assert response.status_code == 200, response.get_json()
    return [incident["id"] for incident in response.get_json()["incidents"]]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": API_TOKEN}])
def test_incidents_need_the_bearer_token(client, headers):
    response = client.get("/api/incidents", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_no_incidents_yet(client):
    assert client.get("/api/incidents", headers=AUTH).get_json() == {"incidents": []}


def test_incidents_are_listed_newest_first_as_the_store_shows_them(client, services, opened):
    listed = client.get("/api/incidents", headers=AUTH).get_json()["incidents"]
    assert [i["id"] for i in listed] == [opened["c"], opened["b"], opened["a"]]
    assert listed[2] == services.incidents.get(opened["a"])
    assert listed[2]["subject"] is None and listed[2]["opened_at"] == "2026-11-18T11:06:40Z"


def test_incidents_filter_by_rule_status_meeting_and_since(client, opened):
    assert ids(client, "?rule=external_participant") == [opened["b"]]
    assert ids(client, f"?meeting_uuid={OTHER_UUID}") == [opened["c"]]
    assert ids(client, f"?meeting_uuid={UUID}&rule=no_recording") == [opened["a"]]
    assert ids(client, "?status=new") == [opened["c"], opened["b"], opened["a"]]
    assert ids(client, "?status=closed") == []
    assert ids(client, "?since=2026-11-18T11:07:40Z") == [opened["c"], opened["b"]]
    assert ids(client, "?since=2026-11-18T12:07:41%2B01:00") == [opened["c"]]
    assert ids(client, "?since=2026-11-18T11:07:40") == [opened["c"], opened["b"]]  # no offset: UTC
    assert ids(client, "?since=2026-11-19") == []
    assert ids(client, "?limit=1") == [opened["c"]]
    assert ids(client, "?rule=&since=") == [opened["c"], opened["b"], opened["a"]]  # empty: no filter


@pytest.mark.parametrize("query, parameter", [("since=yesterday", "since"), ("since=2026-13-01", "since"),
                                              ("limit=0", "limit"), ("limit=ten", "limit"), ("limit=100000", "limit")])
def test_a_bad_parameter_is_named_in_a_400(client, query, parameter):
    response = client.get(f"/api/incidents?{query}", headers=AUTH)
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == parameter and parameter in body["error"]


def test_incidents_answer_503_when_the_database_is_down(services, tmp_path, caplog):
    dead_db = dataclasses.replace(services, database=create_engine(f"sqlite:///{tmp_path}/no/such/dir/x.db"))
    with caplog.at_level(logging.ERROR, logger="monitor.api"):
        response = create_app(dead_db).test_client().get("/api/incidents", headers=AUTH)
    assert response.status_code == 503
    assert response.get_json() == {"error": "the database is unavailable"}
    assert "incidents unavailable" in caplog.text
