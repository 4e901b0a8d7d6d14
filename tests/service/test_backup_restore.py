"""The README's backup and restore, as a school's IT admin would do them: `pg_dump` the database of a monitor with an
incident, decided and audited; `pg_restore` it into a new database; `monitor db current` finds the schema current
and `monitor serve` on it shows the same incident, decision and audit log."""
from __future__ import annotations

import subprocess
from datetime import datetime, timezone

import httpx
import pytest
from sqlalchemy import create_engine, make_url

from monitor.config import load_config
from monitor.migrations import migrate
from monitor.services import Services

from .. import zoom
from ..school import write_config
from ..servers import API_TOKEN, env_for, free_port, monitor, running

pytestmark = pytest.mark.slow


def libpq(url: str) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_dump_restored_into_a_new_database_is_served_as_it_was(tmp_path, empty_database, fake_redis, clock):
    source = make_url(empty_database).set(database=f"{make_url(empty_database).database}_src")
    admin = create_engine(make_url(empty_database), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{source.database}"')
    try:
        engine = create_engine(source)
        migrate(engine)
        svc = Services(config=load_config(write_config(tmp_path)), redis=fake_redis, database=engine,
                       webhook_secret=zoom.SECRET, api_token="token", clock=clock)
        for event in (zoom.started(zoom.T0), zoom.joined(zoom.T0, "t", "a.teacher@gatehouse.sch.uk"),
                      zoom.recording("started", zoom.T0), zoom.joined(zoom.T0 + 1, "p1", "pupil1@gatehouse.sch.uk"),
                      zoom.joined(zoom.T0 + 1, "p2", "pupil2@gatehouse.sch.uk"), zoom.joined(zoom.T0 + 2, "x", "")):
            svc.pipeline.process(event)
        [incident] = svc.incidents.list()
        svc.triage.acknowledge((None, "Dee Lead (API)"), incident["id"], datetime.now(timezone.utc))
        evidence = svc.incidents.get(incident["id"])["evidence"]
        engine.dispose()

        dump = tmp_path / "monitor.dump"
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq(source.render_as_string(False))],
                       check=True, capture_output=True, timeout=60)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={libpq(empty_database)}", str(dump)], check=True,
                       capture_output=True, timeout=60)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{source.database}" WITH (FORCE)')
        admin.dispose()

    env = env_for(tmp_path, DATABASE_URL=empty_database)
    current = subprocess.run(monitor("db", "current"), env=env, capture_output=True, text=True, timeout=60)
    assert current.returncode == 0 and "database schema is current" in current.stdout + current.stderr
    port = free_port()
    with running(monitor("serve", "--port", str(port)), port, env, cwd=tmp_path) as base:
        served = httpx.get(f"{base}/api/incidents/{incident['id']}",
                           headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=5).json()
    assert "rule" in served, served
    assert (served["rule"], served["status"], served["acknowledged_by"]) == (
        "external_participant", "acknowledged", "Dee Lead (API)")
    assert served["evidence"] == evidence
