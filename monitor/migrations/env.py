"""Runs the migrations on the connection that monitor.migrations.migrate hands over, one process at a time."""
from alembic import context
from sqlalchemy import text

import monitor.accounts.models  # noqa: F401  (its table belongs to the metadata)
import monitor.alerting.models  # noqa: F401  (the alert tables too)
import monitor.digest.store  # noqa: F401  (the lessons and digests tables too)
import monitor.findings.models  # noqa: F401  (the findings tables too)
from monitor.db import take_sqlite_write_lock
from monitor.incidents.models import Base

MIGRATION_LOCK_KEY = 0x6D6F6E69746F72  # any fixed number: every process migrating this database waits on it

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations with monitor.migrations.migrate(engine)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    take_sqlite_write_lock(connection)
    context.config.attributes["before"] = context.get_context().get_current_revision()  # under the lock
    context.run_migrations()
