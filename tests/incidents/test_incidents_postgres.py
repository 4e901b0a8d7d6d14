"""The incident store on a real PostgreSQL: its time zones, races between processes, the append-only audit log (the
core cases of test_incidents.py run on PostgreSQL too, by its `store` fixture)."""
from __future__ import annotations

import pytest
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from monitor.incidents import IncidentStore

from ..confirmations import confirmation
from . import store_helpers
from .store_helpers import check_races_settle_on_one_incident, newest_revision, run_in_processes

pytestmark = pytest.mark.integration


@pytest.fixture
def store(postgres_store):
    """This module's cases are PostgreSQL's own: the store on PostgreSQL only."""
    return postgres_store


def test_times_keep_utc_whatever_the_session_time_zone(postgres_url, store):
    incident_id, _ = store.confirm(confirmation())
    elsewhere = create_engine(postgres_url, connect_args={"options": "-c TimeZone=America/New_York"})
    assert IncidentStore(elsewhere).get(incident_id)["began_at"] == "2026-11-18T11:06:40Z"
    elsewhere.dispose()


@pytest.mark.slow
def test_processes_migrating_a_new_database_at_once(empty_database):
    run_in_processes(empty_database, "migrate", [0] * 6)
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == (newest_revision(),)
    engine.dispose()


@pytest.mark.slow
def test_processes_confirming_the_same_occurrence_at_once_make_one_incident(postgres_url, store):
    results = run_in_processes(postgres_url, "confirm", [0] * 6)
    check_races_settle_on_one_incident([tuple(r) for r in results], store, 1)


@pytest.mark.slow
def test_processes_confirming_recurrences_at_once_count_each_once(postgres_url, store):
    results = run_in_processes(postgres_url, "confirm", [0, 0, 30, 30, 60, 60, 90, 90])
    check_races_settle_on_one_incident([tuple(r) for r in results], store, 4)


def test_threads_confirming_at_once(store):
    results = store_helpers.confirm_in_threads(store, [0, 10, 20, 30] * 3)
    check_races_settle_on_one_incident(results, store, 4)


def test_the_audit_log_is_append_only_on_postgresql(postgres_engine):
    from datetime import datetime, timezone

    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from monitor.incidents.triage import Triage

    Triage(postgres_engine).record((None, "someone"), "view", None, datetime.now(timezone.utc))
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"):
            with postgres_engine.begin() as conn:
                conn.execute(text(statement))
