from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import fakeredis
import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import OperationalError

from monitor.app import create_app
from monitor.clock import ManualClock
from monitor.config import load_config
from monitor.migrations import migrate
from monitor.services import Services

from . import zoom
from .local_servers import Receiver
from .notifier import RecordingNotifier
from .school import API_TOKEN, write_config
from .servers import free_port
from .staff_pages import lesson_with_two_breaches, lessons_breaking_every_rule
from .worker_processes import Workers
from .zoom_api_server import ZoomApiStandIn


@pytest.fixture
def school_config(tmp_path):
    return load_config(write_config(tmp_path))


@pytest.fixture
def clock():
    return ManualClock(zoom.T0)


@pytest.fixture
def fake_redis():
    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


# --- markers ----------------------------------------------------------------------------------------------------

# A test that uses one of these fixtures, itself or through another fixture, talks to a real server or runs the
# service, so it is marked `integration`: real_redis_url and postgres_url (here), workers (`monitor worker`
# processes), postgres (checks/test_outage.py: a PostgreSQL server of the test's own), browser and served
# (staff/test_browser.py: Chromium and `monitor serve`). Tests that start servers without such a fixture are marked
# in their module; a fixture that picks a server by its parameter (any_redis, incidents' store) marks that parameter.
REAL_SERVER_FIXTURES = {"real_redis_url", "postgres_url", "workers", "postgres", "browser", "served"}


def pytest_collection_modifyitems(items):
    for item in items:
        if REAL_SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


# --- the real Redis server --------------------------------------------------------------------------------------

@contextmanager
def private_redis(workdir: Path) -> Iterator[str]:
    """A redis-server of this test run's own, on a free port, working in ``workdir``; stopped at the end."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: install it (apt-get install redis-server) or set TEST_REDIS_URL",
                    pytrace=False)
    for _ in range(5):  # another process may take the free port first
        port = free_port()
        server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                   "no", "--dir", str(workdir), "--logfile", str(workdir / "redis.log")],
                                  stdout=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while server.poll() is None and time.monotonic() < deadline:
            try:
                Redis.from_url(url, socket_connect_timeout=1).ping()
                break
            except RedisError:
                time.sleep(0.02)
        else:
            server.kill()
            server.wait(10)
            continue
        try:
            yield url
        finally:
            server.terminate()
            server.wait(10)
        return
    pytest.fail(f"redis-server did not start; see {workdir / 'redis.log'}", pytrace=False)


@pytest.fixture(scope="session")
def real_redis_url(tmp_path_factory, worker_id):
    """TEST_REDIS_URL (the tests empty its database, and the next ones for the other test processes of the run), else
    a private redis-server started for each test process: two runs on one machine never share a database."""
    url = os.environ.get("TEST_REDIS_URL")
    if url is None:
        with private_redis(tmp_path_factory.mktemp("redis")) as url:
            yield url
        return
    if worker_id != "master":  # pytest-xdist's gw0, gw1, ...: each process its own database
        parts = urlsplit(url)
        database = int(parts.path.strip("/") or 0) + int(worker_id.removeprefix("gw"))
        url = urlunsplit(parts._replace(path=f"/{database}"))
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except RedisError as exc:
        pytest.fail(f"no Redis answers at TEST_REDIS_URL={url} ({exc})", pytrace=False)
    yield url


@pytest.fixture
def real_redis(real_redis_url):
    redis = Redis.from_url(real_redis_url)
    redis.flushdb()
    yield redis
    redis.flushdb()
    redis.close()


@pytest.fixture(params=["fakeredis", pytest.param("redis", marks=pytest.mark.integration)])
def any_redis(request):
    """Each test using this runs twice: on the in-process stand-in and on the real server."""
    if request.param == "fakeredis":
        return request.getfixturevalue("fake_redis")
    return request.getfixturevalue("real_redis")


# --- the database ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An SQLite database at the newest schema, migrated once in each test process."""
    path = tmp_path_factory.mktemp("schema") / "migrated.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def new_sqlite(migrated_sqlite):
    """Makes an SQLite database at the newest schema at a path and returns its URL: a copy of migrated_sqlite, for
    migrating each test's database took half the fast tests' time."""
    def make(path: Path) -> str:
        shutil.copyfile(migrated_sqlite, path)
        return f"sqlite:///{path}"
    return make


