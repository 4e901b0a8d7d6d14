"""A school's records of several ages, on SQLite and on the real PostgreSQL (whose audit log refuses, by its own
trigger, any change but an insert)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from monitor.findings.appendix import Finding
from monitor.findings.store import FindingStore
from monitor.incidents import SetAside
from monitor.incidents.models import Base
from monitor.lessons import Lesson, LessonStore
from monitor.services import Services

from .. import zoom
from ..school import API_TOKEN
from ..staff.test_browser import browser  # noqa: F401  (the real Chromium, for the page on paper)
from ..staff_pages import ASSISTANT, PUPIL, PUPIL_TWO, TEACHER, lessons_breaking_every_rule

NOW = datetime(2048, 3, 1, 2, 30, tzinfo=timezone.utc)
"""The retention run: 21 years after 1 March 2027, the defaults' cut-off for a closed incident's evidence."""
DSL = (None, "dsl@gatehouse.sch.uk")
SETTING = Finding("settings.auto_recording", "cloud", "none", "Not recorded to the cloud.", "Turn on cloud recording.")


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def on(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def school(request, school_config, fake_redis, clock):
    """The services on an empty database: SQLite, then the real PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("services")
    engine = request.getfixturevalue("postgres_engine")
    with engine.begin() as conn:  # every table but the audit log, which no test may empty
        conn.exec_driver_sql("TRUNCATE incidents, lessons, alerts, unchecked_conditions, findings, finding_notices, "
                             "digests RESTART IDENTITY CASCADE")
    return Services(config=school_config, redis=fake_redis, database=engine, webhook_secret=zoom.SECRET,
                    api_token=API_TOKEN, clock=clock)


def records_of_several_ages(services, notifier) -> dict:
    """Every rule broken on 18 November 2026 (tests/staff_pages.py), and, as at NOW: three of those incidents closed
    on 1 December 2026 (past 21 years), one closed on 1 June 2027 (within), the others open; lessons, delivery
    attempts, set-aside checks and Zoom settings findings past their year and within it. Returns the incidents'
    ids by name."""
    ids = lessons_breaking_every_rule(services, notifier)
    incidents = {
        "screen_share": ids[("participant_screen_share", PUPIL_TWO)],  # the pupil is its subject
        "private_chat": ids[("private_chat", ASSISTANT)],              # a pupil sent it
        "evening_host": ids[("non_teacher_host", ASSISTANT)],          # one pupil present
        "outsider": ids[("external_participant", None)],
        "unsupervised": ids[("pupils_unsupervised", None)],
    }
    for name in ("screen_share", "private_chat", "evening_host"):
        services.triage.close(DSL, incidents[name], "action_taken", "Spoke to the pupil and the assistant.",
                              on(2026, 12, 1))
    services.triage.add_note(DSL, incidents["private_chat"], "Parents told.", on(2026, 11, 30))
    services.triage.close(DSL, incidents["outsider"], "referred", "Referred to the LADO.", on(2027, 6, 1))

    lessons = LessonStore(services.database)
    for uuid, began in (("past-a-year", days_ago(366)), ("within-a-year", days_ago(364))):
        lessons.record(Lesson(meeting_uuid=uuid, started_at=began, ended_at=began + timedelta(hours=1), pupils=2))

    alert = services.alerts.create("an-alert", [incidents["outsider"]], ["dsl"], days_ago(400))
    for attempted in (days_ago(400), days_ago(10)):
        attempt, _ = services.alerts.begin(alert, "dsl", attempted)
        services.alerts.finish(attempt, True, None)

    for when in (days_ago(366), days_ago(364)):
        services.incidents.set_aside(SetAside(meeting_uuid=f"set-aside-{when:%j}", meeting_id=None, topic=None,
                                              rule="no_recording", subject=None, began_at=when, attempts=6,
                                              error="OperationalError", at=when))

    findings = FindingStore(services.database)
    for meeting, opened, resolved in (("111", 800, 400), ("222", 60, 30), ("333", 800, None)):
        findings.record("meeting", meeting, [SETTING], days_ago(opened), host_email=TEACHER)
        findings.claim_notice(meeting, [SETTING], days_ago(opened))
        if resolved is not None:
            findings.record("meeting", meeting, [], days_ago(resolved))
    return incidents


def every_row(engine) -> dict[str, list[dict]]:
    """Every table's rows, in a fixed order: what a run changed is what differs."""
    found = {}
    with engine.connect() as conn:
        for name, table in Base.metadata.tables.items():
            if name not in inspect(conn).get_table_names():
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns))
            found[name] = [dict(row._mapping) for row in rows]
    return found


def pupils_named(text: str) -> list[str]:
    return [who for who in (PUPIL, PUPIL_TWO, "Pupil One", "Pupil Two") if who in text]
