"""The durable store: a SQLite file under the data directory by default, PostgreSQL with DATABASE_URL."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.event import listen

from .settings import Settings


def database_url(settings: Settings) -> str:
    url = settings.database_url
    if not url:
        settings.monitor_data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{settings.monitor_data_dir.resolve() / 'monitor.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, **options) -> Engine:
    """Every engine of the service. A failing statement's error, which RQ and the log print, carries neither its
    parameters nor, from PostgreSQL, the row's values ("Failing row contains (...)", "Key (email)=(...)"): either
    may hold a host's or a pupil's e-mail."""
    engine = create_engine(url, hide_parameters=True, **options)
    listen(engine, "handle_error", _server_message_only)
    return engine


def _server_message_only(context: ExceptionContext) -> None:
    """Keeps PostgreSQL's primary message ("null value in column ... violates not-null constraint") and drops its
    DETAIL, HINT and CONTEXT lines, where the server quotes the data."""
    error, wrapped = context.original_exception, context.sqlalchemy_exception
    primary = getattr(getattr(error, "diag", None), "message_primary", None)
    if not primary:
        return
    whole = str(error)
    error.args = (primary,)
    if wrapped is not None and wrapped.args:  # SQLAlchemy's own error copied the driver's text when it was made
        wrapped.args = (str(wrapped.args[0]).replace(whole, primary), *wrapped.args[1:])


def take_sqlite_write_lock(conn: Connection) -> None:
    """On SQLite, takes the write lock at the start of the transaction (BEGIN IMMEDIATE), waiting for it as long as
    the busy timeout allows: a transaction that reads first and writes later fails at once with "database is
    locked" when another one commits meanwhile."""
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that writes: on SQLite it holds the write lock from its start (PostgreSQL locks the rows it
    updates)."""
    with engine.begin() as conn:
        take_sqlite_write_lock(conn)
        yield conn


def connect_database(settings: Settings) -> Engine:
    return make_engine(database_url(settings), pool_pre_ping=True)
