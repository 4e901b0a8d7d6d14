"""The ``monitor`` command (contracts.md, Command line)."""
from __future__ import annotations

import errno
import importlib
import json
import logging
import socket
import sys
from pathlib import Path

import click

from .config import ConfigError
from .rule_ids import RULE_IDS
from .settings import Settings

WORKERS = "workers.run"


CONFIG = click.option("--config", type=click.Path(path_type=Path),
                      help="School config file (default: $MONITOR_CONFIG, else config/monitor.toml).")
"""Every command that reads the school's config takes it so, and finds it with _settings."""


def _settings(config: Path | None) -> Settings:
    """The environment's settings; the school's config is --config, else MONITOR_CONFIG, else config/monitor.toml."""
    settings = Settings()
    if config is not None:
        settings.monitor_config = config
    return settings


def _workers():
    """The RQ worker process (workers/run.py), found by name as RQ finds the jobs: workers/ imports the monitor, the
    monitor imports nothing of it."""
    return importlib.import_module(WORKERS)


def _listening(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything starts: a port in use stops `monitor serve` with one sentence."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does: a port in TIME_WAIT is free
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            _fail(f"port {port} on {host} is in use: stop what uses it or pass --port")
        _fail(f"cannot listen on {host} port {port}: {exc.strerror}")
    listener.listen(1024)
    return listener


def _fail(exc: Exception | str) -> None:
    click.echo(f"monitor: {exc}", err=True)
    sys.exit(2)


@click.group()
def main() -> None:
    """Watches Zoom lessons for breaches of the school's safeguarding protocol."""
    from .logs import configure

    try:
        configure()
    except ConfigError as exc:
        _fail(exc)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@CONFIG
def serve(host: str, port: int, config: Path | None) -> None:
    """Run the whole service in one process."""
    import waitress

    from .app import create_app
    from .db import database_url
    from .wiring import build_services

    settings = _settings(config)
    listener = _listening(host, port)
    try:
        services = build_services(settings, embedded_ok=True, upgrade=True)  # the one process: it migrates too
    except ConfigError as exc:
        _fail(exc)
    if settings.embedded:
        click.echo("Running on embedded defaults: an in-process Redis stand-in (its data goes when this process "
                   f"stops) and the database {database_url(settings)}. "
                   "Set REDIS_URL and DATABASE_URL for real servers.")
    else:
        click.echo("Using the Redis server at REDIS_URL and the database at "
                   f"{'DATABASE_URL' if settings.database_url else database_url(settings)}.")
    click.echo(f"School: {services.config.school.name} ({services.config.path})")
    here = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    click.echo(f"Give Zoom this endpoint URL (behind your HTTPS proxy): {here}/zoom/webhook")
    click.echo(f"Staff sign in at {here}/login (behind the same proxy)")
    if services.metrics_address:
        from .metrics.exposition import serve_metrics

        serve_metrics(services.metrics_address, services.redis, services.clock)
    _workers().start_embedded_worker(services)
    waitress.serve(create_app(services), sockets=[listener], threads=8, ident="monitor")


REPLAY_FIELDS = ("id", "rule", "severity", "meeting_uuid", "meeting_id", "topic", "subject", "began_at", "opened_at",
                 "cleared_at", "occurrences")
TABLE = (("opened_at", 24), ("rule", max(map(len, RULE_IDS))), ("meeting_id", 12), ("subject", 30), ("began_at", 24))


@main.command()
@CONFIG
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line for each incident opened.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the replay's database here instead of a private temporary one.")
@click.option("--database-url", help="Write the replay's incidents to this database instead.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def replay(config: Path | None, as_json: bool, data_dir: Path | None, database_url: str | None,
           files: tuple[Path, ...]) -> None:
    """Feed recorded Zoom events (JSON Lines) through the pipeline and print the incidents opened."""
    from .config import load_config
    from .replay import ReplayError
    from .replay import replay as run_replay

    logging.getLogger().setLevel(logging.WARNING)
    try:
        school = load_config(_settings(config).monitor_config)
        big = sum(f.stat().st_size for f in files if f.is_file()) > 1_000_000
        result = run_replay(list(files), school, data_dir=data_dir, database_url=database_url,
                            progress=sys.stderr if big and sys.stderr.isatty() else None)
    except (ConfigError, ReplayError) as exc:
        _fail(exc)
    rows = [{name: incident[name] for name in REPLAY_FIELDS} for incident in result.incidents]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo("  ".join(name.ljust(width) for name, width in TABLE).rstrip())
    for row in rows:
        click.echo("  ".join(str(row[name] if row[name] is not None else "-")[:width].ljust(width)
                             for name, width in TABLE).rstrip())
    skipped = f", {result.skipped} skipped (not a Zoom event the monitor can take)" if result.skipped else ""
    click.echo(f"{len(rows)} incident(s) from {result.events} event(s){skipped}, "
               f"{result.events_per_second:,.0f} events/s", err=True)


@main.group()
def users() -> None:
    """Staff accounts for the incident queue."""


def _database(settings: Settings):
    """The database, once its schema is known to be this version's; else exits, saying what to run."""
    from .db import connect_database
    from .migrations import require_current

    engine = connect_database(settings)
    try:
        require_current(engine)
    except ConfigError as exc:
        _fail(exc)
    return engine


def _accounts():
    from .accounts.store import AccountStore

    return AccountStore(_database(Settings()))


def _long_enough(password: str) -> str:
    """Checked as it is typed, before it is asked for again: the store would refuse it only after both."""
    from .accounts.store import MIN_PASSWORD

    if len(password) < MIN_PASSWORD:
        raise click.UsageError(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def _password(from_stdin: bool) -> str:
    return sys.stdin.readline().rstrip("\n") if from_stdin else \
        click.prompt("Password", hide_input=True, confirmation_prompt=True, value_proc=_long_enough)


def _enrolment(uri: str | None) -> None:
    if uri:
        from .accounts.qr import qr_text

        click.echo("Second factor: scan this QR code with the authenticator app (or add the address below to it;"
                   " the first sign-in shows the code again):")
        click.echo(qr_text(uri), nl=False)
        click.echo(uri)


ROLE = click.Choice(["dsl", "deputy", "headteacher", "viewer"])
PASSWORD_STDIN = click.option("--password-stdin", is_flag=True,
                              help="Read the password from standard input, one line (for scripts); without it, "
                                   "it is asked for, twice, without showing it.")


@users.command("add")
@click.argument("email")
@click.option("--name", default="", help="The person's name, as the queue shows it.")
@click.option("--role", type=ROLE, required=True)
@click.option("--totp/--no-totp", default=False, help="A second factor (always on for the dsl role).")
@PASSWORD_STDIN
def users_add(email: str, name: str, role: str, totp: bool, password_stdin: bool) -> None:
    """Add an account; prints how to enrol its authenticator app when it has a second factor.

    The password (12+ characters) is asked for, or read from standard input with --password-stdin."""
    from datetime import datetime, timezone

    from .accounts.store import AccountError

    accounts = _accounts()  # before the password is asked for: the database may not be ready
    password = _password(password_stdin)
    try:
        uri = accounts.add(email, name, role, password, totp=totp, at=datetime.now(timezone.utc))
    except AccountError as exc:
        _fail(exc)
    click.echo(f"Added {email} ({role}).")
    _enrolment(uri)


@users.command("list")
def users_list() -> None:
    """The accounts, one a line: e-mail, role, second factor, name, and "disabled" after a disabled one."""
    for person in _accounts().all():
        click.echo(f"{person.email}\t{person.role}\t{'totp' if person.needs_code else '-'}\t{person.name}"
                   + ("\tdisabled" if person.disabled else ""))


def _change(done: str, change, *args):
    """Runs an AccountStore change; says what was done, or fails with why not."""
    from .accounts.store import AccountError

    try:
        result = change(*args)
    except AccountError as exc:
        _fail(exc)
    click.echo(done)
    return result


@users.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """The account can no longer sign in, and every session of it ends now."""
    _change(f"Disabled {email}: signed out everywhere.", _accounts().disable, email)


@users.command("enable")
@click.argument("email")
def users_enable(email: str) -> None:
    """A disabled account may sign in again."""
    _change(f"Enabled {email}.", _accounts().enable, email)


@users.command("set-password")
@click.argument("email")
@PASSWORD_STDIN
def users_set_password(email: str, password_stdin: bool) -> None:
    """A new password (12+ characters); every session of the account ends, and a lock-out is lifted."""
    accounts = _accounts()
    password = _password(password_stdin)
    _change(f"New password for {email}: signed out everywhere.", accounts.set_password, email, password)


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE)
def users_set_role(email: str, role: str) -> None:
    """A new role; every session of the account ends. An account made dsl gets a second factor if it had none."""
    _enrolment(_change(f"{email} is now {role}: signed out everywhere.", _accounts().set_role, email, role))


@main.group()
def alerts() -> None:
    """The alert channels."""


@alerts.command("test")
@CONFIG
@click.option("--channel", "names", multiple=True, help="Only this channel (may be given again); default: all.")
def alerts_test(config: Path | None, names: tuple[str, ...]) -> None:
    """Send a test alert, marked as one, through each configured channel now, and say how each went.

    It goes straight out (no queue, no routes, nothing recorded), so it needs only the config and the channels'
    environment variables. Exits 1 when a channel failed."""
    from .alerting.channels import DeliveryError, make_channel, missing_environment
    from .alerting.samples import check_message
    from .clock import utc_now, wall_clock
    from .config import load_config

    try:
        school = load_config(_settings(config).monitor_config)
    except ConfigError as exc:
        _fail(exc)
    configured = school.alerts.channels
    if not configured:
        _fail(ConfigError(f"{school.path}: no alert channels are configured ([alerts.channels])"))
    for name in names:
        if name not in configured:
            _fail(ConfigError(f"no alert channel {name!r} in {school.path}; there are: {', '.join(configured)}"))
    failed = 0
    for name in names or configured:
        kind = configured[name].type
        missing = missing_environment(configured[name])
        try:
            if missing:
                raise DeliveryError(f"not sent: environment variable {', '.join(missing)} not set")
            make_channel(school, name).send(check_message(school, name, utc_now(wall_clock)))
        except (DeliveryError, ValueError) as exc:
            failed += 1
            click.echo(f"{name} ({kind}): FAILED: {exc}")
        else:
            to = configured[name].to if kind == "email" else []
            click.echo(f"{name} ({kind}): sent" + (f" to {', '.join(to)}" if to else ""))
    if failed:
        click.echo(f"{failed} of {len(names or configured)} channel(s) failed", err=True)
        sys.exit(1)


@main.group()
def zoom() -> None:
    """Zoom's API (a Server-to-Server OAuth app of the school's account; README, Connecting Zoom)."""


@zoom.command("check")
@CONFIG
def zoom_check(config: Path | None) -> None:
    """Check the Zoom app's credentials and scopes, and print each member of staff's Zoom settings against the
    protocol. Exits 1 when the credentials fail or a scope is missing."""
    from .config import load_config
    from .findings.appendix import user_settings_checked
    from .wiring import connect_redis, embedded_redis
    from .zoom_api import ZoomApi, ZoomApiError, ZoomCredentials
    from .zoom_reads.posture import missing_scopes, posture, posture_table

    settings = _settings(config)
    try:
        school = load_config(settings.monitor_config)
        credentials = ZoomCredentials.from_settings(settings)
    except ConfigError as exc:
        _fail(exc)
    redis = connect_redis(settings.redis_url) if settings.redis_url else embedded_redis()
    api = ZoomApi(credentials, redis, max_requests_per_second=school.zoom_api.max_requests_per_second)
    try:
        granted = api.granted_scopes()
        missing = missing_scopes(granted)
        click.echo(f"Credentials: accepted for account {credentials.account_id}")
        click.echo("Scopes: " + (f"MISSING {', '.join(missing)}" if missing else "every scope the monitor needs"))
        if missing:
            sys.exit(1)
        click.echo("")
        click.echo(posture_table(posture(api, school), user_settings_checked(school.rules.recording_source)))
    except ZoomApiError as exc:
        click.echo(f"Zoom: FAILED: {exc}", err=True)
        sys.exit(1)
    if not school.zoom_api.enabled:
        click.echo("\nNote: [zoom_api] enabled = false in the config: the monitor does not read Zoom's API yet.")


@main.command()
@click.option("--week", help="ISO week, e.g. 2026-W48 (default: the latest whole week with lessons or incidents).")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "json"]), default="text", show_default=True)
@click.option("--send", is_flag=True, help="Keep it and e-mail it to the [digest] recipients (again, if sent before).")
@CONFIG
def digest(week: str | None, fmt: str, send: bool, config: Path | None) -> None:
    """Show a week's safeguarding digest, or send it."""
    from .alerting.channels import DeliveryError, missing_smtp
    from .config import load_config
    from .digest.render import render_html, render_json, render_text
    from .digest.service import DigestService
    from .digest.week import Week

    logging.getLogger().setLevel(logging.WARNING)
    settings = _settings(config)
    try:
        school = load_config(settings.monitor_config)
        if send and not school.digest.recipients:
            raise ConfigError(f"{school.path}: [digest] recipients is empty: nobody to send the digest to")
        for variable in missing_smtp() if send else ():
            raise ConfigError(f"environment variable {variable} is not set (needed to send the digest)")
    except ConfigError as exc:
        _fail(exc)
    service = DigestService(school, _database(settings))
    try:
        chosen = Week.parse(week) if week else service.latest_week()
    except ValueError as exc:
        _fail(exc)
    if send:
        try:
            outcome = service.send(chosen, again=True)
        except DeliveryError as exc:
            _fail(exc)
        click.echo(f"digest {chosen}: {outcome} ({', '.join(school.digest.recipients)})", err=True)
    stored = service.store.get(chosen) if send else None
    made = stored[0] if stored else service.make(chosen)
    link = service.link(chosen)
    click.echo(render_json(made) if fmt == "json" else render_html(made, link) if fmt == "html" else
               render_text(made, link), nl=False)


