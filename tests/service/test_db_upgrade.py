"""`monitor db upgrade`, the release step, migrates the database; every other process only checks that the schema is
the one it needs, and stops, saying what to run, when it is not."""
import os
import subprocess
import sys

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from monitor.migrations import alembic_config, head, schema_status

from .. import zoom
from ..incidents.store_helpers import newest_revision
from ..school import write_config
from ..servers import ROOT, free_port, gunicorn, monitor, running

HEAD = head()
UPGRADE = 'run "monitor db upgrade"'


def run(env: dict[str, str], *args: str) -> tuple[int, str, list[str]]:
    """(exit code, standard output, lines of standard error) of a `monitor` command."""
    done = subprocess.run(monitor(*args), cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=60)
    return done.returncode, done.stdout.strip(), done.stderr.splitlines()


def at_revision(url: str, revision: str) -> str:
    """The database migrated only as far as an older version of the monitor would."""
    engine = create_engine(url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()
    return url


def tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def new_database(request, tmp_path):
    """A database without a schema: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    return request.getfixturevalue("empty_database")


def test_the_newest_revision_is_read_from_the_file_names_as_alembic_reads_it():
    assert HEAD == newest_revision()


def test_processes_check_the_schema_without_loading_alembic(tmp_path):
    code = ("import sys; from sqlalchemy import create_engine; import monitor.wiring, workers.run; "
            f"from monitor.migrations import schema_status; schema_status(create_engine('sqlite:///{tmp_path}/m.db')); "
            "print(sorted(name for name in sys.modules if name.startswith('alembic')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_db_upgrade_makes_a_new_database_current(new_database):
    env = {"DATABASE_URL": new_database}
    assert run(env, "db", "current")[:2] == (1, f"database has no schema, this version needs {HEAD}: {UPGRADE}")
    assert run(env, "db", "upgrade")[:2] == (0, f"database upgraded from no schema to {HEAD}")
    assert run(env, "db", "upgrade")[:2] == (0, f"database schema is current ({HEAD})")
    assert run(env, "db", "current")[:2] == (0, f"database schema is current ({HEAD})")


def test_db_upgrade_migrates_the_embedded_database_by_default(tmp_path):
    env = {"MONITOR_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    assert run(env, "db", "upgrade")[:2] == (0, f"database upgraded from no schema to {HEAD}")
    assert schema_status(create_engine(f"sqlite:///{tmp_path / 'monitor.sqlite3'}")) == (HEAD, HEAD)


def test_an_older_schema_is_named_with_the_one_needed_until_it_is_upgraded(tmp_path):
    env = {"DATABASE_URL": at_revision(f"sqlite:///{tmp_path / 'monitor.sqlite3'}", "0008")}
    older = f"database schema is at 0008, this version needs {HEAD}: {UPGRADE}"
    assert run(env, "db", "current")[:2] == (1, older)
    code, _, errors = run(env, "users", "list")
    assert (code, errors) == (2, [f"monitor: {older}"])
    assert run(env, "db", "upgrade")[:2] == (0, f"database upgraded from 0008 to {HEAD}")
    assert run(env, "users", "list")[:2] == (0, "")


def test_a_schema_newer_than_this_version_is_not_touched(tmp_path):
    url = at_revision(f"sqlite:///{tmp_path / 'monitor.sqlite3'}", "head")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    newer = f"database schema is at 9999, newer than this version's {HEAD}: run the newer version"
    assert run({"DATABASE_URL": url}, "db", "upgrade")[:3] == (2, "", [f"monitor: {newer}"])
    assert run({"DATABASE_URL": url}, "db", "current")[:2] == (1, newer)


@pytest.mark.integration
def test_a_worker_on_a_database_without_schema_stops_saying_what_to_run_and_stores_nothing(
        new_database, tmp_path, real_redis_url, real_redis):
    env = {"MONITOR_CONFIG": str(write_config(tmp_path)), "REDIS_URL": real_redis_url, "DATABASE_URL": new_database,
           "ZOOM_WEBHOOK_SECRET_TOKEN": zoom.SECRET, "MONITOR_API_TOKEN": "token"}
    code, _, errors = run(env, "worker")
    assert code == 2
    assert f"monitor: database has no schema, this version needs {HEAD}: {UPGRADE}" in errors
    assert tables(new_database) == [] and real_redis.keys() == []


@pytest.mark.integration
def test_the_web_app_on_an_older_schema_stops_naming_both_revisions_and_changes_nothing(tmp_path, real_redis_url,
                                                                                         real_redis):
    url = at_revision(f"sqlite:///{tmp_path / 'monitor.sqlite3'}", "0008")
    before = tables(url)
    env = {"MONITOR_CONFIG": str(write_config(tmp_path)), "REDIS_URL": real_redis_url, "DATABASE_URL": url,
           "ZOOM_WEBHOOK_SECRET_TOKEN": zoom.SECRET, "MONITOR_API_TOKEN": "token", "MONITOR_SECRET_KEY": "key"}
    result = subprocess.run(gunicorn(free_port()), cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert f"cannot start: database schema is at 0008, this version needs {HEAD}: {UPGRADE}" in result.stderr
    assert tables(url) == before and schema_status(create_engine(url))[0] == "0008"
    assert real_redis.keys() == []


@pytest.mark.integration
def test_serve_upgrades_its_own_database_and_says_so(tmp_path):
    url = at_revision(f"sqlite:///{tmp_path / 'monitor.sqlite3'}", "0008")
    port = free_port()
    env = {"MONITOR_CONFIG": str(write_config(tmp_path)), "DATABASE_URL": url, "REDIS_URL": "", "PYTHONPATH": str(ROOT)}
    with running([sys.executable, "-m", "monitor.cli", "serve", "--port", str(port)], port, env, cwd=tmp_path):
        pass
    assert f"database upgraded from 0008 to {HEAD}" in (tmp_path / f".server-{port}.log").read_text()
    assert schema_status(create_engine(url)) == (HEAD, HEAD)
