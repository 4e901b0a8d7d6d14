"""`monitor people export EMAIL` and `monitor people erase EMAIL --reason`."""
from __future__ import annotations

import json

from click.testing import CliRunner

from monitor.cli import main
from monitor.incidents.concerned import person_key

from ..staff_pages import PUPIL, PUPIL_TWO, audit
from .conftest import DSL, NOW, on


def people(services, monkeypatch, *args: str, typed: str | None = None):
    monkeypatch.setenv("DATABASE_URL", services.database.url.render_as_string(hide_password=False))
    monkeypatch.setenv("USER", "dee")
    monkeypatch.setattr("monitor.clock.wall_clock", lambda: NOW.timestamp())
    return CliRunner().invoke(main, ["people", *args, "--config", str(services.config.path)], input=typed)


def test_the_export_as_json_and_as_text(services, every_rule, monkeypatch):
    shown = people(services, monkeypatch, "export", PUPIL_TWO)
    assert shown.exit_code == 0, shown.output
    exported = json.loads(shown.output)
    assert [i["rule"] for i in exported["incidents"]] == [
        "no_recording", "pupils_unsupervised", "external_participant", "private_chat", "chat_in_lesson",
        "private_chat", "participant_screen_share"]
    assert exported["exported_at"] == "2048-03-01T02:30:00Z"
    assert (audit(services)[-1].action, audit(services)[-1].account_email) == ("export", "cli:dee")
    text = people(services, monkeypatch, "export", PUPIL_TWO, "--format", "text").output.splitlines()
    assert text[0] == (f"{PUPIL_TWO} (Pupil Two, pupil): what Gatehouse School's safeguarding monitor holds, "
                       "exported 2048-03-01T02:30:00Z")
    assert text[1] == "Incidents they appear in: 7" and text[-2:] == ["Lessons they hosted: 0",
                                                                      "Zoom settings findings: 0"]
    assert PUPIL not in "\n".join(text)


def test_erasing_refuses_while_incidents_are_open_then_erases(services, every_rule, monkeypatch):
    refused = people(services, monkeypatch, "erase", PUPIL_TWO, "--reason", "Parent's request", "--yes")
    assert refused.exit_code == 2 and "7 of their incidents are still open" in refused.output
    for incident_id in {i["id"] for i in services.incidents.list(person=person_key(PUPIL_TWO))}:
        services.triage.close(DSL, incident_id, "no_action", "Reviewed.", on(2026, 12, 1))
    asked = people(services, monkeypatch, "erase", PUPIL_TWO, "--reason", "Parent's request", typed="n\n")
    assert asked.exit_code == 1 and "Erase pupil.two@gatehouse.sch.uk from the evidence of 7 incident(s)?" in \
        asked.output
    erased = people(services, monkeypatch, "erase", PUPIL_TWO, "--reason", "Parent's request", typed="y\n")
    assert erased.exit_code == 0, erased.output
    assert erased.output.splitlines()[-1] == (
        f"Erased {PUPIL_TWO} from the evidence of 7 incident(s) (#3, #4, #5, #6, #7, #8, #9) and from 0 lesson "
        "record(s). The incidents, their decisions and notes, and the audit log are kept; the audit log names them "
        f"by their key, {person_key(PUPIL_TWO)}.")
    entry = audit(services)[-1]
    assert (entry.action, entry.account_email, entry.detail["reason"]) == ("erase", "cli:dee", "Parent's request")
    assert json.loads(people(services, monkeypatch, "export", PUPIL_TWO).output)["incidents"] == []
    assert len(json.loads(people(services, monkeypatch, "export", PUPIL).output)["incidents"]) == 12


def test_erasing_needs_a_reason(services, every_rule, monkeypatch):
    refused = people(services, monkeypatch, "erase", PUPIL_TWO, "--yes")
    assert refused.exit_code == 2 and "--reason" in refused.output
