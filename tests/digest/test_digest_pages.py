"""The digests in the signed-in web app: the DSL, the deputy and the headteacher read them; nobody else."""
import pytest

from ..signing_in import signed_in
from ..staff_pages import PUPIL, audit


@pytest.mark.parametrize("role", ["dsl", "deputy", "headteacher"])
def test_those_who_get_the_digest_read_it_with_links_to_the_incidents(services, web, incidents_in_a_lesson, role):
    web = signed_in(services, web, role)
    page = web.get("/digests/2026-W47")            # the incidents opened on Wed 18 Nov 2026
    assert page.status_code == 200
    for fact in (b"safeguarding digest for the week of Mon 16 Nov to Sun 22 Nov 2026 (2026-W47)",
                 b"Not made yet", b"Someone from outside the school", b"Host not on the staff list",
                 f'href="/incidents/{incidents_in_a_lesson["external_participant"]}"'.encode()):
        assert fact in page.data
    assert PUPIL.encode() not in page.data
    assert ("digest", {"week": "2026-W47"}) in [(e.action, e.detail) for e in audit(services)]
    listing = web.get("/digests")
    assert listing.status_code == 200 and b"/digests/2026-W46" in listing.data   # the last whole week before T0
    assert web.get("/digests/2026-W99").status_code == 404


def test_the_anonymous_and_viewers_are_refused(services, web, incidents_in_a_lesson):
    for path in ("/digests", "/digests/2026-W47"):
        anonymous = web.get(path)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    web = signed_in(services, web, "viewer")
    assert web.get("/digests").status_code == 403
    assert web.get("/digests/2026-W47").status_code == 403


def test_the_digest_offered_first_is_the_latest_week_with_lessons_or_incidents(services, web, incidents_in_a_lesson):
    """Two weeks on, the week just gone had nothing: the DSL is offered the week the incidents were in."""
    services.clock.advance(14 * 86_400)
    web = signed_in(services, web, "dsl")
    listing = web.get("/digests").get_data(as_text=True)
    assert "The latest whole week with lessons or incidents (2026-W47)" in listing
    assert services.digests.last_week().__str__() == "2026-W48"


def test_a_week_without_lessons_or_incidents_says_so_plainly(services, web, incidents_in_a_lesson):
    web = signed_in(services, web, "dsl")
    page = web.get("/digests/2026-W40").get_data(as_text=True)
    assert "no lesson with pupils and no incident was recorded" in page
    assert "Overdue at the end of the week" in page
