"""A person's data on request: the export lists exactly the incidents they appear in, with what was recorded of
them and no one else by name; erasure takes them out of the evidence and keeps the incidents and the audit log."""
from __future__ import annotations

import json

import pytest

from monitor.incidents.concerned import person_key
from monitor.privacy.people import PersonData, StillOpen

from ..staff_pages import ASSISTANT, PUPIL, PUPIL_TWO, TEACHER
from .conftest import DSL, NOW, every_row, on

NAMES = {PUPIL: "Pupil One", PUPIL_TWO: "Pupil Two"}


def appearing_in(services, email: str) -> list[int]:
    """Read straight from the evidence: the incidents one of whose occurrences names the e-mail anywhere."""
    return sorted({row["incident_id"] for row in every_row(services.database)["incident_occurrences"]
                   if email in json.dumps(row["evidence"])})


@pytest.mark.parametrize("email", [PUPIL, PUPIL_TWO, ASSISTANT, TEACHER])
def test_the_export_lists_exactly_the_incidents_they_appear_in(services, every_rule, email):
    exported = PersonData(services.database, services.config).export(email, DSL, NOW, "json")
    assert sorted(i["id"] for i in exported["incidents"]) == appearing_in(services, email)
    assert exported["person"]["key"] == person_key(email)


def test_the_export_says_what_was_recorded_of_them_and_names_no_one_else(services, every_rule):
    exported = PersonData(services.database, services.config).export(PUPIL_TWO, DSL, NOW, "json")
    assert exported["person"] == {"email": PUPIL_TWO, "key": person_key(PUPIL_TWO), "classes": ["pupil"],
                                  "names": ["Pupil Two"]}
    text = json.dumps(exported)
    assert PUPIL not in text and "Pupil One" not in text and "Cal Assistant" not in text and TEACHER not in text
    share = next(i for i in exported["incidents"] if i["rule"] == "participant_screen_share")
    assert share["as"] == ["present", "sharer"]
    assert {"at": share["began_at"], "as": "sharer", "class": "pupil", "content": "desktop"} in share["recorded"]
    assert share["others_present"] == {"staff": 1, "pupil": 1, "external": 1}
    chat = next(i for i in exported["incidents"] if i["rule"] == "private_chat" and "sender" in i["as"])
    assert chat["what"] == "An adult and a pupil chatted privately in a lesson"
    assert exported["lessons_hosted"] == [] and exported["zoom_settings_findings"] == []


def test_a_teachers_export_has_the_lessons_they_hosted(services, every_rule):
    exported = PersonData(services.database, services.config).export(TEACHER, DSL, NOW, "json")
    assert [lesson["topic"] for lesson in exported["lessons_hosted"]] == ["Year 9 Maths"]
    assert exported["person"]["names"] == ["Alex Teacher"] and exported["person"]["classes"] == ["teacher"]


def test_the_export_is_audited_by_the_persons_key_not_their_e_mail(services, every_rule):
    from ..staff_pages import audit

    PersonData(services.database, services.config).export(PUPIL_TWO, DSL, NOW, "command")
    entry = audit(services)[-1]
    assert (entry.action, entry.account_email, entry.incident_id) == ("export", DSL[1], None)
    assert (entry.detail["person"], entry.detail["via"]) == (person_key(PUPIL_TWO), "command")
    assert sorted(entry.detail["incidents"]) == appearing_in(services, PUPIL_TWO)
    assert PUPIL_TWO not in json.dumps(entry.detail)


def test_erasing_waits_for_their_incidents_to_be_closed(services, every_rule):
    before = every_row(services.database)
    with pytest.raises(StillOpen, match=r"7 of their incidents are still open \(#3, #4, #5, #6, #7, #8, #9\)"):
        PersonData(services.database, services.config).erase(PUPIL_TWO, "Parent's request", DSL, NOW)
    assert every_row(services.database) == before


def test_erasing_takes_them_out_of_the_evidence_and_keeps_the_incidents_and_the_audit_log(school, notifier):
    from ..staff_pages import lessons_breaking_every_rule

    lessons_breaking_every_rule(school, notifier)
    theirs = appearing_in(school, PUPIL_TWO)
    for incident_id in theirs:
        school.triage.close(DSL, incident_id, "no_action", "Reviewed.", on(2026, 12, 1))
    before = every_row(school.database)
    incidents_before = {i["id"]: i for i in school.incidents.list(limit=100)}
    data = PersonData(school.database, school.config)

    erased = data.erase(PUPIL_TWO, "Subject's request; nothing referred, so the law allows it.", DSL, NOW)

    assert erased.incidents == theirs and erased.key == person_key(PUPIL_TWO)
    after = every_row(school.database)
    assert PUPIL_TWO not in json.dumps(after, default=str).replace(json.dumps(before["audit_log"], default=str), "")
    assert "Pupil Two" not in json.dumps([after[t] for t in ("incidents", "incident_occurrences")], default=str)
    assert PUPIL in json.dumps(after["incident_occurrences"], default=str)  # the other pupil is still named
    incidents_after = {i["id"]: i for i in school.incidents.list(limit=100)}
    assert set(incidents_after) == set(incidents_before)
    for incident_id in theirs:
        was, now = incidents_before[incident_id], incidents_after[incident_id]
        assert (now["status"], now["outcome"], now["rationale"]) == (was["status"], was["outcome"], was["rationale"])
        assert {c: len(p) for c, p in now["evidence"]["roster"].items()} == \
            {c: len(p) for c, p in was["evidence"]["roster"].items()}
        assert {"email": None, "name": None, "removed": "erased"} in now["evidence"]["roster"]["pupil"]
    assert after["audit_log"][:len(before["audit_log"])] == before["audit_log"]
    added = after["audit_log"][len(before["audit_log"]):]
    assert [(e["action"], e["incident_id"]) for e in added] == [("erase", i) for i in theirs] + [("erase", None)]
    assert added[-1]["detail"] == {"person": person_key(PUPIL_TWO), "lessons": 0, "incidents": theirs,
                                   "reason": "Subject's request; nothing referred, so the law allows it."}
    exported = data.export(PUPIL_TWO, DSL, NOW, "json")
    assert exported["incidents"] == [] and exported["person"]["classes"] == []


def test_erasing_needs_a_reason(services, every_rule):
    with pytest.raises(ValueError, match="erasing needs a reason"):
        PersonData(services.database, services.config).erase(PUPIL_TWO, "  ", DSL, NOW)
