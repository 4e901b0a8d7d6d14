"""The weekly digest of a recorded week, replayed through the real pipeline, against figures worked out by hand; the
mail as a local SMTP server receives it; `monitor digest` in its three formats and with --send."""
import json
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update

from monitor.clock import ManualClock
from monitor.config import load_config
from monitor.digest.service import DigestService
from monitor.digest.week import Week
from monitor.incidents.models import Incident
from monitor.incidents.triage import Triage
from monitor.replay import replay
from tests.rules.test_registry import VERSION_2

from ..local_servers import smtp_server
from ..school import CONFIG_TOML, write_config
from ..servers import ROOT

RECORDED_WEEK = ROOT / "tests/fixtures/recorded-week-2026-W48.jsonl"
W48 = Week.parse("2026-W48")
MONDAY_0700 = datetime(2026, 11, 30, 7, 0, 30, tzinfo=timezone.utc)  # GMT in November: 07:00 school time
RECIPIENTS = ["dsl@gatehouse.sch.uk", "head@gatehouse.sch.uk"]
DIGEST_TOML = CONFIG_TOML + f"""
[digest]
recipients = {json.dumps(RECIPIENTS)}
"""
STAFF_EMAILS = {"a.teacher@gatehouse.sch.uk", "c.assistant@gatehouse.sch.uk"}
PUPIL_NAMES = [f"Pupil {n}" for n in range(1, 7)]
PUPIL_EMAILS = [f"pupil{n}@gatehouse.sch.uk" for n in range(1, 7)]
DSL = (None, "dsl@gatehouse.sch.uk")


def smtp_environment(port: int) -> dict[str, str]:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
            "ALERTS_FROM": "Safeguarding monitor <monitor@gatehouse.sch.uk>"}


@pytest.fixture
def recorded_week(tmp_path):
    """The recorded week replayed (tests/fixtures/recorded_week.py says what is in it), then triaged as a DSL
    would have done during the week. Returns the config path, the data directory and the incident ids by topic."""
    config_path = write_config(tmp_path, DIGEST_TOML)
    data = tmp_path / "data"
    replay([RECORDED_WEEK], load_config(config_path), data_dir=data)
    engine = create_engine(f"sqlite:///{data / 'monitor.sqlite3'}")
    with engine.connect() as conn:
        rows = conn.execute(Incident.__table__.select()).all()
    ids = {row.topic: row.id for row in rows}
    opened = {row.topic: row.opened_at for row in rows}
    triage = Triage(engine)

    def ack(topic, minutes):
        assert triage.acknowledge(DSL, ids[topic], opened[topic] + timedelta(minutes=minutes))

    def close(topic, hours):
        assert triage.close(DSL, ids[topic], "no_action", "Checked with the teacher.",
                            opened[topic] + timedelta(hours=hours))

    ack("Year 10 English (W47)", 10)        # acknowledged in W47: not in W48's median
    close("Year 10 English (W47)", 120)     # closed Mon 23 Nov 10:10, in W48: 120 h
    ack("Year 10 English", 15)
    close("Year 10 English", 26)            # 26 h
    ack("Year 11 Physics", 45)
    ack("Year 8 Science", 5)
    close("Year 8 Science", 2)              # 2 h
    ack("Year 7 French", 120)
    with engine.begin() as conn:
        for topic, due in (("Year 11 Physics", date(2026, 11, 27)), ("Year 7 French", date(2026, 11, 30))):
            conn.execute(update(Incident.__table__).where(Incident.__table__.c.id == ids[topic]).values(due_on=due))
    engine.dispose()
    return config_path, data, ids


def service_for(config_path: Path, data: Path, environ=None) -> DigestService:
    engine = create_engine(f"sqlite:///{data / 'monitor.sqlite3'}")
    return DigestService(load_config(config_path), engine, ManualClock(MONDAY_0700.timestamp()),
                         environ=environ or {})


