"""`monitor retention [--dry-run]`, and the daily run the workers schedule."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner
from rq import Queue
from rq.registry import ScheduledJobRegistry

from monitor.background import DIGESTS
from monitor.cli import main
from monitor.config import load_config

from ..school import CONFIG_TOML, write_config
from ..staff_pages import PUPIL, PUPIL_TWO, audit
from .conftest import NOW, every_row, records_of_several_ages

ROOT = Path(__file__).resolve().parents[2]


def run(services, monkeypatch, *args: str):
    monkeypatch.setenv("DATABASE_URL", services.database.url.render_as_string(hide_password=False))
    monkeypatch.setattr("monitor.clock.wall_clock", lambda: NOW.timestamp())
    return CliRunner().invoke(main, ["retention", "--config", str(services.config.path), *args])


def test_a_dry_run_lists_what_would_go_and_changes_nothing(services, notifier, monkeypatch):
    aged = records_of_several_ages(services, notifier)
    before = every_row(services.database)
    shown = run(services, monkeypatch, "--dry-run")
    assert shown.exit_code == 0, shown.output
    assert every_row(services.database) == before
    lines = shown.output.splitlines()
    assert lines[:6] == [
        "Would delete:",
        "  2 lesson record(s) that began before Sat 2 Mar 2047 (lessons_days = 365)",
        "  1 alert delivery attempt(s) made before Sat 2 Mar 2047 (delivery_attempts_days = 365)",
        "  1 check(s) set aside before Sat 2 Mar 2047 (set_aside_checks_days = 365)",
        "  1 Zoom settings finding(s) resolved before Sat 2 Mar 2047 (findings_days = 365)",
        "  1 notice(s) to teachers of findings, made before Sat 2 Mar 2047 (findings_days = 365)"]
    assert lines[6] == ("Would reduce the evidence of 3 closed incident(s), closed before Mon 1 Mar 2027 "
                        "(evidence_years = 21): their pupils' e-mails and names removed, each pupil counted by class:")
    assert lines[7:] == [f"  #{aged[name]} closed Tue 1 Dec 2026" for name in
                         sorted(("screen_share", "private_chat", "evening_host"), key=aged.get)] + [
        "Dry run: nothing was changed."]
    assert PUPIL not in shown.output and PUPIL_TWO not in shown.output
    assert f"```\n{shown.output}```" in (ROOT / "README.md").read_text()  # the README shows this run


def test_a_run_by_hand_says_what_it_did_and_audits_it(services, notifier, monkeypatch):
    records_of_several_ages(services, notifier)
    shown = run(services, monkeypatch)
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("Deleted:\n  2 lesson record(s)") and "Reduced the evidence of 3" in shown.output
    assert shown.output.endswith("Written to the audit log.\n")
    assert audit(services)[-1].action == "retention" and audit(services)[-1].detail["run"] == "command"
    again = run(services, monkeypatch, "--dry-run")
    assert "Would reduce the evidence of 0 closed incident(s)" in again.output


def test_a_hold_refuses_a_run_but_not_a_dry_run(services, notifier, monkeypatch, tmp_path):
    held = load_config(write_config(tmp_path, CONFIG_TOML + "[retention]\nhold = true\n"))
    services = dataclasses.replace(services, config=held)
    records_of_several_ages(services, notifier)
    before = every_row(services.database)
    refused = run(services, monkeypatch)
    assert refused.exit_code == 2
    assert "retention is on hold ([retention] hold = true): nothing was deleted or reduced" in refused.output
    assert run(services, monkeypatch, "--dry-run").exit_code == 0
    assert every_row(services.database) == before


def test_workers_run_it_daily_at_half_past_two(services, notifier):
    from workers import jobs
    from workers.periodic import schedule_periodic

    schedule_periodic(services)
    registry = ScheduledJobRegistry(queue=Queue(DIGESTS, connection=services.redis))
    assert registry.get_scheduled_time("retention-2026-11-19") == datetime(2026, 11, 19, 2, 30, tzinfo=timezone.utc)
    records_of_several_ages(services, notifier)
    services.clock.set(NOW.timestamp())
    jobs.bind(services)
    try:
        done = jobs.retention("2048-03-01")
    finally:
        jobs.bind(None)
    assert done["lessons"] == 2 and len(done["incidents_reduced"]) == 3
    assert audit(services)[-1].action == "retention" and audit(services)[-1].detail["run"] == "daily"
