"""End to end, as a user runs it: signed deliveries to the real server processes, rosters read back over HTTP."""
import random
import socket
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor

import httpx
import pytest

from .. import zoom
from ..school import write_config
from ..servers import API_TOKEN, ROOT, env_for, free_port, gunicorn, monitor, post, release, running

pytestmark = pytest.mark.integration

TEACHER = "a.teacher@gatehouse.sch.uk"


def meetings(base: str) -> list[dict]:
    response = httpx.get(f"{base}/api/meetings", headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=5)
    assert response.status_code == 200
    return response.json()["meetings"]


def lesson_stream(uuid: str, pupils: int) -> list[dict]:
    """A lesson in which every pupil drops once and rejoins on a new connection, and one pupil leaves for good."""
    t = time.time() - 600
    events = [zoom.started(t, uuid), zoom.joined(t + 1, "t-1", TEACHER, uuid, user_id=zoom.HOST_ID),
              zoom.recording("started", t + 2, uuid)]
    for i in range(pupils):
        email = f"pupil{i}@gatehouse.sch.uk"
        events += [zoom.joined(t + 10 + i, f"{uuid}-p{i}-a", email, uuid),
                   zoom.left(t + 100 + i, f"{uuid}-p{i}-a", email, uuid),
                   zoom.joined(t + 101 + i, f"{uuid}-p{i}-b", email, uuid)]
    events.append(zoom.left(t + 300, f"{uuid}-p0-b", "pupil0@gatehouse.sch.uk", uuid))
    return events


def _send_all(base: str, events: list[dict]) -> list[int]:
    with httpx.Client() as client:
        return [post(base, event, client).status_code for event in events]


@pytest.mark.slow
def test_deliveries_from_several_processes_at_once_under_gunicorn_on_real_redis(tmp_path, real_redis_url, real_redis):
    port = free_port()
    streams = {f"lesson-{n}==": lesson_stream(f"lesson-{n}==", pupils=12) for n in range(4)}
    deliveries = [event for stream in streams.values() for event in stream]
    deliveries += random.Random(1).sample(deliveries, len(deliveries) // 3)   # Zoom's at-least-once
    random.Random(2).shuffle(deliveries)
    batches = [deliveries[i::4] for i in range(4)]
    env = env_for(tmp_path, REDIS_URL=real_redis_url)
    release(env)
    with running(gunicorn(port, workers=3), port, env) as base:
        with ProcessPoolExecutor(4) as pool:
            statuses = [s for batch in pool.map(_send_all, [base] * 4, batches) for s in batch]
        assert statuses == [200] * len(deliveries)
        listed = {m["uuid"]: m for m in meetings(base)}
        assert httpx.get(f"{base}/readyz").status_code == 200
    assert sorted(listed) == sorted(streams)
    for meeting in listed.values():
        assert meeting["counts"] == {"teacher": 1, "pupil": 11}
        assert meeting["host"] == {"email": TEACHER, "class": "teacher", "identified": True}
        assert meeting["recording"] is True and meeting["state"] == "live"
        assert all(p["connections"] == 1 for p in meeting["present"])


@pytest.mark.slow
@pytest.mark.parametrize("servers", ["embedded", "redis"])
def test_monitor_serve_runs_on_embedded_defaults_or_a_redis_server(tmp_path, request, servers):
    port = free_port()
    env = env_for(tmp_path)
    if servers == "redis":
        env["REDIS_URL"] = request.getfixturevalue("real_redis_url")
        request.getfixturevalue("real_redis")      # an empty database
    with running(monitor("serve", "--port", str(port)), port, env, cwd=tmp_path) as base:
        assert post(base, zoom.joined(time.time() - 5, "c1", "pupil1@gatehouse.sch.uk")).json() == {"status": "applied"}
        assert post(base, zoom.joined(time.time() - 5, "c2", "")).json() == {"status": "applied"}
        [meeting] = meetings(base)
        assert meeting["counts"] == {"pupil": 1, "external": 1}
        assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
        assert httpx.get(f"{base}/api/meetings").status_code == 401
    log = (tmp_path / f".server-{port}.log").read_text()
    assert ("embedded defaults" in log) is (servers == "embedded")
    assert f"http://127.0.0.1:{port}/zoom/webhook" in log
    assert "pupil1" not in log


@pytest.mark.slow
def test_monitor_serve_fires_timed_checks_in_process(tmp_path):
    from ..school import FAST_GRACE

    port = free_port()
    env = env_for(tmp_path) | {"MONITOR_CONFIG": str(write_config(tmp_path, FAST_GRACE))}
    with running(monitor("serve", "--port", str(port)), port, env, cwd=tmp_path) as base:
        now = time.time()
        for event in (zoom.started(now), zoom.recording("started", now),
                      zoom.joined(now, "t", TEACHER, user_id=zoom.HOST_ID),
                      zoom.joined(now, "p1", "pupil1@gatehouse.sch.uk")):
            assert post(base, event).status_code == 200
        for _ in range(50):
            incidents = httpx.get(f"{base}/api/incidents", headers={"Authorization": f"Bearer {API_TOKEN}"}).json()
            if incidents["incidents"]:
                break
            time.sleep(0.2)
    assert [i["rule"] for i in incidents["incidents"]] == ["fewer_than_two_pupils"]


def test_serve_refuses_a_bad_config_naming_the_key(tmp_path):
    env = env_for(tmp_path)
    (tmp_path / "bad").mkdir()
    config = write_config(tmp_path / "bad", "[school]\ndomains = ['gatehouse.sch.uk']\nnmae = 'x'\n"
                                            "[directory]\nstaff_csv = 'staff.csv'\n")
    result = subprocess.run(monitor("serve", "--config", str(config), "--port", str(free_port())),
                            capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == f"monitor: {config}: unknown key 'school.nmae'"


@pytest.mark.slow
def test_gunicorn_without_redis_url_refuses_to_start_and_says_why(tmp_path):
    port = free_port()
    # run from elsewhere, yet on this checkout's code whether or not it is installed
    result = subprocess.run(gunicorn(port), capture_output=True, text=True, timeout=60,
                            env=env_for(tmp_path, PYTHONPATH=str(ROOT)), cwd=tmp_path)
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr


def test_serve_says_where_staff_sign_in(tmp_path):
    port = free_port()
    with running(monitor("serve", "--port", str(port)), port, env_for(tmp_path), cwd=tmp_path) as base:
        assert httpx.get(f"{base}/login").status_code == 200
    log = (tmp_path / f".server-{port}.log").read_text()
    assert f"Staff sign in at http://127.0.0.1:{port}/login" in log


def test_serve_on_a_port_in_use_says_so_in_one_sentence(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(monitor("serve", "--port", str(port)), capture_output=True, text=True, timeout=30,
                                env=env_for(tmp_path), cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip() == f"monitor: port {port} on 127.0.0.1 is in use: stop what uses it or pass --port"
    assert "Traceback" not in result.stdout + result.stderr
