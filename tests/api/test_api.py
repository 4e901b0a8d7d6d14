"""Health checks and GET /api/meetings."""
import dataclasses

import pytest
from sqlalchemy import create_engine

from monitor.app import create_app
from monitor.wiring import connect_redis

from .. import zoom
from ..school import API_TOKEN

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
TEACHER = "a.teacher@gatehouse.sch.uk"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": API_TOKEN},
                                     {"Authorization": f"Basic {API_TOKEN}"}])
def test_meetings_need_the_bearer_token(client, headers):
    response = client.get("/api/meetings", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_meetings_show_the_live_roster_by_class(client, deliver):
    for event in (zoom.started(zoom.T0), zoom.joined(zoom.T0 + 1, "t", TEACHER),
                  zoom.joined(zoom.T0 + 2, "p1", "pupil1@gatehouse.sch.uk", name="Pupil One"),
                  zoom.joined(zoom.T0 + 3, "x", ""),
                  zoom.waiting_room("joined_waiting_room", zoom.T0 + 4, "p2", "pupil2@gatehouse.sch.uk"),
                  zoom.recording("started", zoom.T0 + 5)):
        assert deliver(event).status_code == 200
    [meeting] = client.get("/api/meetings", headers=AUTH).get_json()["meetings"]
    assert meeting["counts"] == {"teacher": 1, "pupil": 1, "external": 1}
    assert meeting["host"] == {"email": TEACHER, "class": "teacher", "identified": True}
    assert meeting["recording"] is True and meeting["state"] == "live"
    assert meeting["started_at"] == "2026-11-18T11:06:40Z"
    assert {(p["email"], p["name"], p["class"]) for p in meeting["present"]} == {
        (TEACHER, "Someone", "teacher"), ("pupil1@gatehouse.sch.uk", "Pupil One", "pupil"),
        (None, "Someone", "external")}
    assert [p["email"] for p in meeting["waiting_room"]] == ["pupil2@gatehouse.sch.uk"]


def test_ended_meetings_are_listed_only_on_request(client, deliver):
    deliver(zoom.joined(zoom.T0, "p1", "pupil1@gatehouse.sch.uk"))
    deliver(zoom.ended(zoom.T0 + 60))
    assert client.get("/api/meetings", headers=AUTH).get_json()["meetings"] == []
    [meeting] = client.get("/api/meetings?include_ended=1", headers=AUTH).get_json()["meetings"]
    assert meeting["state"] == "ended" and meeting["present"] == []


def test_health_and_readiness(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").get_json() == {"status": "ready"}


def test_not_ready_when_redis_or_the_database_is_down(services, tmp_path, caplog):
    """It says which is down, never its host, port, path or error text: /readyz answers anyone."""
    dead_redis = dataclasses.replace(services, redis=connect_redis("redis://127.0.0.1:1/0"))
    response = create_app(dead_redis).test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable", "down": ["redis"]}
    dead_db = dataclasses.replace(services, database=create_engine(f"sqlite:///{tmp_path}/no/such/dir/x.db"))
    response = create_app(dead_db).test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable", "down": ["database"]}
    assert "not ready: database (OperationalError)" in caplog.text
    assert "127.0.0.1" not in caplog.text and str(tmp_path) not in caplog.text and "unable to open" not in caplog.text
    assert create_app(dead_redis).test_client().get("/api/meetings", headers=AUTH).status_code == 503
