from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from monitor.config import load_config
from monitor.findings.store import FindingStore

from ..school import CONFIG_TOML, write_config

CONNECTED = CONFIG_TOML + "\n[zoom_api]\nenabled = true\n"


@pytest.fixture
def sqlite_findings(tmp_path, new_sqlite):
    engine = create_engine(new_sqlite(tmp_path / "findings.sqlite3"), connect_args={"timeout": 30})
    yield FindingStore(engine)
    engine.dispose()


@pytest.fixture
def postgres_findings(postgres_engine):
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE findings, finding_notices RESTART IDENTITY")
    return FindingStore(postgres_engine)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def store(request):
    """The findings' store, empty: each test using it runs on SQLite and on the real PostgreSQL server."""
    return request.getfixturevalue({"sqlite": "sqlite_findings", "postgresql": "postgres_findings"}[request.param])


@pytest.fixture
def school_config(request, tmp_path):
    """The test school; with the parameter "connected" (indirect), connected to Zoom's API."""
    toml = CONNECTED if getattr(request, "param", None) == "connected" else CONFIG_TOML
    return load_config(write_config(tmp_path, toml))