# --- the app ----------------------------------------------------------------------------------------------------

@pytest.fixture
def services(school_config, fake_redis, clock, tmp_path, new_sqlite):
    engine = create_engine(new_sqlite(tmp_path / "monitor.sqlite3"))
    return Services(
        config=school_config,
        redis=fake_redis,
        database=engine,
        webhook_secret=zoom.SECRET,
        api_token=API_TOKEN,
        clock=clock,
    )


@pytest.fixture
def client(services):
    return create_app(services).test_client()


@pytest.fixture
def app(services):
    """The web app for pages: sessions over the test client's plain HTTP."""
    app = create_app(services)
    app.config["SESSION_COOKIE_SECURE"] = False
    return app


@pytest.fixture
def web(app):
    return app.test_client()


@pytest.fixture
def deliver(client, clock):
    """Posts a signed delivery stamped with the current clock; returns the response."""
    def post(event: dict, timestamp: int | None = None):
        data = zoom.raw(event)
        return client.post("/zoom/webhook", data=data, headers=zoom.signed_headers(data, timestamp or int(clock())))
    return post


# --- the real PostgreSQL server ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def postgres_url():
    """A fresh database, dropped at the end of the session, on TEST_DATABASE_URL's server, else the local one."""
    server = make_url(os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    server = server.set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"monitor_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        problem = None
    except OperationalError as exc:
        problem = str(exc.orig).splitlines()[0]
    if problem:
        admin.dispose()
        pytest.fail(f"no PostgreSQL answers at {server.render_as_string()} ({problem}): start it "
                    "(bash .ci/run does; apt-get install postgresql) or set TEST_DATABASE_URL", pytrace=False)
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="module")
def postgres_engine(postgres_url):
    """An engine on the test session's PostgreSQL database, at the newest schema."""
    engine = create_engine(postgres_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_database(postgres_url):
    """Another database, new and empty, on the same server."""
    url = make_url(postgres_url)
    empty = url.set(database=f"{url.database}_empty")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{empty.database}"')
    yield empty.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{empty.database}" WITH (FORCE)')
    admin.dispose()


# --- the pipeline on its own (no web app) ------------------------------------------------------------------------

@pytest.fixture
def incidents(tmp_path, new_sqlite):
    from monitor.incidents import IncidentStore

    engine = create_engine(new_sqlite(tmp_path / "incidents.sqlite3"))
    return IncidentStore(engine)


@pytest.fixture
def notifier():
    return RecordingNotifier()


@pytest.fixture
def incidents_in_a_lesson(services, notifier):
    """An outsider in a lesson (external_participant) and a pupil hosting it (non_teacher_host, staff conduct)."""
    lesson_with_two_breaches(services, notifier)
    return {i["rule"]: i["id"] for i in services.incidents.list()}


@pytest.fixture
def every_rule(services, notifier):
    """Every rule broken in two lessons of one day (staff_pages.lessons_breaking_every_rule): {(rule, subject): id}."""
    return lessons_breaking_every_rule(services, notifier)


# --- stand-ins for mail servers, Teams, Slack, webhooks and Zoom's API -------------------------------------------

@contextmanager
def serving(server):
    """A local HTTP server answering from a thread of its own until the block ends."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def http_server():
    with serving(Receiver()) as server:
        yield server


@pytest.fixture
def receiver(http_server):
    http_server.requests.clear()
    http_server.status = 200
    http_server.delay = 0.0
    return http_server


@pytest.fixture(scope="module")
def zoom_api_stand_in():
    with serving(ZoomApiStandIn()) as server:
        yield server


@pytest.fixture
def zoom_api_server(zoom_api_stand_in):
    """The stand-in for Zoom's API (tests/zoom_api_server.py), as new for each test."""
    zoom_api_stand_in.reset()
    return zoom_api_stand_in


@pytest.fixture
def workers(tmp_path):
    """`monitor worker` processes, started by the test with the environment it sets (``workers.env``); all killed at
    the end, with their work horses."""
    started = Workers(tmp_path, {})
    yield started
    started.stop_all()
