from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from monitor.incidents import IncidentStore


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'incidents.sqlite3'}"


@pytest.fixture
def sqlite_store(tmp_path, new_sqlite):
    engine = create_engine(new_sqlite(tmp_path / "incidents.sqlite3"))  # the database at sqlite_url
    yield IncidentStore(engine)
    engine.dispose()


@pytest.fixture
def postgres_store(postgres_engine):
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE incidents RESTART IDENTITY CASCADE")
    return IncidentStore(postgres_engine)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def store(request):
    """The incident store, empty: each test using it runs twice, on SQLite and on the real PostgreSQL server."""
    return request.getfixturevalue({"sqlite": "sqlite_store", "postgresql": "postgres_store"}[request.param])
