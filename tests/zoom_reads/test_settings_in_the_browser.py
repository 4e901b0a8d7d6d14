"""The whole path in a real browser: a signed meeting.created webhook reaches `monitor serve`, whose job reads the
lesson from the stand-in for Zoom's API; the DSL sees the finding on the Zoom settings page, the teacher gets one
e-mail at the local SMTP server; once the setting is fixed and Zoom says the lesson was updated, the finding moves to
"resolved". Screenshots: build/screenshots/zoom-settings-*.png."""
from __future__ import annotations

import re
import subprocess
import time
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from .. import zoom
from ..local_servers import smtp_server
from ..school import TEACHER, write_config
from ..servers import env_for, free_port, monitor, post, release, running
from ..staff.test_browser import DSL, PASSWORD, browser, screenshots, sign_in  # noqa: F401 (fixtures)
from ..worker_processes import wait_for
from ..zoom_api_server import safe_meeting
from .conftest import ZOOM_CONFIG
from .test_triggers import created, updated

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def served_with_zoom(tmp_path, zoom_api_server):
    with smtp_server() as (smtp_port, mailbox):
        env = env_for(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), SMTP_SECURITY="none",
                      ALERTS_FROM="alerts@gatehouse.sch.uk", **zoom_api_server.environment())
        env["MONITOR_CONFIG"] = str(write_config(tmp_path, ZOOM_CONFIG))
        release(env)
        added = subprocess.run(monitor("users", "add", DSL, "--name", "Dee Lead", "--role", "dsl",
                                       "--password-stdin"), input=PASSWORD + "\n", capture_output=True, text=True,
                               env=env, timeout=60)
        assert added.returncode == 0, added.stderr
        secret = parse_qs(urlparse(re.search(r"otpauth://\S+", added.stdout).group()).query)["secret"][0]
        port = free_port()
        with running(monitor("serve", "--port", str(port)), port, env, cwd=tmp_path) as base:
            yield base, pyotp.TOTP(secret), mailbox


def test_a_lessons_unsafe_setting_is_on_the_page_and_in_the_teachers_mail_before_the_lesson(
        browser, served_with_zoom, zoom_api_server, screenshots):  # noqa: F811 (fixtures)
    base, totp, mailbox = served_with_zoom
    meeting = safe_meeting(zoom.MEETING_ID, host_email=TEACHER, topic="Year 9 Maths",
                           start_time=time.strftime("%Y-%m-%dT23:00:00Z", time.gmtime(time.time() + 86400)))
    meeting["settings"]["join_before_host"] = True
    zoom_api_server.meetings[zoom.MEETING_ID] = meeting
    assert post(base, created(at=time.time())).status_code == 200

    wait_for(lambda: len(mailbox.received) == 1, 20, "the teacher's e-mail")
    envelope, mail, _ = mailbox.received[0]
    assert envelope.rcpt_tos == [TEACHER]
    assert mail["Subject"].strip() == "Before your lesson Year 9 Maths: 1 Zoom setting to change in Zoom"

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, totp)
    page.get_by_role("link", name="Zoom settings").click()
    upcoming = page.locator("main").inner_text()
    assert "Year 9 Maths" in upcoming and "Join before host is on" in upcoming
    assert "Allow participants to join before host" in upcoming                      # how to fix it
    assert page.locator("main").get_by_text("Alex Teacher").first.get_attribute("title") == TEACHER
    page.screenshot(path=screenshots / "zoom-settings-found.png", full_page=True)

    meeting["settings"]["join_before_host"] = False                                  # the teacher fixes it
    assert post(base, updated(at=time.time())).status_code == 200
    deadline = time.monotonic() + 20
    while "Join before host is on" in page.locator("main").inner_text().split("Resolved", 1)[0]:
        assert time.monotonic() < deadline, "the finding was not resolved"
        time.sleep(0.5)
        page.reload()
    page.locator("details").filter(has_text="Resolved").locator("summary").click()
    resolved = page.locator("main").inner_text().split("Resolved", 1)[1]
    assert resolved.startswith(" (1)") and "Year 9 Maths" in resolved and "join before host" in resolved.lower()
    page.screenshot(path=screenshots / "zoom-settings-resolved.png", full_page=True)
    assert len(mailbox.received) == 1
    context.close()
