"""The incident store: one incident per (meeting, rule, subject), recurrences, clearing, listing, races.

Each test with the `store` fixture runs on SQLite and on PostgreSQL (conftest.py); test_incidents_postgres.py has
PostgreSQL's own cases.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select
from sqlalchemy.exc import StatementError

from monitor.accounts import models as _accounts  # noqa: F401  (every table is in the metadata)
from monitor.incidents import iso_utc
from monitor.incidents.models import Base, Incident
from monitor.migrations import migrate

from ..confirmations import EVIDENCE, OTHER_UUID, T0, TEACHER, UUID, at, confirmation
from .store_helpers import (
    check_races_settle_on_one_incident,
    confirm_in_threads,
    newest_revision,
    occurrence_rows,
    run_in_processes,
)

# --- core cases, on SQLite and on PostgreSQL -----------------------------------------------------------------------

def test_the_first_confirmation_opens_the_incident(store):
    incident_id, opened = store.confirm(confirmation(T0, grace=60))
    assert opened is True
    assert store.get(incident_id) == {
        "id": incident_id, "rule": "no_recording", "meeting_uuid": UUID, "meeting_id": "85393847045",
        "subject": None, "subject_class": None, "severity": "high", "status": "new", "topic": "Year 9 Maths",
        "host": {"email": TEACHER, "class": "teacher"},
        "began_at": "2026-11-18T11:06:40Z", "opened_at": "2026-11-18T11:07:40Z", "cleared_at": None,
        "occurrences": 1, "alert_state": "pending", "acknowledged_at": None,
        "acknowledged_by": None, "closed_at": None, "closed_by": None, "outcome": None, "rationale": None,
        "assigned_to": None, "due_on": None,
        "evidence": EVIDENCE,
        "last_at": "2026-11-18T11:06:40Z",
        "occurrence_list": [{"began_at": "2026-11-18T11:06:40Z", "opened_at": "2026-11-18T11:07:40Z",
                             "cleared_at": None}],
    }
    assert store.get(incident_id + 1) is None


def test_the_same_confirmation_twice_changes_nothing(store):
    first = store.confirm(confirmation(T0))
    before = store.get(first[0])
    assert store.confirm(confirmation(T0, evidence={"another": "roster"})) == (first[0], False)
    assert store.get(first[0]) == before
    assert occurrence_rows(store) == 1


def test_a_recurrence_is_recorded_on_the_same_incident(store):
    incident_id, _ = store.confirm(confirmation(at(0)))
    store.record_clear(UUID, "no_recording", None, at(0), at(60))
    assert store.get(incident_id)["cleared_at"] == "2026-11-18T11:07:40Z"
    assert store.confirm(confirmation(at(120), evidence={"second": True})) == (incident_id, False)
    incident = store.get(incident_id)
    assert incident["occurrences"] == 2 == occurrence_rows(store)
    assert (incident["began_at"], incident["evidence"]) == ("2026-11-18T11:06:40Z", EVIDENCE)  # the first's
    assert incident["cleared_at"] is None  # the latest occurrence has not cleared
    assert incident["occurrence_list"] == [
        {"began_at": "2026-11-18T11:06:40Z", "opened_at": "2026-11-18T11:06:40Z", "cleared_at": "2026-11-18T11:07:40Z"},
        {"began_at": "2026-11-18T11:08:40Z", "opened_at": "2026-11-18T11:08:40Z", "cleared_at": None},
    ]
    assert len(store.list()) == 1


def test_occurrences_confirmed_out_of_order_give_the_same_incident(store):
    incident_id, opened = store.confirm(confirmation(at(300), evidence={"later": True}))
    assert opened
    assert store.confirm(confirmation(at(0))) == (incident_id, False)
    incident = store.get(incident_id)
    assert (incident["began_at"], incident["evidence"], incident["occurrences"]) == (
        "2026-11-18T11:06:40Z", EVIDENCE, 2)


def test_a_null_subject_is_one_incident_and_stays_null(store):
    first, opened = store.confirm(confirmation(at(0), rule="external_participant", subject=None))
    assert opened
    assert store.confirm(confirmation(at(30), rule="external_participant", subject=None)) == (first, False)
    named, opened = store.confirm(confirmation(at(30), rule="external_participant", subject="x@evil.example"))
    assert opened and named != first
    assert store.get(first)["subject"] is None and store.get(first)["occurrences"] == 2
    assert {i["subject"] for i in store.list()} == {None, "x@evil.example"}


def test_each_meeting_and_rule_has_its_own_incident(store):
    ids = {store.confirm(confirmation(rule=rule, meeting_uuid=uuid))[0]
           for rule in ("no_recording", "non_teacher_host") for uuid in (UUID, OTHER_UUID)}
    assert len(ids) == 4


def test_record_clear_sets_the_occurrence_and_the_latest_on_the_incident(store):
    store.record_clear(UUID, "no_recording", None, at(0), at(10))  # unknown incident: nothing happens
    incident_id, _ = store.confirm(confirmation(at(0)))
    store.confirm(confirmation(at(100)))
    store.record_clear(UUID, "no_recording", None, at(50), at(60))  # unknown occurrence: nothing happens
    store.record_clear(UUID, "no_recording", None, at(0), at(30))
    incident = store.get(incident_id)
    assert incident["cleared_at"] is None  # its latest occurrence goes on
    assert [o["cleared_at"] for o in incident["occurrence_list"]] == ["2026-11-18T11:07:10Z", None]
    store.record_clear(UUID, "no_recording", None, at(100), at(160))
    store.record_clear(UUID, "no_recording", None, at(100), at(160))
    incident = store.get(incident_id)
    assert incident["cleared_at"] == "2026-11-18T11:09:20Z"
    assert incident["occurrences"] == 2


def test_alerts_are_marked_once(store):
    incident_id, _ = store.confirm(confirmation())
    assert store.needs_alert(incident_id)
    store.mark_alert_enqueued(incident_id, at(1))
    store.mark_alert_enqueued(incident_id, at(2))
    assert not store.needs_alert(incident_id)
    with store.engine.connect() as conn:
        assert conn.execute(select(Incident.alert_enqueued_at)).scalar_one() == at(1)
    assert not store.needs_alert(incident_id + 1)


def test_list_is_newest_first_and_filters(store):
    a, _ = store.confirm(confirmation(at(0), rule="no_recording"))
    b, _ = store.confirm(confirmation(at(60), rule="external_participant", subject="x@evil.example"))
    c, _ = store.confirm(confirmation(at(60), rule="non_teacher_host", meeting_uuid=OTHER_UUID))
    d, _ = store.confirm(confirmation(at(0), grace=300, rule="fewer_than_two_pupils"))  # opened last
    assert [i["id"] for i in store.list()] == [d, c, b, a]
    assert [i["id"] for i in store.list(rule="external_participant")] == [b]
    assert [i["id"] for i in store.list(meeting_uuid=OTHER_UUID)] == [c]
    assert [i["id"] for i in store.list(since=at(60))] == [d, c, b]  # inclusive
    assert [i["id"] for i in store.list(since=at(61))] == [d]
    assert [i["id"] for i in store.list(since=at(60).astimezone(timezone(timedelta(hours=1))))] == [d, c, b]
    assert len(store.list(status="new")) == 4 and store.list(status="closed") == []
    assert [i["id"] for i in store.list(limit=2)] == [d, c]
    assert [i["id"] for i in store.list(rule="no_recording", meeting_uuid=UUID, since=at(0))] == [a]


def test_times_are_iso_utc_with_milliseconds_only_when_there_are_some(store):
    london_winter = timezone(timedelta(hours=1))
    incident_id, _ = store.confirm(confirmation(datetime(2026, 11, 18, 12, 6, 40, 250_000, tzinfo=london_winter)))
    incident = store.get(incident_id)
    assert incident["began_at"] == "2026-11-18T11:06:40.250Z"
    assert iso_utc(T0) == "2026-11-18T11:06:40Z"
    assert iso_utc(T0.replace(microsecond=999)) == "2026-11-18T11:06:40Z"
    assert iso_utc(T0.replace(microsecond=7_000)) == "2026-11-18T11:06:40.007Z"
    assert iso_utc(None) is None


def test_times_must_be_aware(store):
    with pytest.raises(StatementError, match="naive datetime"):
        store.confirm(confirmation(datetime(2026, 11, 18, 11, 6, 40)))


def test_the_schema_matches_the_models_and_migrating_again_changes_nothing(store):
    migrate(store.engine)
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert MigrationContext.configure(conn).get_current_heads() == (newest_revision(),)


# --- races ---------------------------------------------------------------------------------------------------------

WORKERS = 8


def test_threads_confirming_the_same_occurrence_at_once_make_one_incident(store):
    check_races_settle_on_one_incident(confirm_in_threads(store, [0] * WORKERS), store, 1)


def test_threads_confirming_recurrences_at_once_count_each_once(store):
    check_races_settle_on_one_incident(confirm_in_threads(store, list(range(WORKERS)) * 2), store, WORKERS)


@pytest.mark.slow
def test_processes_migrating_a_new_sqlite_database_at_once(sqlite_url):
    run_in_processes(sqlite_url, "migrate", [0] * 4)
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == (newest_revision(),)
    engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_processes_confirming_at_once_on_sqlite(store, sqlite_url):
    results = run_in_processes(sqlite_url, "confirm", [0, 0, 60, 60])
    check_races_settle_on_one_incident([tuple(r) for r in results], store, 2)
