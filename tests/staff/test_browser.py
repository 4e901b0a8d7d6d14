"""End to end in a real browser (headless Chromium) against ``monitor serve``: a DSL signs in with a password and
an authenticator code, watches a new incident appear without reloading, acknowledges it, notes, assigns and closes
it with a rationale, exports the queue, and the pages work at a phone's width; a new DSL enrols their authenticator
app. Screenshots go to build/screenshots (or SCREENSHOT_DIR)."""
import csv
import io
import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from .. import zoom
from ..school import TEACHER
from ..servers import ROOT, env_for, free_port, monitor, post, release, running

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DSL, PASSWORD = "dee.lead@gatehouse.sch.uk", "correct horse battery staple"
PUPILS = ("pupil.one@gatehouse.sch.uk", "pupil.two@gatehouse.sch.uk")
PHONE = {"width": 390, "height": 844}
WIDEST = """() => {
  let widest = {width: document.documentElement.clientWidth, element: "none"};
  for (const e of document.querySelectorAll("body *")) {
    const right = e.getBoundingClientRect().right;
    if (right > widest.width + 0.5) widest = {width: Math.round(right), element: e.outerHTML.slice(0, 80)};
  }
  return widest;
}"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it (apt-get install chromium; bash .ci/run does) "
                    "or set CHROMIUM", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def screenshots():
    folder = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "build" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)  # each run writes the same names again
    return folder


@pytest.fixture
def served(tmp_path):
    """``monitor serve`` on embedded defaults, with a DSL account whose authenticator secret we keep."""
    env = env_for(tmp_path, MONITOR_DATA_DIR=str(tmp_path / "data"))
    release(env)
    added = subprocess.run(monitor("users", "add", DSL, "--name", "Dee Lead", "--role", "dsl", "--password-stdin"),
                           input=PASSWORD + "\n", capture_output=True, text=True, env={**os.environ, **env},
                           timeout=60)
    assert added.returncode == 0, added.stderr
    uri = re.search(r"otpauth://\S+", added.stdout).group()
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    port = free_port()
    with running(monitor("serve", "--port", str(port)), port, env, cwd=tmp_path) as base:
        yield base, pyotp.TOTP(secret)


def csp_violations(page) -> list[str]:
    """Fills with Chromium's console reports of what the pages' Content-Security-Policy refused."""
    found = []
    page.on("console", lambda message: found.append(message.text) if "Content Security Policy" in message.text
            else None)
    return found


def enter_password(page, base):
    """The sign-in's first step: the DSL's e-mail and password."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(DSL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page, base, totp):
    """Password, then the code: on the enrolment page at the account's first sign-in."""
    enter_password(page, base)
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name=re.compile("Continue|Sign in|Verify|Confirm")).click()
    kept = page.get_by_role("link", name=re.compile("I have kept them"))
    page.locator(".recovery-codes, .counts").first.wait_for()  # the page after the code, whichever it is
    if kept.count():  # enrolled just now: the recovery codes, shown once
        kept.click()
    page.wait_for_url(f"{base}/incidents")


def an_outsider_joins_a_lesson(base):
    now = time.time()
    for event in (zoom.started(now), zoom.recording("started", now),
                  zoom.joined(now, "t", TEACHER, user_id=zoom.HOST_ID, name="Alex Teacher"),
                  zoom.joined(now, "p1", PUPILS[0], name="Pupil One"),
                  zoom.joined(now, "p2", PUPILS[1], name="Pupil Two"),
                  zoom.joined(now + 1, "x", "", name="Unknown Caller")):
        assert post(base, event).status_code == 200


