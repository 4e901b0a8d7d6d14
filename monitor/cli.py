"""The ``monitor`` command (contracts.md, Command line)."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .config import ConfigError
from .settings import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _settings(config: Path | None) -> Settings:
    settings = Settings()
    if config is not None:
        settings.monitor_config = config
    return settings


def _fail(exc: Exception) -> None:
    click.echo(f"monitor: {exc}", err=True)
    sys.exit(2)


@click.group()
def main() -> None:
    """Watches Zoom lessons for breaches of the school's safeguarding protocol."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--config", type=click.Path(path_type=Path), help="School config file (default: $MONITOR_CONFIG).")
def serve(host: str, port: int, config: Path | None) -> None:
    """Run the whole service in one process."""
    import waitress

    from .app import build_services, create_app
    from .db import database_url

    settings = _settings(config)
    try:
        services = build_services(settings, embedded_ok=True)
    except ConfigError as exc:
        _fail(exc)
    if settings.embedded:
        click.echo("Running on embedded defaults: an in-process Redis stand-in (its data goes when this process "
                   f"stops) and the database {database_url(settings)}. Set REDIS_URL and DATABASE_URL for real servers.")
    else:
        click.echo("Using the Redis server at REDIS_URL and the database at "
                   f"{'DATABASE_URL' if settings.database_url else database_url(settings)}.")
    click.echo(f"School: {services.config.school.name} ({services.config.path})")
    click.echo(f"Give Zoom this endpoint URL (behind your HTTPS proxy): http://{host}:{port}/zoom/webhook")
    waitress.serve(create_app(services), host=host, port=port, threads=8, ident="monitor")


@main.command()
def worker() -> None:
    """Run an RQ worker with its scheduler (production; see Procfile)."""
    from workers.run import run_worker

    try:
        run_worker(Settings())
    except ConfigError as exc:
        _fail(exc)


if __name__ == "__main__":
    main()