@main.command()
@CONFIG
@click.option("--dry-run", is_flag=True, help="Show what would be deleted and reduced; change nothing.")
def retention(config: Path | None, dry_run: bool) -> None:
    """Delete and reduce what is past its period in [retention] (the daily job does it at 02:30), and say what."""
    from zoneinfo import ZoneInfo

    from .clock import utc_now, wall_clock
    from .config import load_config
    from .privacy.retention import Retention, RetentionHeld

    logging.getLogger().setLevel(logging.WARNING)
    settings = _settings(config)
    try:
        school = load_config(settings.monitor_config)
    except ConfigError as exc:
        _fail(exc)
    keeping = Retention(_database(settings), school.retention)
    now = utc_now(wall_clock)
    try:
        outcome = keeping.due(now) if dry_run else keeping.apply(now, run="command")
    except RetentionHeld as exc:
        _fail(exc)
    for line in outcome.described(school.retention, ZoneInfo(school.school.timezone), school.school.day_format,
                                  done=not dry_run):
        click.echo(line)
    click.echo("Dry run: nothing was changed." if dry_run else "Written to the audit log.")


@main.group()
def people() -> None:
    """A person's data on request: everything the monitor holds about them, and erasing them from evidence."""


def _person_data(config: Path | None):
    from .config import load_config
    from .privacy.people import PersonData

    settings = _settings(config)
    try:
        school = load_config(settings.monitor_config)
    except ConfigError as exc:
        _fail(exc)
    return PersonData(_database(settings), school)


