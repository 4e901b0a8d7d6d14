"""The database schema's history (Alembic), applied from code by `monitor db upgrade`: no alembic.ini.

Every other process only checks that the schema is the one it needs (require_current), without loading Alembic.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from ..config import ConfigError

if TYPE_CHECKING:
    from alembic.config import Config

logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # importing Alembic announces its plugins

VERSIONS = Path(__file__).with_name("versions")
UPGRADE = '"monitor db upgrade"'


def head() -> str:
    """The newest revision this version knows: each migration's file starts with its revision (0010_....py)."""
    return max(path.name.split("_", 1)[0] for path in VERSIONS.glob("[0-9]*_*.py"))


def schema_status(engine: Engine) -> tuple[str | None, str]:
    """(the database's revision, None when it has no schema; the revision this version needs)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None, head()
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar(), head()


def require_current(engine: Engine) -> None:
    """Raises ConfigError, saying what to run, unless the database's schema is the one this version needs."""
    at, needed = schema_status(engine)
    _refuse_newer(at, needed)
    if at is None:
        raise ConfigError(f"database has no schema, this version needs {needed}: run {UPGRADE}")
    if at != needed:
        raise ConfigError(f"database schema is at {at}, this version needs {needed}: run {UPGRADE}")


def _refuse_newer(at: str | None, needed: str) -> None:
    if at is not None and at > needed:
        raise ConfigError(f"database schema is at {at}, newer than this version's {needed}: run the newer version")


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "monitor:migrations")
    return config


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Upgrades the database to the newest schema; returns its revision before (None: no schema) and after. When it
    is there already, this costs two small queries and takes no lock. Raises ConfigError for a newer schema.

    Safe when several processes run it at once: env.py makes them migrate one after the other, and each reads the
    schema's revision only once it holds the lock.
    """
    at, needed = schema_status(engine)
    _refuse_newer(at, needed)
    if at == needed:
        return at, needed
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return config.attributes.get("before", at), needed


def upgrade(engine: Engine) -> str:
    """Migrates the database to the newest schema, and says what it did."""
    before, after = migrate(engine)
    if before == after:
        return f"database schema is current ({after})"
    return f"database upgraded from {before or 'no schema'} to {after}"
