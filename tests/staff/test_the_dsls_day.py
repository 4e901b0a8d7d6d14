"""A DSL's whole day in a real browser (headless Chromium) against ``monitor serve`` and a real SMTP server: she enrols
her authenticator app with the QR code and signs in; at 09:00 five lessons break one rule at once and one e-mail
tells her of all five, each its own incident in the queue; she acknowledges one from the decision panel and sees it
confirmed; the reminder that follows reads as a reminder; she closes the incident; the queue, the digest and the
teacher's chronology agree. Screenshots of each step go to build/screenshots/day-*.png (or SCREENSHOT_DIR)."""
import re
import subprocess
import time
from datetime import datetime
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pyotp
import pytest

from monitor.digest.week import Week
from monitor.incidents.concerned import person_key

from .. import zoom
from ..local_servers import smtp_server
from ..school import CONFIG_TOML, TEACHER, write_config
from ..servers import env_for, free_port, monitor, post, release, running
from .test_browser import DSL, PASSWORD, browser, csp_violations, enter_password, screenshots  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LESSONS = ("Year 7 English", "Year 8 Science", "Year 9 Maths", "Year 10 History", "Year 11 Art")
STORM = "Safeguarding alert: 5 lessons, someone from outside the school"


def day_config(base: str) -> str:
    return CONFIG_TOML + f"""
[rules]
lesson_hours = ["00:00", "23:59"]
lesson_days = [1, 2, 3, 4, 5, 6, 7]

[alerts]
base_url = "{base}"
group_wait_seconds = 3
repeat_minutes = 0.25
escalate_after_minutes = 0
working_days = [1, 2, 3, 4, 5, 6, 7]
working_hours = ["00:00", "23:59"]

[alerts.channels.dsl]
type = "email"
to = ["{DSL}"]

[[alerts.routes]]
channels = ["dsl"]
"""


@pytest.fixture
def school_day(tmp_path):
    """``monitor serve`` on embedded defaults whose alerts go to a real SMTP server; a DSL account not yet enrolled.
    Yields (base URL, the DSL's authenticator, the mailbox)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with smtp_server() as (smtp_port, mailbox):
        env = env_for(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), SMTP_SECURITY="none",
                      ALERTS_FROM="alerts@gatehouse.sch.uk")
        env["MONITOR_CONFIG"] = str(write_config(tmp_path, day_config(base)))
        release(env)
        added = subprocess.run(monitor("users", "add", DSL, "--name", "Dee Lead", "--role", "dsl",
                                       "--password-stdin"), input=PASSWORD + "\n", capture_output=True, text=True,
                               env={**env}, timeout=60)
        assert added.returncode == 0, added.stderr
        uri = re.search(r"otpauth://\S+", added.stdout).group()
        with running(monitor("serve", "--port", str(port)), port, env, cwd=tmp_path):
            yield base, pyotp.TOTP(parse_qs(urlparse(uri).query)["secret"][0]), mailbox


def mails(mailbox) -> list:
    return [mail for _, mail, _ in mailbox.received]


def wait_for_mail(mailbox, count: int, seconds: float) -> list:
    deadline = time.monotonic() + seconds
    while len(mailbox.received) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mailbox.received) >= count, f"{len(mailbox.received)} e-mail(s) after {seconds} s, not {count}"
    return mails(mailbox)


def show_mail(context, mail, path) -> tuple[str, dict[str, str]]:
    """The e-mail's HTML part, as a mail client would show it (a page of its own); returns its plain-text part and
    its links by their text."""
    page = context.new_page()
    page.set_content(mail.get_body(("html",)).get_content())
    page.screenshot(path=path, full_page=True)
    links = dict(page.locator("a").evaluate_all("links => links.map(a => [a.textContent, a.href])"))
    page.close()
    return mail.get_body(("plain",)).get_content(), links


def five_lessons_break_one_rule_at_once(base) -> tuple[int, float]:
    """Five lessons start, each with its teacher and two pupils; then an outsider joins each. Returns the second the
    lessons began (part of their uuids) and when the first outsider was posted."""
    now = time.time()

    def lesson(n: int, *events: dict) -> None:
        for event in events:
            event["payload"]["object"].update(topic=LESSONS[n], id=str(81000000200 + n))
            assert post(base, event).status_code == 200

    uuids = [f"lesson{n}-{int(now)}==" for n in range(len(LESSONS))]
    for n, uuid in enumerate(uuids):
        lesson(n, zoom.started(now, uuid), zoom.recording("started", now, uuid),
               zoom.joined(now, "t", TEACHER, uuid, user_id=zoom.HOST_ID, name="Alex Teacher"),
               zoom.joined(now, "p1", f"pupil{2 * n}@gatehouse.sch.uk", uuid, name=f"Pupil {2 * n}"),
               zoom.joined(now, "p2", f"pupil{2 * n + 1}@gatehouse.sch.uk", uuid, name=f"Pupil {2 * n + 1}"))
    first_outsider = time.monotonic()
    for n, uuid in enumerate(uuids):
        lesson(n, zoom.joined(now + 1, "x", "", uuid, name="Unknown Caller"))
    return int(now), first_outsider


def statuses(page, *, lesson: int, status: int) -> dict[str, str]:
    """{lesson: status} of a table's rows, from the given columns."""
    cells = [row.locator("td").all_inner_texts() for row in page.locator("tbody tr").all()]
    return {row[lesson].strip(): row[status].strip().lower() for row in cells}


