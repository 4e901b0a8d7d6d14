"""Retention on a database of records of several ages: what is past its period goes (or, for a closed incident's
evidence, loses its pupils' e-mails and names), nothing within its period is touched, and the audit log only gains
what the run did."""
from __future__ import annotations

import json

import pytest

from monitor.config import RetentionSection
from monitor.incidents.concerned import person_key
from monitor.privacy.retention import Retention, RetentionHeld, years_before

from ..staff_pages import ASSISTANT, PUPIL, PUPIL_TWO, TEACHER
from .conftest import NOW, every_row, on, pupils_named, records_of_several_ages

REDUCED = ("screen_share", "private_chat", "evening_host")


@pytest.fixture
def aged(school, notifier):
    return records_of_several_ages(school, notifier)


def test_a_run_deletes_and_reduces_only_what_is_past_its_period(school, aged):
    before = every_row(school.database)
    done = Retention(school.database, RetentionSection()).apply(NOW)
    after = every_row(school.database)

    assert done.deleted == {"lessons": 2, "delivery_attempts": 1, "set_aside_checks": 1, "findings": 1,
                            "finding_notices": 1}
    assert [row["meeting_uuid"] for row in after["lessons"]] == ["within-a-year"]  # and the lesson of 2026 went too
    assert len(after["alert_deliveries"]) == 1 and len(after["alerts"]) == 1
    assert len(after["unchecked_conditions"]) == 1
    assert sorted(row["subject"] for row in after["findings"]) == ["222", "333"]   # resolved 30 days ago, and open
    assert sorted(row["subject"] for row in after["finding_notices"]) == ["222", "333"]

    reduced = sorted(aged[name] for name in REDUCED)
    assert sorted(done.incidents) == reduced
    untouched = [row for row in before["incidents"] if row["id"] not in reduced]
    assert [row for row in after["incidents"] if row["id"] not in reduced] == untouched  # open, or closed in 21 years
    for table in ("incident_occurrences", "incident_people"):
        assert [r for r in after[table] if r["incident_id"] not in reduced] == \
            [r for r in before[table] if r["incident_id"] not in reduced]
    assert after["incident_notes"] == before["incident_notes"]


def test_the_audit_log_keeps_every_entry_and_gains_only_what_the_run_did(school, aged):
    before = every_row(school.database)["audit_log"]
    Retention(school.database, RetentionSection()).apply(NOW)
    after = every_row(school.database)["audit_log"]
    assert after[:len(before)] == before
    added = [(row["action"], row["incident_id"], row["detail"]) for row in after[len(before):]]
    assert [entry[:2] for entry in added] == [("reduce_evidence", aged[name]) for name in
                                              sorted(REDUCED, key=aged.get)] + [("retention", None)]
    assert added[-1][2] == {"lessons": 2, "delivery_attempts": 1, "set_aside_checks": 1, "findings": 1,
                            "finding_notices": 1, "incidents_reduced": sorted(aged[name] for name in REDUCED),
                            "run": "daily"}
    assert {row["account_email"] for row in after[len(before):]} == {"monitor:retention"}


def test_a_reduced_incident_keeps_its_decision_and_counts_its_pupils_by_class(school, aged):
    before = {name: school.incidents.get(aged[name]) for name in REDUCED}
    Retention(school.database, RetentionSection()).apply(NOW)
    for name in REDUCED:
        was, now = before[name], school.incidents.get(aged[name])
        assert pupils_named(json.dumps(now)) == []
        assert {key: now[key] for key in ("status", "outcome", "rationale", "closed_at", "closed_by", "rule",
                                          "opened_at", "occurrences")} == \
            {key: was[key] for key in ("status", "outcome", "rationale", "closed_at", "closed_by", "rule",
                                       "opened_at", "occurrences")}
        assert {cls: len(people) for cls, people in now["evidence"]["roster"].items()} == \
            {cls: len(people) for cls, people in was["evidence"]["roster"].items()}
        unnamed = {"email": None, "name": None, "removed": "retention"}
        assert all(pupil == unnamed for pupil in now["evidence"]["roster"]["pupil"])
    reduced = {aged[name] for name in REDUCED}
    for pupil in (PUPIL, PUPIL_TWO):  # their chronologies no longer find the reduced incidents
        found = {i["id"] for i in school.incidents.list(person=person_key(pupil), limit=100)}
        assert found and not found & reduced
    for row in every_row(school.database)["incident_occurrences"]:
        assert (row["incident_id"] in reduced) == (pupils_named(json.dumps(row["evidence"])) == [])
    chat = school.incidents.get(aged["private_chat"])
    assert chat["evidence"]["event"]["sender"] == {"email": None, "class": "pupil", "removed": "retention"}
    assert chat["evidence"]["event"]["recipient"] == {"email": ASSISTANT, "class": "staff"}  # staff stay named
    assert chat["host"]["email"] == TEACHER and chat["subject"] == ASSISTANT
    share = school.incidents.get(aged["screen_share"])
    assert share["subject"] is None and share["subject_class"] == "pupil"
    assert school.triage.notes(aged["private_chat"])[0]["text"] == "Parents told."


def test_a_dry_run_changes_nothing_and_lists_what_a_run_would_change(school, aged):
    retention = Retention(school.database, RetentionSection())
    before = every_row(school.database)
    due = retention.due(NOW)
    assert every_row(school.database) == before
    done = retention.apply(NOW)
    assert (due.deleted, due.incidents) == (done.deleted, done.incidents)


def test_a_second_run_finds_nothing_more(school, aged):
    retention = Retention(school.database, RetentionSection())
    retention.apply(NOW)
    rows = every_row(school.database)
    again = retention.apply(NOW)
    assert set(again.deleted.values()) == {0} and again.incidents == {}
    after = every_row(school.database)
    assert {name: table for name, table in after.items() if name != "audit_log"} == \
        {name: table for name, table in rows.items() if name != "audit_log"}


def test_each_period_is_the_schools_own(school, aged):
    retention = Retention(school.database, RetentionSection(evidence_years=1, lessons_days=3000))
    due = retention.due(on(2028, 6, 2))  # a year and a day after the outsider's was closed
    assert sorted(due.incidents) == sorted([aged[name] for name in REDUCED] + [aged["outsider"]])
    assert due.deleted["lessons"] == 0


def test_a_hold_changes_nothing(school, aged):
    before = every_row(school.database)
    with pytest.raises(RetentionHeld):
        Retention(school.database, RetentionSection(hold=True)).apply(NOW)
    assert every_row(school.database) == before


def test_a_year_before_the_29th_of_february():
    assert years_before(on(2028, 2, 29), 1) == on(2027, 2, 28)
    assert years_before(on(2048, 3, 1), 21) == on(2027, 3, 1)
