"""The incident store on SQLite: one incident per (meeting, rule, subject), recurrences, clearing, listing, races.

The core cases run again on PostgreSQL in test_incidents_postgres.py.
"""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import StatementError

from monitor.incidents import Confirmation, IncidentStore, iso_utc
from monitor.accounts import models as _accounts  # noqa: F401  (every table is in the metadata)
from monitor.incidents.models import Base, Incident, IncidentOccurrence
from monitor.migrations import migrate

T0 = datetime(2026, 11, 18, 11, 6, 40, tzinfo=timezone.utc)
UUID = "jUh5o3dKQIytvcsfTtKBlg=="
OTHER_UUID = "kVi6p4eLRJzuwdtgUuLCmh=="
TEACHER = "a.teacher@gatehouse.sch.uk"
EVIDENCE = {"present": [{"email": TEACHER, "class": "teacher"}, {"email": None, "class": "external"}]}


def confirmation(began: datetime = T0, *, grace: int = 0, rule: str = "no_recording", subject: str | None = None,
                 meeting_uuid: str = UUID, evidence: dict = EVIDENCE) -> Confirmation:
    return Confirmation(meeting_uuid=meeting_uuid, meeting_id="85393847045", topic="Year 9 Maths", rule=rule,
                        subject=subject, severity="high", host_email=TEACHER, host_class="teacher",
                        began_at=began, opened_at=began + timedelta(seconds=grace), evidence=evidence)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'incidents.sqlite3'}"


@pytest.fixture
def store(sqlite_url):
    engine = create_engine(sqlite_url)
    migrate(engine)
    yield IncidentStore(engine)
    engine.dispose()


def newest_revision() -> str:
    from alembic.script import ScriptDirectory

    from monitor.migrations import alembic_config
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def occurrence_rows(store: IncidentStore) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(IncidentOccurrence)).scalar_one()


# --- core cases, on SQLite here and on PostgreSQL in test_incidents_postgres.py -------------------------------------

def test_the_first_confirmation_opens_the_incident(store):
    incident_id, opened = store.confirm(confirmation(T0, grace=60))
    assert opened is True
    assert store.get(incident_id) == {
        "id": incident_id, "rule": "no_recording", "meeting_uuid": UUID, "meeting_id": "85393847045",
        "subject": None, "severity": "high", "status": "new", "topic": "Year 9 Maths",
        "host": {"email": TEACHER, "class": "teacher"},
        "began_at": "2026-11-18T11:06:40Z", "opened_at": "2026-11-18T11:07:40Z", "cleared_at": None,
        "occurrences": 1, "alert_state": "pending", "acknowledged_at": None,
        "acknowledged_by": None, "closed_at": None, "closed_by": None, "outcome": None, "rationale": None,
        "assigned_to": None, "due_on": None,
        "evidence": EVIDENCE,
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


def check_races_settle_on_one_incident(results: list[tuple[int, bool]], store: IncidentStore, occurrences: int):
    assert len({incident_id for incident_id, _ in results}) == 1
    assert sum(opened for _, opened in results) == 1
    [incident] = store.list()
    assert incident["occurrences"] == occurrences == occurrence_rows(store)
    assert incident["began_at"] == "2026-11-18T11:06:40Z"


def confirm_in_threads(store: IncidentStore, offsets: list[int]) -> list[tuple[int, bool]]:
    barrier = threading.Barrier(len(offsets))

    def confirm(offset: int):
        barrier.wait()
        return store.confirm(confirmation(at(offset)))

    with ThreadPoolExecutor(len(offsets)) as pool:
        return list(pool.map(confirm, offsets))


def test_threads_confirming_the_same_occurrence_at_once_make_one_incident(store):
    check_races_settle_on_one_incident(confirm_in_threads(store, [0] * WORKERS), store, 1)


def test_threads_confirming_recurrences_at_once_count_each_once(store):
    check_races_settle_on_one_incident(confirm_in_threads(store, list(range(WORKERS)) * 2), store, WORKERS)


def _in_a_process(url: str, task: str, offset: int, barrier, results) -> None:
    try:
        engine = create_engine(url)
        barrier.wait()
        if task == "migrate":
            migrate(engine)
            results.put(("ok", None))
        else:
            results.put(("ok", IncidentStore(engine).confirm(confirmation(at(offset)))))
        engine.dispose()
    except Exception as exc:  # reported to the test, which fails with it
        results.put(("error", repr(exc)))


def run_in_processes(url: str, task: str, offsets: list[int]) -> list:
    """Runs the task in one fresh process per offset, all released at the same moment; returns their results."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(offsets)), context.Queue()
    processes = [context.Process(target=_in_a_process, args=(url, task, offset, barrier, results))
                 for offset in offsets]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
    assert [status for status, _ in outcomes] == ["ok"] * len(processes), outcomes
    return [value for _, value in outcomes]


def test_processes_migrating_a_new_sqlite_database_at_once(sqlite_url):
    run_in_processes(sqlite_url, "migrate", [0] * 4)
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == (newest_revision(),)
    engine.dispose()


def test_processes_confirming_at_once_on_sqlite(store, sqlite_url):
    results = run_in_processes(sqlite_url, "confirm", [0, 0, 60, 60])
    check_races_settle_on_one_incident([tuple(r) for r in results], store, 2)