def test_a_dsl_works_an_incident_through_in_a_real_browser(browser, served, screenshots):
    base, totp = served
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    blocked = csp_violations(page)
    sign_in(page, base, totp)
    assert page.get_by_text("No incidents").is_visible()
    page.screenshot(path=screenshots / "1-queue-empty.png", full_page=True)

    an_outsider_joins_a_lesson(base)
    row = page.locator("tr[data-id]")
    row.first.wait_for(timeout=20_000)  # the page refreshes itself: no reload here
    assert "Not acknowledged" in row.first.inner_text() and "Year 9 Maths" in row.first.inner_text()
    assert re.search(r"1\s+not acknowledged", page.locator(".counts").inner_text())
    page.screenshot(path=screenshots / "2-new-incident-arrived.png", full_page=True)

    page.get_by_role("link", name="Someone from outside the school joined a lesson with pupils").click()
    assert page.locator(".decision .facts").get_by_text("Not acknowledged").is_visible()
    page.locator(".decision").get_by_role("button", name="Acknowledge").click()  # in the panel at the top
    assert page.get_by_role("status").inner_text() == "Acknowledged. Reminders for this incident stop."
    assert page.locator(".status-acknowledged").is_visible()
    page.get_by_label("Add a note").fill("Called the teacher: a parent's phone joined by mistake.")
    page.get_by_role("button", name="Add note").click()
    assert page.get_by_role("status").inner_text() == "Note added."
    page.get_by_label("Assign to").select_option(DSL)
    page.get_by_label("Due by").fill("2030-01-31")
    page.get_by_role("button", name="Assign").click()
    assert page.get_by_role("status").inner_text() == "Assigned to Dee Lead, due Thu 31 Jan 2030."
    assert page.locator(".notes").get_by_text("Dee Lead").get_attribute("title") == DSL  # the e-mail on hover
    assert "Thu 31 Jan 2030" in page.locator(".facts").first.inner_text()
    page.screenshot(path=screenshots / "3-incident-acknowledged.png", full_page=True)

    page.get_by_role("button", name="Close").click()  # no outcome, no rationale: the browser refuses
    assert page.locator(".status-acknowledged").is_visible()
    page.get_by_label("No action required").check()
    page.get_by_label(re.compile("Rationale")).fill("Checked with the teacher; the caller was removed at once.")
    page.get_by_role("button", name="Close").click()
    assert page.get_by_role("status").inner_text() == "Closed: no action required."
    assert "Closed: no action required" in page.locator(".facts").first.inner_text()
    audit = page.locator(".audit").inner_text()
    assert re.search(r"Dee Lead viewed it [56] times on \w{3} \d{1,2} \w{3} \d{4}\.", audit)
    for sentence in ("Dee Lead acknowledged it.", "Dee Lead added a note.",
                     "Dee Lead assigned it to Dee Lead, due Thu 31 Jan 2030.",
                     "Dee Lead closed it: no action required. Rationale: Checked with the teacher; the caller was "
                     "removed at once."):
        assert sentence in audit
    assert "{" not in audit and DSL not in audit
    page.screenshot(path=screenshots / "4-incident-closed.png", full_page=True)

    page.get_by_role("link", name="Incidents", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export these as CSV").click()
    exported = Path(download.value.path()).read_text()
    [record] = list(csv.DictReader(io.StringIO(exported)))
    assert (record["rule"], record["status"], record["outcome"]) == ("external_participant", "closed", "no_action")
    assert not any(pupil in exported for pupil in PUPILS)

    page.get_by_role("link", name="Live lessons").click()
    lesson = page.locator("tbody tr").first
    assert "Year 9 Maths" in lesson.inner_text() and "recording" in lesson.inner_text()
    page.get_by_text(re.compile("last checked")).wait_for(timeout=20_000)  # live.js has refreshed the board
    page.screenshot(path=screenshots / "5-live-lessons.png", full_page=True)
    assert "script-src 'self'" in page.request.get(f"{base}/lessons").headers["content-security-policy"]
    assert blocked == [], "the Content-Security-Policy blocked part of a page"
    context.close()


def test_the_pages_fit_a_phone(browser, served, screenshots):
    base, totp = served
    an_outsider_joins_a_lesson(base)
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    sign_in(page, base, totp)
    for name, path in (("queue", "/incidents"), ("incident", "/incidents/1"), ("lessons", "/lessons")):
        page.goto(base + path)
        page.screenshot(path=screenshots / f"phone-{name}.png", full_page=True)
        wide = page.evaluate(WIDEST)
        assert wide["width"] <= PHONE["width"], f"{path} is {wide} px wide on a {PHONE['width']} px phone"
    page.goto(base + "/incidents")  # each row says what each of its values is; the filters are folded away
    labels = page.locator("#queue tbody tr").first.locator("td").evaluate_all(
        "cells => cells.map(td => getComputedStyle(td, '::before').content)")
    assert labels == ['"Opened: "', '"Lesson: "', '"What happened: "', '"Severity: "', '"Status: "', '"Alert: "',
                      '"Assigned: "']
    assert not page.locator("form.filters").is_visible()
    page.get_by_text("Filters", exact=True).click()
    assert page.locator("form.filters").is_visible()
    page.screenshot(path=screenshots / "phone-queue-filters.png", full_page=True)
    context.close()


def test_a_private_chat_reads_plainly_in_a_real_browser(browser, served, screenshots):
    """A pupil messages the teacher privately, then sends them a file: one incident, which says what the rule is, the
    protocol's clause, how many times and who, and nothing of what was sent."""
    base, totp = served
    now = time.time()
    for event in (zoom.started(now), zoom.recording("started", now),
                  zoom.joined(now, "t", TEACHER, user_id=zoom.HOST_ID, name="Alex Teacher"),
                  zoom.joined(now, "p1", PUPILS[0], name="Pupil One"),
                  zoom.joined(now, "p2", PUPILS[1], name="Pupil Two"),
                  zoom.chat(now + 1, ("p1", PUPILS[0]), ("t", TEACHER), "host"),
                  zoom.chat_file(now + 2, ("p1", PUPILS[0]), ("t", TEACHER), "host")):
        assert post(base, event).status_code == 200
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, totp)
    page.get_by_role("link", name="An adult and a pupil chatted privately in a lesson").click()
    assert page.locator("h1").inner_text() == "An adult and a pupil chatted privately in a lesson"
    assert page.locator(".clause").inner_text() == ("Protocol: All chat functions should be off; conduct sessions as "
                                                    "you would a normal lesson.")
    assert re.fullmatch(r"2 times, the last at \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d",
                        page.locator(".occurrences").inner_text())
    event = page.locator(".event").inner_text()
    assert "A chat message, sent privately, to the host" in event
    assert "Pupil One (pupil)" in event and "Alex Teacher (teacher)" in event
    assert page.locator(".event").get_by_text("Pupil One").get_attribute("title") == PUPILS[0]
    everything = page.locator("main").inner_text()
    assert "This is a test message" not in everything and "worksheet.pdf" not in everything
    page.screenshot(path=screenshots / "6-private-chat.png", full_page=True)
    context.close()


