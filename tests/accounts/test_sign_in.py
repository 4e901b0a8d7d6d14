"""Signing in to the incident queue, and every route refusing whoever may not see it."""
import dataclasses
import re
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from monitor.accounts.qr import qr_text
from monitor.app import create_app
from monitor.config import load_config

from .. import zoom
from ..school import CONFIG_TOML, write_config
from ..signing_in import PASSWORD, add, csrf, sign_in


def give_code(web, code, **request):
    token = csrf(web.get("/login/code", **request).data)
    return web.post("/login/code", data={"code": code, "csrf_token": token}, **request)


def now(services):
    return datetime.fromtimestamp(services.clock(), timezone.utc)


def test_a_viewer_signs_in_with_a_password_and_sees_the_queue(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    assert web.get("/incidents").status_code == 302                      # not signed in: to the sign-in page
    response = sign_in(web, "Viewer@Gatehouse.sch.uk ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/incidents")
    page = web.get("/incidents")
    assert page.status_code == 200 and b"Incidents" in page.data and b"viewer (viewer)" in page.data


def test_a_dsl_needs_the_code_from_the_authenticator(services, web):
    totp = add(services, "dsl@gatehouse.sch.uk", "dsl")
    response = sign_in(web, "dsl@gatehouse.sch.uk")
    assert response.headers["Location"].endswith("/login/code")
    assert web.get("/incidents").status_code == 302                      # the password alone is not enough
    page = web.get("/login/code")
    wrong = web.post("/login/code", data={"code": "000000", "csrf_token": csrf(page.data)})
    assert wrong.status_code == 401
    right = totp.at(datetime.fromtimestamp(services.clock(), timezone.utc))
    response = web.post("/login/code", data={"code": right, "csrf_token": csrf(wrong.data)})
    assert response.status_code == 302 and web.get("/incidents").status_code == 200


@pytest.mark.slow
def test_wrong_passwords_lock_the_account_for_a_while(services, web):
    add(services, "deputy@gatehouse.sch.uk", "deputy")
    for _ in range(5):
        assert sign_in(web, "deputy@gatehouse.sch.uk", "not the password").status_code == 401
    assert sign_in(web, "deputy@gatehouse.sch.uk").status_code == 401   # locked, even with the right password
    services.clock.advance(15 * 60 + 1)
    assert sign_in(web, "deputy@gatehouse.sch.uk").status_code == 302


@pytest.mark.slow
def test_one_address_gets_a_limited_number_of_tries(services, web):
    for _ in range(20):
        sign_in(web, "nobody@gatehouse.sch.uk", "guess")
    assert sign_in(web, "nobody@gatehouse.sch.uk", "guess").status_code == 429


def test_forms_without_their_csrf_token_are_refused(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    assert web.post("/login", data={"email": "viewer@gatehouse.sch.uk", "password": PASSWORD}).status_code == 400
    sign_in(web, "viewer@gatehouse.sch.uk")
    assert web.post("/logout").status_code == 400
    assert web.get("/incidents").status_code == 200


def test_sign_out(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    sign_in(web, "viewer@gatehouse.sch.uk")
    page = web.get("/incidents")
    assert web.post("/logout", data={"csrf_token": csrf(page.data)}).status_code == 302
    assert web.get("/incidents").status_code == 302


def test_session_cookies_are_secure_httponly_and_lax(services):
    app = create_app(services)
    assert (app.config["SESSION_COOKIE_SECURE"], app.config["SESSION_COOKIE_HTTPONLY"],
            app.config["SESSION_COOKIE_SAMESITE"]) == (True, True, "Lax")


PUBLIC = {"/healthz", "/readyz", "/login", "/login/code", "/", "/static/<path:filename>"}


def test_every_route_refuses_the_anonymous(app, web):
    for rule in app.url_map.iter_rules():
        if rule.rule in PUBLIC:
            continue
        path = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = web.open(path, method=method)
            refused = response.status_code in (302, 401) or (response.status_code == 400 and b"CSRF" in response.data)
            assert refused, f"{method} {rule.rule} answered {response.status_code} to the anonymous"
    assert web.post("/zoom/webhook", data=zoom.raw(zoom.started())).status_code == 401


@pytest.mark.slow
def test_users_add_on_the_command_line(tmp_path):
    env = {"MONITOR_DATA_DIR": str(tmp_path), "PATH": ""}
    subprocess.run([sys.executable, "-m", "monitor.cli", "db", "upgrade"], env=env, capture_output=True, check=True)
    run = [sys.executable, "-m", "monitor.cli", "users"]
    added = subprocess.run(run + ["add", "dsl@gatehouse.sch.uk", "--name", "Dee Lead", "--role", "dsl",
                                  "--password-stdin"], input=PASSWORD + "\n", capture_output=True, text=True, env=env)
    assert added.returncode == 0, added.stderr
    assert "otpauth://totp/" in added.stdout and "secret=" in added.stdout
    uri = re.search(r"otpauth://\S+", added.stdout).group()
    assert qr_text(uri) in added.stdout                                 # the QR code to scan from the terminal
    short = subprocess.run(run + ["add", "v@gatehouse.sch.uk", "--role", "viewer", "--password-stdin"],
                           input="short\n", capture_output=True, text=True, env=env)
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    listed = subprocess.run(run + ["list"], capture_output=True, text=True, env=env)
    assert listed.stdout.splitlines() == ["dsl@gatehouse.sch.uk\tdsl\ttotp\tDee Lead"]


# --- behind the reverse proxy: each member of staff their own address --------------------------------------------

PROXY = {"REMOTE_ADDR": "10.0.0.2"}


def behind(client_address: str) -> dict:
    """A request as the school's one reverse proxy passes it on: from the proxy, naming the client."""
    return {"environ_base": PROXY, "headers": {"X-Forwarded-For": client_address}}


@pytest.fixture
def proxied_web(services, tmp_path):
    """The web app behind one trusted reverse proxy ([web] trusted_proxies = 1)."""
    config = load_config(write_config(tmp_path, CONFIG_TOML + "\n[web]\ntrusted_proxies = 1\n"))
    app = create_app(dataclasses.replace(services, config=config))
    app.config["SESSION_COOKIE_SECURE"] = False
    return app


@pytest.mark.slow
def test_behind_the_proxy_one_guesser_does_not_lock_out_the_colleagues(services, proxied_web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    guesser, colleague = proxied_web.test_client(), proxied_web.test_client()
    for n in range(25):
        sign_in(guesser, f"guess{n}@gatehouse.sch.uk", "guess", **behind("192.0.2.66"))
    assert sign_in(guesser, "guess@gatehouse.sch.uk", "guess", **behind("192.0.2.66")).status_code == 429
    assert sign_in(colleague, "viewer@gatehouse.sch.uk", **behind("192.0.2.7")).status_code == 302


@pytest.mark.slow
def test_without_a_trusted_proxy_a_forged_forwarded_for_escapes_no_limit(services, web):
    for n in range(20):
        sign_in(web, f"guess{n}@gatehouse.sch.uk", "guess", **behind(f"198.51.100.{n}"))
    assert sign_in(web, "guess@gatehouse.sch.uk", "guess", **behind("198.51.100.99")).status_code == 429


@pytest.mark.slow
def test_behind_the_proxy_a_forwarded_for_the_client_wrote_itself_escapes_no_limit(services, proxied_web):
    web = proxied_web.test_client()
    for n in range(20):   # the proxy appends the address it saw to whatever the client sent
        sign_in(web, f"guess{n}@gatehouse.sch.uk", "guess", **behind(f"198.51.100.{n}, 192.0.2.66"))
    assert sign_in(web, "guess@gatehouse.sch.uk", "guess", **behind("198.51.100.99, 192.0.2.66")).status_code == 429


@pytest.mark.slow
def test_one_account_gets_a_limited_number_of_tries_from_any_address(services, proxied_web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    web = proxied_web.test_client()
    for n in range(10):
        assert sign_in(web, "Nobody@Gatehouse.sch.uk ", "guess", **behind(f"192.0.2.{n}")).status_code == 401
    assert sign_in(web, "nobody@gatehouse.sch.uk", "guess", **behind("192.0.2.99")).status_code == 429
    assert sign_in(web, "viewer@gatehouse.sch.uk", **behind("192.0.2.99")).status_code == 302
    assert not any(b"gatehouse" in key or b"nobody" in key for key in services.redis.keys("*")), \
        "the e-mail tried is kept in Redis only as a keyed hash"


@pytest.mark.slow
def test_staff_signing_in_do_not_use_up_their_shared_address(services, web):
    add(services, "viewer@gatehouse.sch.uk", "viewer")
    for _ in range(25):
        assert sign_in(web, "viewer@gatehouse.sch.uk").status_code == 302


# --- the second factor ----------------------------------------------------------------------------------------

def test_an_authenticator_code_is_accepted_once(services, web):
    totp = add(services, "dsl@gatehouse.sch.uk", "dsl")
    sign_in(web, "dsl@gatehouse.sch.uk")
    code = totp.at(now(services))
    assert give_code(web, code).status_code == 302
    web.post("/logout", data={"csrf_token": csrf(web.get("/incidents").data)})
    sign_in(web, "dsl@gatehouse.sch.uk")
    assert give_code(web, code).status_code == 401                          # the same code again
    assert give_code(web, totp.at(services.clock() - 30)).status_code == 401  # the one before: older than the one used
    services.clock.advance(30)
    assert give_code(web, totp.at(now(services))).status_code == 302


def test_wrong_codes_lock_the_account_as_wrong_passwords_do(services, web):
    totp = add(services, "dsl@gatehouse.sch.uk", "dsl")
    sign_in(web, "dsl@gatehouse.sch.uk")
    for _ in range(3):
        assert give_code(web, "000000").status_code == 401
    sign_in(web, "dsl@gatehouse.sch.uk")                                    # the password again counts nothing back
    for _ in range(2):
        assert give_code(web, "000000").status_code == 401
    assert give_code(web, totp.at(now(services))).status_code == 401       # locked: even the right code
    assert sign_in(web, "dsl@gatehouse.sch.uk").status_code == 401
    services.clock.advance(15 * 60 + 1)
    assert sign_in(web, "dsl@gatehouse.sch.uk").status_code == 302
    assert give_code(web, totp.at(now(services))).status_code == 302


def test_the_code_must_come_within_five_minutes_of_the_password(services, web):
    totp = add(services, "dsl@gatehouse.sch.uk", "dsl")
    sign_in(web, "dsl@gatehouse.sch.uk")
    token = csrf(web.get("/login/code").data)
    services.clock.advance(5 * 60 + 1)
    response = web.post("/login/code", data={"code": totp.at(now(services)), "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert web.get("/incidents").status_code == 302
    assert b"within five minutes" in web.get("/login").data
    sign_in(web, "dsl@gatehouse.sch.uk")
    services.clock.advance(5 * 60 - 1)
    assert give_code(web, totp.at(now(services))).status_code == 302