def _who() -> tuple[None, str]:
    """Who runs the command, as the audit log names them."""
    import getpass

    return None, f"cli:{getpass.getuser()}"


@people.command("export")
@click.argument("email")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True)
@CONFIG
def people_export(email: str, fmt: str, config: Path | None) -> None:
    """Everything the monitor holds about EMAIL: the incidents they appear in, with what was recorded of them (the
    others there by class and count), the lessons they hosted and their Zoom settings' findings. Audited."""
    from .clock import utc_now, wall_clock
    from .privacy.people import export_lines

    logging.getLogger().setLevel(logging.WARNING)
    exported = _person_data(config).export(email, _who(), utc_now(wall_clock), "command")
    if fmt == "json":
        click.echo(json.dumps(exported, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(export_lines(exported)))


@people.command("erase")
@click.argument("email")
@click.option("--reason", required=True, help="The request, and why the law allows erasing (kept in the audit log).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@CONFIG
def people_erase(email: str, reason: str, yes: bool, config: Path | None) -> None:
    """Erase EMAIL from the evidence of every incident they appear in (they stay counted in their class) and from the
    lessons they hosted, once those incidents are closed. The incidents, their decisions and notes, and the audit
    log are kept; the audit log names the person by key, with the reason."""
    from .clock import utc_now, wall_clock
    logging.getLogger().setLevel(logging.WARNING)
    data = _person_data(config)
    found = data.incident_ids(email)
    if not yes:
        click.confirm(f"Erase {email} from the evidence of {len(found)} incident(s)? This cannot be undone", abort=True)
    try:
        erased = data.erase(email, reason, _who(), utc_now(wall_clock))
    except ValueError as exc:  # a reason left empty, or incidents still open
        _fail(exc)
    listed = f" ({', '.join(f'#{i}' for i in erased.incidents)})" if erased.incidents else ""
    click.echo(f"Erased {email} from the evidence of {len(erased.incidents)} incident(s){listed} and from "
               f"{erased.lessons} lesson record(s). The incidents, their decisions and notes, and the audit log are "
               f"kept; the audit log names them by their key, {erased.key}.")


@main.group()
def db() -> None:
    """The database's schema: upgrade it, or see whether it is current.

    The database is DATABASE_URL's, else the SQLite file in MONITOR_DATA_DIR."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to this version's schema (the release step, before new processes start)."""
    from .db import connect_database
    from .migrations import upgrade

    try:
        click.echo(upgrade(connect_database(Settings())))
    except ConfigError as exc:
        _fail(exc)


@db.command("current")
def db_current() -> None:
    """Say whether the database's schema is this version's (exit 1 when not)."""
    from .db import connect_database
    from .migrations import head, require_current

    try:
        require_current(connect_database(Settings()))
    except ConfigError as exc:
        click.echo(exc)
        sys.exit(1)
    click.echo(f"database schema is current ({head()})")


@main.command()
def worker() -> None:
    """Run an RQ worker with its scheduler (production; see Procfile)."""
    settings = Settings()
    if settings.monitor_metrics_address:
        from .metrics.processes import private_directory

        private_directory()
    try:
        _workers().run_worker(settings)
    except ConfigError as exc:
        _fail(exc)


if __name__ == "__main__":
    main()
