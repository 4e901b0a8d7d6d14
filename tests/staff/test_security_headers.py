"""What the monitor's answers tell a browser: no other site may frame the staff's pages or run script in them, and
nothing with a pupil's name in it is kept in a cache; /readyz says what is down, never where."""
import re

import pytest

from monitor.app import create_app
from monitor.incidents.concerned import person_key

from .. import zoom
from ..school import API_TOKEN
from ..signing_in import signed_in
from ..staff_pages import TEACHER

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\ssrc=)", re.IGNORECASE),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "a style element": re.compile(r"<style", re.IGNORECASE),
    "an event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: address": re.compile(r"javascript:", re.IGNORECASE),
}


MACHINE_FACING = ("static", "api.", "alerts_api.", "findings_api.", "metrics.")


def staff_pages(app, a_day) -> list[str]:
    """Every page a signed-in DSL can open (GET), with its parameters filled in."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.endpoint.startswith(MACHINE_FACING):
            paths.append(rule.rule.replace("<int:incident_id>", str(a_day["non_teacher_host"])).replace(
                "<key>", person_key(TEACHER)).replace("<week>", "2026-W47"))
    return paths


def assert_staff_headers(response, where: str) -> None:
    headers = response.headers
    assert headers.get("Content-Security-Policy") == POLICY, where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where


def test_every_staff_page_forbids_framing_and_inline_script_and_is_not_cached(services, app, web, a_day):
    web = signed_in(services, web, "dsl")
    pages = staff_pages(app, a_day)
    assert {"/incidents", "/incidents.csv", "/lessons", "/digests/2026-W47", "/login"} <= set(pages)
    for path in pages:
        response = web.get(path)
        assert response.status_code in (200, 302), f"{path}: {response.status_code}"
        assert_staff_headers(response, path)
        assert response.headers.get("Cache-Control") == "no-store", path
        body = response.get_data(as_text=True)
        for what, pattern in INLINE.items():  # the policy would block them: the page would break
            assert not pattern.search(body), f"{path} has {what}: {pattern.search(body)[0]!r}"


def test_the_api_and_the_health_checks_are_not_cached(client):
    for path, headers in (("/api/meetings", {"Authorization": f"Bearer {API_TOKEN}"}), ("/api/incidents", {}),
                          ("/api/findings", {"Authorization": f"Bearer {API_TOKEN}"}),
                          ("/readyz", {}), ("/login", {})):
        response = client.get(path, headers=headers)
        assert_staff_headers(response, path)
        assert response.headers.get("Cache-Control") == "no-store", path


def test_the_stylesheet_and_script_may_be_cached_but_not_sniffed(web):
    for path in ("/static/monitor.css", "/static/live.js"):
        response = web.get(path)
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" not in response.headers.get("Cache-Control", "")
        response.close()


@pytest.mark.parametrize("production", [True, False])
def test_https_is_required_in_production_only(services, production):
    app = create_app(services)
    app.config["SESSION_COOKIE_SECURE"] = production  # secure cookies: not on embedded defaults
    response = app.test_client().get("/login")
    assert ("Strict-Transport-Security" in response.headers) is production
    if production:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_zoom_deliveries_are_answered_with_nosniff(deliver):
    for response in (deliver(zoom.started(zoom.T0)), deliver({"event": "not a zoom event"})):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in response.headers  # Zoom's app runs nothing made for staff