def test_the_digest_of_the_recorded_week_matches_the_figures_worked_out_by_hand(recorded_week):
    config_path, data, ids = recorded_week
    d = service_for(config_path, data).make(W48)
    # Lessons: the eight meetings of W48 with pupils; the staff briefing had none. Seven ran 50 minutes (the
    # Friday chemistry lesson never sent meeting.ended: it ends with its last leave, at 50 minutes too) and the
    # Friday catch-up 40: 7 x 50 + 40 = 390 minutes = 6.5 hours.
    assert (d.lessons, d.lesson_hours) == (8, 6.5)
    # Incidents opened in W48: the outsider (Mon), two lone pupils (Tue, Fri), two lessons not hosted by a
    # teacher (Tue: the teaching assistant; Thu: a pupil), one lesson not recorded (Wed). All high.
    assert d.incidents == 6
    assert {line.rule: (line.high, line.total) for line in d.by_rule} == {
        "external_participant": (1, 1), "fewer_than_two_pupils": (2, 2), "non_teacher_host": (2, 2),
        "no_recording": (1, 1)} | {rule: (0, 0) for rule in VERSION_2}
    assert d.by_severity == {"high": 6, "medium": 0, "low": 0}
    assert [(day.day.strftime("%a"), day.incidents) for day in d.per_day] == [
        ("Mon", 1), ("Tue", 2), ("Wed", 1), ("Thu", 1), ("Fri", 1), ("Sat", 0), ("Sun", 0)]
    # Staff conduct: Alex Teacher hosted both lone-pupil lessons; Cal Assistant was made host on Tuesday; on
    # Thursday the host was a pupil's account, which is counted and never named.
    assert [(s.name, s.email, s.by_rule) for s in d.by_staff] == [
        ("Alex Teacher", "a.teacher@gatehouse.sch.uk", {"fewer_than_two_pupils": 2}),
        ("Cal Assistant", "c.assistant@gatehouse.sch.uk", {"non_teacher_host": 1})]
    assert d.conduct_hosts_not_staff == 1
    # Open at the end of W48 (Mon 30 Nov 00:00): 9 incidents in all, minus the three closed (W47's outsider
    # on Mon, W48's outsider and the teaching assistant's on Tue) = 6. Overdue: W45's and W47's unrecorded
    # lessons (no due date, open more than 7 days) and Tuesday's lone pupil (due Fri 27 Nov); Wednesday's
    # unrecorded lesson is due Mon 30 Nov, not overdue yet. Not acknowledged: W45's, W47's unrecorded lessons,
    # Thursday's pupil host and Friday's lone pupil.
    assert d.open == 6
    assert [r.id for r in d.overdue] == [ids["Year 7 French (W45)"], ids["Year 7 French (W47)"],
                                          ids["Year 11 Physics"]]
    assert [r.id for r in d.unacknowledged] == [ids["Year 7 French (W45)"], ids["Year 7 French (W47)"],
                                                ids["Year 12 History"], ids["Year 11 Physics catch-up"]]
    # Acknowledged in W48 after 5, 15, 45 and 120 minutes: median (15 + 45) / 2 = 30. Closed in W48 after 2, 26
    # and 120 hours (W47's outsider, opened Wed 18 Nov): median 26.
    assert (d.acknowledged, d.median_minutes_to_acknowledge) == (4, 30.0)
    assert (d.closed, d.median_hours_to_close) == (3, 26.0)
    # The four weeks before: W44 nothing, W45 one unrecorded lesson, W46 one clean lesson, W47 two lessons and
    # two incidents.
    assert [(w.week, w.incidents, w.lessons) for w in d.trend] == [
        ("2026-W44", 0, 0), ("2026-W45", 1, 1), ("2026-W46", 0, 1), ("2026-W47", 2, 2)]
    assert d.attention[2:] == [
        "Alex Teacher: 2 staff-conduct incidents this week.",
        "Fewer than two pupils: 2 this week, against 0.0 a week before.",
        "Not hosted by a teacher: 2 this week, against 0.0 a week before."]
    assert d.attention[0].startswith(f"3 overdue: #{ids['Year 7 French (W45)']} not recorded")
    assert d.attention[1].startswith("4 not acknowledged:")


def _addresses(text: str) -> set[str]:
    return set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))


def assert_no_pupil_in(text: str) -> None:
    for pupil in PUPIL_NAMES + PUPIL_EMAILS:
        assert pupil not in text
    assert "Guest 42" not in text
    # the only addresses: the staff named for conduct (and the sender's, in a link or header)
    assert _addresses(text) <= STAFF_EMAILS


def test_the_mail_arrives_once_with_text_and_html_and_names_no_pupil(recorded_week):
    config_path, data, _ = recorded_week
    with smtp_server() as (port, mailbox):
        service = service_for(config_path, data, smtp_environment(port))
        assert service.tick(MONDAY_0700) == "sent"
        assert service.tick(MONDAY_0700 + timedelta(hours=1)) is None     # the next tick: sent already
        assert service.send(W48) == "already sent"
        assert len(mailbox.received) == 1
        envelope, mail, _ = mailbox.received[0]
    assert sorted(envelope.rcpt_tos) == sorted(RECIPIENTS)
    assert mail["Subject"] == ("Gatehouse School: safeguarding digest for the week of Mon 23 Nov to Sun 29 Nov 2026 "
                               "(2026-W48)")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Lessons monitored:                 8 (6.5 hours)" in text
    assert "Median time to acknowledge:        30 min (4 acknowledged this week)" in text
    assert "Median time to close:              26.0 h (3 closed this week)" in text
    assert "Alex Teacher <a.teacher@gatehouse.sch.uk>: fewer than two pupils 2" in text
    # the chart: one bar a day, as table cells with a width and a background colour (no images, no scripts)
    bars = re.findall(r'<td width="(\d+)" height="14" bgcolor="#b00020"', html)
    assert bars == ["120", "240", "120", "120", "120"]
    assert "<img" not in html and "<script" not in html and "<style" not in html
    assert "http://127.0.0.1:8000/digests/2026-W48" in text
    for part in (text, html):
        assert_no_pupil_in(part)
    kept, sent_at = service.store.get(W48)
    assert sent_at == MONDAY_0700 and kept.lessons == 8


