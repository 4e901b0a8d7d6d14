"""Sessions end: on sign-out (everywhere), when the account's password or role changes or it is disabled, and after
a working day without activity; and the commands that change accounts."""
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from monitor.accounts.store import AccountStore
from monitor.db import connect_database
from monitor.settings import Settings

from ..signing_in import PASSWORD, add, csrf, sign_in

NEW_PASSWORD = "a new and longer passphrase"


def signed_in(web) -> bool:
    return web.get("/incidents").status_code == 200


def test_signing_out_ends_every_session_of_the_account(services, app):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    phone, desk = app.test_client(), app.test_client()
    sign_in(phone, "viewer@gatehouse.sch.uk")
    sign_in(desk, "viewer@gatehouse.sch.uk")
    phone.post("/logout", data={"csrf_token": csrf(phone.get("/incidents").data)})
    assert not signed_in(phone) and not signed_in(desk)


def test_a_new_password_ends_the_sessions_and_the_old_password_no_longer_works(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    sign_in(web, "viewer@gatehouse.sch.uk")
    services.accounts.set_password("viewer@gatehouse.sch.uk", NEW_PASSWORD)
    assert not signed_in(web)
    assert sign_in(web, "viewer@gatehouse.sch.uk").status_code == 401
    assert sign_in(web, "viewer@gatehouse.sch.uk", NEW_PASSWORD).status_code == 302 and signed_in(web)


def test_a_new_role_ends_the_sessions(services, web):
    add(services, "deputy@gatehouse.sch.uk", "deputy")
    sign_in(web, "deputy@gatehouse.sch.uk")
    assert web.get("/staff-concerns").status_code == 200
    services.accounts.set_role("deputy@gatehouse.sch.uk", "viewer")
    assert not signed_in(web)
    sign_in(web, "deputy@gatehouse.sch.uk")
    assert web.get("/staff-concerns").status_code == 403


def test_a_disabled_account_is_signed_out_and_cannot_sign_in_until_enabled(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    sign_in(web, "viewer@gatehouse.sch.uk")
    services.accounts.disable("viewer@gatehouse.sch.uk")
    assert not signed_in(web)
    assert sign_in(web, "viewer@gatehouse.sch.uk").status_code == 401
    services.accounts.enable("viewer@gatehouse.sch.uk")
    assert sign_in(web, "viewer@gatehouse.sch.uk").status_code == 302 and signed_in(web)


def test_a_session_ends_after_a_working_day_without_activity(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    sign_in(web, "viewer@gatehouse.sch.uk")
    for _ in range(3):                                   # active every 9 hours: still signed in after 27
        services.clock.advance(9 * 3600)
        assert signed_in(web)
    services.clock.advance(10 * 3600 + 1)
    response = web.get("/incidents")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert b"without activity" in web.get("/login").data


def test_a_page_refreshing_itself_keeps_no_session_alive(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    sign_in(web, "viewer@gatehouse.sch.uk")
    for _ in range(10):                                  # the live refresh, hourly here, for ten hours
        services.clock.advance(3600)
        assert web.get("/incidents", headers={"X-Live-Refresh": "1"}).status_code == 200
    services.clock.advance(1)
    assert web.get("/incidents", headers={"X-Live-Refresh": "1"}).status_code == 302


def test_the_session_cookie_expires_with_the_session(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    response = sign_in(web, "viewer@gatehouse.sch.uk")
    assert "Expires=" in response.headers["Set-Cookie"]  # a permanent session: Flask refuses it when too old


def users(env, *args, password=None):
    return subprocess.run([sys.executable, "-m", "monitor.cli", "users", *args], input=password, capture_output=True,
                          text=True, env=env)


@pytest.mark.slow
def test_accounts_are_disabled_enabled_and_changed_on_the_command_line(tmp_path, monkeypatch):
    env = {"MONITOR_DATA_DIR": str(tmp_path), "PATH": ""}
    subprocess.run([sys.executable, "-m", "monitor.cli", "db", "upgrade"], env=env, capture_output=True, check=True)
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path))
    store = AccountStore(connect_database(Settings()))
    assert users(env, "add", "t@gatehouse.sch.uk", "--role", "deputy", "--password-stdin",
                 password=PASSWORD + "\n").returncode == 0
    at = datetime(2026, 11, 18, tzinfo=timezone.utc)

    disabled = users(env, "disable", "T@gatehouse.sch.uk")
    assert disabled.returncode == 0, disabled.stderr
    assert store.check_password("t@gatehouse.sch.uk", PASSWORD, at) is None
    assert users(env, "list").stdout.splitlines() == ["t@gatehouse.sch.uk\tdeputy\t-\tt@gatehouse.sch.uk\tdisabled"]
    assert users(env, "enable", "t@gatehouse.sch.uk").returncode == 0
    assert store.check_password("t@gatehouse.sch.uk", PASSWORD, at) is not None

    short = users(env, "set-password", "t@gatehouse.sch.uk", "--password-stdin", password="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert users(env, "set-password", "t@gatehouse.sch.uk", "--password-stdin",
                 password=NEW_PASSWORD + "\n").returncode == 0
    assert store.check_password("t@gatehouse.sch.uk", PASSWORD, at) is None
    assert store.check_password("t@gatehouse.sch.uk", NEW_PASSWORD, at) is not None

    made_dsl = users(env, "set-role", "t@gatehouse.sch.uk", "dsl")
    assert made_dsl.returncode == 0 and "otpauth://totp/" in made_dsl.stdout   # a dsl always has a second factor
    assert users(env, "list").stdout.splitlines() == ["t@gatehouse.sch.uk\tdsl\ttotp\tt@gatehouse.sch.uk"]
    assert "otpauth://" not in users(env, "set-role", "t@gatehouse.sch.uk", "dsl").stdout  # it has one already

    for command in (["disable", "nobody@gatehouse.sch.uk"], ["enable", "nobody@gatehouse.sch.uk"],
                    ["set-role", "nobody@gatehouse.sch.uk", "viewer"],
                    ["set-password", "nobody@gatehouse.sch.uk", "--password-stdin"]):
        missing = users(env, *command, password=NEW_PASSWORD + "\n")
        assert missing.returncode == 2 and "no account for nobody@gatehouse.sch.uk" in missing.stderr
