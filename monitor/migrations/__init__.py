"""The database schema's history (Alembic), applied from code at every start-up: no alembic.ini."""
from __future__ import annotations

import logging

# Importing Alembic announces each of its plugins at INFO: noise in the monitor's log.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "monitor:migrations")
    return config


def migrate(engine: Engine) -> None:
    """Upgrades the database to the newest schema; when it is there already, costs one query and takes no lock.

    Safe when several processes start at once: env.py makes them migrate one after the other, and each reads the
    schema's version only once it holds the lock.
    """
    config = alembic_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as connection:
        if set(MigrationContext.configure(connection).get_current_heads()) == heads:
            return
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