def test_without_recipients_the_digest_is_kept_and_not_sent(tmp_path):
    config_path = write_config(tmp_path)
    data = tmp_path / "data"
    replay([RECORDED_WEEK], load_config(config_path), data_dir=data)
    service = service_for(config_path, data)
    assert service.tick(MONDAY_0700) == "kept"
    assert service.tick(MONDAY_0700 + timedelta(hours=1)) is None
    kept, sent_at = service.store.get(W48)
    assert (kept.week, kept.incidents, sent_at) == ("2026-W48", 6, None)


def monitor_digest(config_path: Path, data: Path, *args: str, env: dict | None = None):
    import os

    return subprocess.run([sys.executable, "-m", "monitor.cli", "digest", "--config", str(config_path), *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "MONITOR_DATA_DIR": str(data), **(env or {})})


@pytest.mark.slow
def test_monitor_digest_previews_in_three_formats(recorded_week):
    config_path, data, _ = recorded_week
    as_json = monitor_digest(config_path, data, "--week", "2026-W48", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    figures = json.loads(as_json.stdout)
    assert (figures["week"], figures["lessons"], figures["lesson_hours"], figures["incidents"]) == \
        ("2026-W48", 8, 6.5, 6)
    assert (figures["median_minutes_to_acknowledge"], figures["median_hours_to_close"]) == (30.0, 26.0)
    as_text = monitor_digest(config_path, data, "--week", "2026-W48")
    assert as_text.returncode == 0 and "Lessons monitored:                 8 (6.5 hours)" in as_text.stdout
    as_html = monitor_digest(config_path, data, "--week", "2026-W48", "--format", "html")
    assert as_html.returncode == 0 and as_html.stdout.startswith("<!DOCTYPE html>")
    assert "Not hosted by a teacher" in as_html.stdout
    bad = monitor_digest(config_path, data, "--week", "2026-48")
    assert bad.returncode == 2 and "not an ISO week like 2026-W48" in bad.stderr


@pytest.mark.slow
def test_monitor_digest_send_sends_again_on_request(recorded_week):
    config_path, data, _ = recorded_week
    with smtp_server() as (port, mailbox):
        env = smtp_environment(port)
        first = monitor_digest(config_path, data, "--week", "2026-W48", "--send", env=env)
        assert first.returncode == 0, first.stderr
        assert "digest 2026-W48: sent" in first.stderr
        again = monitor_digest(config_path, data, "--week", "2026-W48", "--send", env=env)
        assert again.returncode == 0 and "digest 2026-W48: sent" in again.stderr
        assert len(mailbox.received) == 2
        ids = {mail["Message-ID"] for _, mail, _ in mailbox.received}
    assert len(ids) == 1           # one Message-ID for the week: a mail client can drop the resend
    missing = monitor_digest(config_path, data, "--week", "2026-W48", "--send")
    assert missing.returncode == 2 and "SMTP_HOST is not set" in missing.stderr


def test_an_incident_closed_or_acknowledged_since_the_week_ended_never_needs_attention(recorded_week):
    config_path, data, ids = recorded_week
    engine = create_engine(f"sqlite:///{data / 'monitor.sqlite3'}")
    sunday_night = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)  # after the week, before the digest
    triage = Triage(engine)
    assert triage.close(DSL, ids["Year 7 French (W45)"], "no_action", "Checked.", sunday_night)
    assert triage.acknowledge(DSL, ids["Year 12 History"], sunday_night)
    engine.dispose()
    d = service_for(config_path, data).make(W48)
    assert d.open == 6  # as at the end of the week
    assert [r.id for r in d.overdue] == [ids["Year 7 French (W47)"], ids["Year 11 Physics"]]
    assert [r.id for r in d.unacknowledged] == [ids["Year 7 French (W47)"], ids["Year 11 Physics catch-up"]]
    assert not any(f"#{ids['Year 7 French (W45)']} " in item or f"#{ids['Year 12 History']} " in item
                   for item in d.attention)
