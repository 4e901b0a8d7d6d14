"""An incident's page once retention has reduced its evidence, or a person was erased from it: the people taken out
are counted in their class, with why they are not named, and the audit log says who did it and why."""
from __future__ import annotations

from monitor.config import RetentionSection
from monitor.privacy.people import PersonData
from monitor.privacy.retention import Retention

from ..signing_in import signed_in
from ..staff.test_every_rule import text as words
from ..staff_pages import ASSISTANT, PUPIL, PUPIL_TWO
from .conftest import DSL, NOW, on


def test_after_retention_the_pupils_are_counted_not_named(services, web, every_rule):
    shared = every_rule[("participant_screen_share", PUPIL_TWO)]
    services.triage.close(DSL, shared, "no_action", "A pupil showed their homework.", on(2026, 12, 1))
    Retention(services.database, RetentionSection()).apply(NOW)
    web = signed_in(services, web, "dsl")
    page = web.get(f"/incidents/{shared}")
    said = words(page)
    assert "pupil : 2 not named (removed after the retention period)" in said
    assert "Shared by a pupil, not named (removed after the retention period)" in said
    assert "Retention removed the e-mails and names of 2 pupils from its evidence, 21 years after it was closed" in said
    assert "Closed: no action required" in said and "A pupil showed their homework." in said
    html = page.get_data(as_text=True)
    assert PUPIL not in html and PUPIL_TWO not in html and "Pupil One" not in html and "Pupil Two" not in html
    assert "Cal Assistant" in said  # staff stay named


def test_after_erasure_the_person_is_counted_not_named(services, web, incidents_in_a_lesson):
    for incident_id in incidents_in_a_lesson.values():
        services.triage.close(DSL, incident_id, "no_action", "Reviewed.", on(2026, 12, 1))
    PersonData(services.database, services.config).erase(PUPIL, "At the parent’s request", DSL, on(2027, 1, 5))
    web = signed_in(services, web, "dsl")
    said = words(web.get(f"/incidents/{incidents_in_a_lesson['non_teacher_host']}"))
    assert "Host a pupil, not named (erased on request)" in said
    assert "Pupil Two" in said and "1 not named (erased on request)" in said
    assert "erased a person from its evidence on request (they are still counted in their class). Reason: At the " \
           "parent’s request." in said
    assert "Pupil One" not in said and ASSISTANT not in said