def test_who_was_there_is_folded_past_ten_people_and_names_show_their_e_mail_on_hover(browser, served, screenshots):
    base, totp = served
    now = time.time()
    pupils = [(f"p{n}", f"pupil{n}@gatehouse.sch.uk", f"Pupil {n}") for n in range(12)]
    for event in (zoom.started(now), zoom.recording("started", now),
                  zoom.joined(now, "t", TEACHER, user_id=zoom.HOST_ID, name="Alex Teacher"),
                  *(zoom.joined(now, conn, email, name=name) for conn, email, name in pupils),
                  zoom.joined(now + 1, "x", "", name="Unknown Caller")):
        assert post(base, event).status_code == 200
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, totp)
    page.get_by_role("link", name="Someone from outside the school joined a lesson with pupils").click()
    fold = page.locator("details.roster-fold")
    assert fold.locator("summary").inner_text() == "14 people: 1 teacher, 12 pupils, 1 external"
    assert not page.locator(".roster").is_visible()
    page.screenshot(path=screenshots / "7-incident-panel.png", full_page=True)
    fold.locator("summary").click()
    pupil = page.locator(".roster").get_by_text("Pupil 11", exact=True)
    assert pupil.is_visible()
    pupil.hover()
    assert pupil.get_attribute("title") == "pupil11@gatehouse.sch.uk"
    host = page.locator(".facts").first.get_by_text("Alex Teacher")
    assert host.get_attribute("title") == TEACHER
    page.screenshot(path=screenshots / "8-incident-roster-unfolded.png", full_page=True)
    context.close()


def test_a_new_dsl_enrols_their_authenticator_app(browser, served, screenshots):
    """The first sign-in shows the QR code of the authenticator secret, drawn in the page (nothing the
    Content-Security-Policy refuses), and the key to type in; after the app's code, the recovery codes."""
    base, totp = served
    context = browser.new_context()
    page = context.new_page()
    blocked = csp_violations(page)
    enter_password(page, base)
    page.wait_for_url(f"{base}/login/enrol")

    qr = page.locator("svg.qr")
    box = qr.bounding_box()
    assert box and box["width"] >= 150 and abs(box["width"] - box["height"]) < 1, "a square QR code, big enough"
    assert " ".join(re.findall(".{1,4}", totp.secret)) in page.locator(".secret").inner_text()
    page.screenshot(path=screenshots / "enrol.png", full_page=True)

    page.goto(f"{base}/incidents")                                   # nothing else until the app gives a code
    page.wait_for_url(f"{base}/login/enrol")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    assert "not right" in page.get_by_role("alert").inner_text()
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Confirm").click()
    assert len(re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", page.locator(".recovery-codes").inner_text())) == 10
    page.screenshot(path=screenshots / "enrol-recovery-codes.png", full_page=True)
    page.get_by_role("link", name=re.compile("I have kept them")).click()
    page.wait_for_url(f"{base}/incidents")
    assert blocked == [], "the Content-Security-Policy blocked part of a page"
    context.close()