def counts(page) -> str:
    return " ".join(page.locator(".counts").inner_text().split())


def test_a_dsls_whole_day(browser, school_day, screenshots):  # noqa: F811 (fixtures)
    base, totp, mailbox = school_day
    shot = {name: screenshots / f"day-{n}-{name}.png" for n, name in enumerate((
        "enrol-qr-code", "sign-in", "queue-before", "storm-alert-email", "queue-storm", "acknowledged",
        "reminder-email", "closed", "queue-after", "chronology", "digest"), start=1)}

    # First sign-in: the QR code, then a code from the app, then the recovery codes, shown once
    context = browser.new_context()
    page = context.new_page()
    blocked = csp_violations(page)
    enter_password(page, base)
    page.wait_for_url(f"{base}/login/enrol")
    assert page.locator("svg.qr").is_visible()
    page.screenshot(path=shot["enrol-qr-code"], full_page=True)
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("link", name=re.compile("I have kept them")).click()
    page.wait_for_url(f"{base}/incidents")
    page.get_by_role("button", name="Sign out").click()
    step = totp.timecode(datetime.now())            # a code is taken once: the next sign-in waits for a new one
    while totp.timecode(datetime.now()) == step:
        time.sleep(0.2)

    # The next morning's sign-in: password and code
    enter_password(page, base)
    page.get_by_label("Code").fill(totp.now())
    page.screenshot(path=shot["sign-in"], full_page=True)
    page.get_by_role("button", name=re.compile("Sign in|Verify|Continue")).click()
    page.wait_for_url(f"{base}/incidents")
    assert page.get_by_text("No incidents").is_visible()
    page.screenshot(path=shot["queue-before"], full_page=True)

    # 09:00: five lessons, an outsider in each: one e-mail tells of all five
    lessons_began, sent = five_lessons_break_one_rule_at_once(base)
    [storm] = wait_for_mail(mailbox, 1, 3 + 10)
    assert time.monotonic() - sent < 3 + 2 + 3, "the storm's alert comes within the group wait (and posting time)"
    time.sleep(3 + 1)                                       # a lesson left out would have its own alert by now
    assert len(mailbox.received) == 1, "one e-mail for the storm, not one per lesson"
    assert storm["Subject"].strip() == STORM
    text, links = show_mail(context, storm, shot["storm-alert-email"])
    for topic in LESSONS:
        assert topic in text
    assert "Unknown Caller" not in text and "pupil" not in text.replace("pupils", "")

    # Every lesson is its own incident in the queue; the e-mail's link for one lesson opens its incident
    incident_url = links["Year 9 Maths"]
    assert re.fullmatch(rf"{base}/incidents/\d+", incident_url)
    page.goto(incident_url)
    assert page.locator("h1").inner_text() == "Someone from outside the school joined a lesson with pupils"
    page.get_by_role("link", name="Incidents", exact=True).click()
    assert page.locator("#queue tbody tr").count() == 5
    assert counts(page).startswith("5 not acknowledged")
    page.screenshot(path=shot["queue-storm"], full_page=True)

    # Acknowledge Year 9 Maths from the decision panel at the top
    page.goto(incident_url)
    assert "Year 9 Maths" in page.locator(".decision .facts").inner_text()
    page.locator(".decision").get_by_role("button", name="Acknowledge").click()
    assert page.get_by_role("status").inner_text() == "Acknowledged. Reminders for this incident stop."
    page.screenshot(path=shot["acknowledged"], full_page=True)

    # The reminder reads as one, and tells what changed: the four lessons still not acknowledged
    reminder = wait_for_mail(mailbox, 2, 15 + 20)[1]
    assert reminder["Subject"].strip() == "Reminder 1: Safeguarding alert: 4 lessons, someone from outside the school"
    text, _ = show_mail(context, reminder, shot["reminder-email"])
    assert re.search(r"Reminder 1: not acknowledged for under a minute\. Since the first alert at \d\d:\d\d: 1 of "
                     r"its 5 incidents was acknowledged\.", " ".join(text.split()))
    assert "Year 9 Maths" not in text and all(topic in text for topic in LESSONS if topic != "Year 9 Maths")

    # Close it, with the outcome and the rationale
    page.goto(incident_url)
    page.get_by_label("Action taken").check()
    page.get_by_label(re.compile("Rationale")).fill("The caller was a parent's second phone; spoke to the family.")
    page.get_by_role("button", name="Close").click()
    assert page.get_by_role("status").inner_text() == "Closed: action taken."
    assert "Dee Lead closed it: action taken. Rationale: The caller was a parent's second phone" in \
        page.locator(".audit").inner_text()
    page.screenshot(path=shot["closed"], full_page=True)

    # The lessons end. The queue, the digest and the chronology agree: five incidents, one closed, four not
    # acknowledged
    now = time.time()
    for n in range(len(LESSONS)):
        assert post(base, zoom.ended(now, f"lesson{n}-{lessons_began}==")).status_code == 200
    page.goto(f"{base}/incidents")
    assert re.search(r"4 not acknowledged 0 acknowledged 1 closed", counts(page)), counts(page)
    expected = {topic: "closed" if topic == "Year 9 Maths" else "not acknowledged" for topic in LESSONS}
    assert statuses(page, lesson=1, status=4) == expected
    page.screenshot(path=shot["queue-after"], full_page=True)
    page.goto(f"{base}/people/{person_key(TEACHER)}")
    assert statuses(page, lesson=1, status=3) == expected
    page.screenshot(path=shot["chronology"], full_page=True)
    page.goto(f"{base}/digests/{Week.containing(datetime.now().astimezone(), ZoneInfo('Europe/London'))}")
    digest = " ".join(page.locator("main").inner_text().split())
    page.screenshot(path=shot["digest"], full_page=True)
    for figure in ("Lessons monitored 5", "Incidents 5 (high 5, medium 0, low 0)",
                   "Still open at the end of the week 4", "1 closed this week"):
        assert figure in digest, digest
    [attention] = re.findall(r"4 not acknowledged: (.*?)\. ", digest)
    assert sorted(re.findall(r"\(([^)]*)\)", attention)) == sorted(t for t in LESSONS if t != "Year 9 Maths")
    assert blocked == [], "the Content-Security-Policy blocked part of a page"
    context.close()
