"""A statement that fails prints no personal data: RQ writes a failed job's exception to the worker's log and to its
failed registry, and the service logs some too."""
import logging
import traceback
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from monitor.db import connect_database
from monitor.migrations import migrate
from monitor.settings import Settings

EMAIL = "pupil.one@gatehouse.sch.uk"
ADD_ACCOUNT = text("INSERT INTO accounts (email, name, role, password_hash, created_at) "
                   "VALUES (:email, :name, 'viewer', 'hash', :at)")


def printed(error: Exception, caplog) -> str:
    """The error as a log line with its traceback shows it, and as RQ keeps it."""
    try:
        raise error
    except Exception:
        logging.getLogger("tests.job").exception("job failed")
    return caplog.text + "".join(traceback.format_exception(error))


def failing_inserts(engine) -> list[IntegrityError]:
    """A row without a name (NOT NULL) and a second account with one e-mail (UNIQUE)."""
    at = datetime(2026, 11, 18, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(ADD_ACCOUNT, {"email": EMAIL, "name": "Pupil One", "at": at})
    errors = []
    for values in ({"email": "second." + EMAIL, "name": None, "at": at}, {"email": EMAIL, "name": "Again", "at": at}):
        with pytest.raises(IntegrityError) as raised:
            with engine.begin() as conn:
                conn.execute(ADD_ACCOUNT, values)
        errors.append(raised.value)
    return errors


def assert_no_email_printed(engine, caplog) -> None:
    migrate(engine)
    for error in failing_inserts(engine):
        shown = printed(error, caplog)
        assert "accounts" in shown  # it still says which table
        assert EMAIL not in shown and "Pupil One" not in shown, shown


def test_a_failing_insert_prints_no_email_on_sqlite(tmp_path, caplog):
    assert_no_email_printed(connect_database(Settings(monitor_data_dir=tmp_path)), caplog)


@pytest.mark.integration
def test_a_failing_insert_prints_no_email_on_postgresql(postgres_url, caplog):
    """PostgreSQL quotes the row in its DETAIL line: "Failing row contains (...)", "Key (email)=(...)"."""
    engine = connect_database(Settings(database_url=postgres_url))
    try:
        assert_no_email_printed(engine, caplog)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM accounts"))
        engine.dispose()
