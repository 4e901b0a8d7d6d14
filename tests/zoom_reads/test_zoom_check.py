"""`monitor zoom check`: the credentials and scopes, then each member of staff's Zoom settings against the protocol."""
from __future__ import annotations

import os
import subprocess

from ..school import write_config
from ..servers import ROOT, monitor
from ..zoom_api_server import safe_user_settings
from .conftest import ZOOM_CONFIG


def check(tmp_path, environment: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**environment, "PATH": os.environ["PATH"], "MONITOR_CONFIG": str(write_config(tmp_path, ZOOM_CONFIG))}
    return subprocess.run(monitor("zoom", "check"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_it_says_the_credentials_work_and_prints_the_posture_table(tmp_path, zoom_api_server):
    settings = safe_user_settings()
    settings["in_meeting"]["chat"] = True
    zoom_api_server.add_user("a.teacher@gatehouse.sch.uk", settings=settings)
    zoom_api_server.add_user("c.assistant@gatehouse.sch.uk")
    done = check(tmp_path, zoom_api_server.environment())
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Credentials: accepted for account gAtEhOuSe-AcCoUnT",
                         "Scopes: every scope the monitor needs"]
    rows = {line.split("<")[1].split(">")[0]: line.split(">", 1)[1].split() for line in lines if "@" in line}
    assert rows["a.teacher@gatehouse.sch.uk"][0] == "true"                   # 1: in_meeting.chat, as Zoom says
    assert set(rows["a.teacher@gatehouse.sch.uk"][1:]) == {"ok"}
    assert set(rows["c.assistant@gatehouse.sch.uk"]) == {"ok"}
    assert set(rows["b.music@gatehouse.sch.uk"]) == {"-"}                    # no Zoom account
    assert "  1  in_meeting.chat" in done.stdout
    assert "a.teacher" not in done.stderr


def test_refused_credentials_exit_1_without_the_secret(tmp_path, zoom_api_server):
    environment = {**zoom_api_server.environment(), "ZOOM_CLIENT_SECRET": "wrong-secret-value"}
    done = check(tmp_path, environment)
    assert done.returncode == 1
    assert "Zoom: FAILED" in done.stderr and "wrong-secret-value" not in done.stdout + done.stderr


def test_a_missing_scope_exits_1_naming_it_and_a_classic_scope_will_do(tmp_path, zoom_api_server):
    zoom_api_server.scope = "meeting:read:meeting:admin user:read:user:admin"
    done = check(tmp_path, zoom_api_server.environment())
    assert done.returncode == 1
    assert done.stdout.splitlines()[1] == "Scopes: MISSING user:read:list_users:admin, user:read:settings:admin"
    zoom_api_server.scope = "meeting:read:admin user:read:admin"
    done = check(tmp_path, zoom_api_server.environment())
    assert done.returncode == 0 and done.stdout.splitlines()[1] == "Scopes: every scope the monitor needs"


def test_a_missing_variable_is_named(tmp_path, zoom_api_server):
    environment = {k: v for k, v in zoom_api_server.environment().items() if k != "ZOOM_ACCOUNT_ID"}
    done = check(tmp_path, environment)
    assert done.returncode == 2
    assert "environment variable ZOOM_ACCOUNT_ID is not set" in done.stderr
