"""The durable store: a SQLite file under the data directory by default, PostgreSQL with DATABASE_URL."""
from __future__ import annotations

from sqlalchemy import Engine, create_engine

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


def connect_database(settings: Settings) -> Engine:
    return create_engine(database_url(settings), pool_pre_ping=True)
