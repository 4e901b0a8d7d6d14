"""The weekly digest's Zoom settings section: findings found, resolved and still open in the week, lessons apart from
teachers; shown when Zoom's API is connected or there were findings, never otherwise."""
from __future__ import annotations

import re

import pytest

from monitor.digest.figures import Digest
from monitor.digest.render import render_html, render_text
from monitor.digest.week import Week
from monitor.findings.appendix import meeting_findings, user_findings

from .settings import MEETING, SAFE_MEETING, SAFE_USER, TEACHER, at, flipped

W47 = Week.parse("2026-W47")  # Mon 16 to Sun 22 Nov 2026; settings.at(0) is Wed 18 Nov
DAYS = 24 * 60


def lesson_with(path: str, value) -> list:
    return meeting_findings(flipped(SAFE_MEETING, path, value), "cloud")


def test_the_week_of_findings_is_counted_lessons_apart_from_teachers(services):
    store = services.findings
    store.record("meeting", MEETING, lesson_with("settings.join_before_host", True)
                 + lesson_with("settings.use_pmi", True), at(0))
    store.record("meeting", MEETING, lesson_with("settings.use_pmi", True), at(60))          # one resolved
    store.record("meeting", "81000000002", lesson_with("password", ""), at(-7 * DAYS))      # the week before
    store.record("meeting", "81000000002", [], at(8 * DAYS))                                # resolved after it
    store.record("user", TEACHER, user_findings(flipped(SAFE_USER, "in_meeting.chat", True), None, None, "cloud"),
                 at(2 * DAYS))
    d = services.digests.make(W47)
    assert d.zoom_settings.lessons.model_dump() == {"found": 2, "resolved": 1, "open": 2}
    assert d.zoom_settings.teachers.model_dump() == {"found": 1, "resolved": 0, "open": 1}
    text = render_text(d)
    assert ("Zoom settings that differ from the protocol (read before lessons)\n"
            "  Lessons:  2 found this week, 1 resolved, 2 still open at the end of the week\n"
            "  Teachers: 1 found this week, 0 resolved, 1 still open at the end of the week\n") in text
    page = render_html(d)
    assert "Zoom settings that differ from the protocol (read before lessons)</h3>" in page
    assert re.search(r">Teachers</th><td[^>]*>1 found this week, 0 resolved, 1 still open", page)
    for shown in (text, page):  # counts only: no teacher's e-mail, no meeting
        assert TEACHER not in shown and MEETING not in shown


def test_without_zoom_api_and_findings_the_digest_has_no_such_section(services):
    d = services.digests.make(W47)
    assert d.zoom_settings is None
    assert "Zoom settings" not in render_text(d) and "Zoom settings" not in render_html(d)


@pytest.mark.parametrize("school_config", ["connected"], indirect=True)
def test_connected_to_zoom_api_a_week_without_findings_says_none(services):
    d = services.digests.make(W47)
    assert "  Lessons:  0 found this week, 0 resolved, 0 still open at the end of the week" in render_text(d)


def test_a_digest_kept_before_findings_existed_still_reads(services):
    figures = services.digests.make(W47).model_dump(mode="json")
    del figures["zoom_settings"]
    assert Digest.model_validate(figures).zoom_settings is None
