"""The Zoom settings page: the DSL, the deputy and the headteacher read, in plain words, which upcoming lessons and
which teachers have settings that differ from the protocol and how to fix each; resolved ones folded away; a plain
word when Zoom's API is not connected or nothing was found; viewers are refused."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import pytest

from monitor.findings.appendix import meeting_findings, user_findings

from ..signing_in import signed_in
from ..staff_pages import shown_as
from .settings import LESSON, MEETING, SAFE_AUTHENTICATION, SAFE_MEETING, SAFE_SECURITY, SAFE_USER, TEACHER, at, flipped


def text(response) -> str:
    """The page's words as a reader sees them: no tags, entities read, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def findings(services):
    store = services.findings
    unsafe = flipped(flipped(SAFE_MEETING, "settings.join_before_host", True), "settings.auto_recording", "none")
    store.record("meeting", MEETING, meeting_findings(unsafe, "cloud"), at(0), **LESSON)
    store.record("meeting", "81000000002", meeting_findings(flipped(SAFE_MEETING, "password", ""), "cloud"), at(1),
                 topic="Year 7 French", host_email="b.music@gatehouse.sch.uk", series=True)
    chat = user_findings(flipped(SAFE_USER, "in_meeting.chat", True), SAFE_SECURITY, SAFE_AUTHENTICATION, "cloud")
    store.record("user", TEACHER, chat, at(2))
    store.record("meeting", "81000000003", meeting_findings(flipped(SAFE_MEETING, "settings.use_pmi", True), "cloud"),
                 at(3), topic="Year 11 Physics", host_email=TEACHER,
                 start_time=datetime(2026, 11, 17, 14, tzinfo=timezone.utc))           # yesterday's lesson
    store.record("meeting", "81000000004", meeting_findings(flipped(SAFE_MEETING, "settings.host_video", True),
                                                            "cloud"), at(4), topic="Year 10 English")
    store.record("meeting", "81000000004", [], at(5), topic="Year 10 English")          # fixed
    return store


@pytest.mark.parametrize("role", ["dsl", "deputy", "headteacher"])
def test_the_dsl_reads_each_lesson_and_teacher_in_plain_words_with_the_fix(services, web, findings, role):
    web = signed_in(services, web, role)
    page = web.get("/zoom-settings")
    assert page.status_code == 200
    words = text(page)
    upcoming = words[words.index("Upcoming lessons with unsafe settings"):words.index("Teachers whose")]
    # newest first: Year 7 French (found at 11:01), then Year 9 Maths (11:00)
    assert upcoming.index("Year 7 French") < upcoming.index("Year 9 Maths (meeting 85393847045)")
    assert "Thu 19 Nov 2026, 10:00 · teacher: Alex Teacher" in upcoming
    assert "a recurring lesson: these settings are every lesson's in the series · teacher: Bea Music" in upcoming
    assert ("Join before host is on: pupils can be in the lesson before the teacher. How to fix it: In Zoom: "
            "Meetings > edit the lesson > Options > untick Allow participants to join before host.") in upcoming
    assert upcoming.index("Join before host is on") < upcoming.index("will not be recorded automatically in the cloud")
    assert "Zoom says join_before_host : true; the protocol: false." in upcoming
    assert "The lesson has no passcode: anyone who has the meeting ID can join." in upcoming
    assert "Year 11 Physics" not in upcoming and "Year 10 English" not in upcoming
    assert shown_as(page, "Alex Teacher", TEACHER)
    teachers = words[words.index("Teachers whose Zoom settings differ from the protocol"):]
    assert teachers.startswith("Teachers whose Zoom settings differ from the protocol Alex Teacher Chat is on in the "
                               "teacher's meetings. How to fix it: In Zoom: Settings > Meeting > In Meeting (Basic) > "
                               "turn off Meeting chat.")
    folded = page.get_data(as_text=True).split("<details")[1:]
    assert "Past lessons whose settings were never fixed (1)" in folded[0] and "Year 11 Physics" in folded[0]
    assert "Resolved (1)" in folded[1] and "Year 10 English" in folded[1]
    assert "Zoom's API is not connected" not in words and "no longer connected" in words  # [zoom_api] is off here


def test_the_nav_links_the_page_for_those_who_may_read_it(services, web, findings):
    dsl = signed_in(services, web, "dsl")
    assert 'href="/zoom-settings">Zoom settings</a>' in dsl.get("/incidents").get_data(as_text=True)


def test_viewers_are_refused_and_the_anonymous_sent_to_sign_in(services, web, findings):
    anonymous = web.get("/zoom-settings")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    viewer = signed_in(services, web, "viewer")
    assert viewer.get("/zoom-settings").status_code == 403
    assert "/zoom-settings" not in viewer.get("/incidents").get_data(as_text=True)


def test_without_zoom_api_the_page_says_it_is_not_connected(services, web):
    words = text(signed_in(services, web, "dsl").get("/zoom-settings"))
    assert ("Zoom's API is not connected ( [zoom_api] enabled = false in the config): lessons' and teachers' Zoom "
            "settings are not read, so nothing is shown here.") in words
    assert "Upcoming lessons" not in words


@pytest.mark.parametrize("school_config", ["connected"], indirect=True)
def test_connected_with_nothing_found_says_so(services, web):
    words = text(signed_in(services, web, "dsl").get("/zoom-settings"))
    assert "Nothing found: every lesson and teacher whose Zoom settings were read keeps the protocol." in words
    assert "not connected" not in words


@pytest.mark.parametrize("school_config", ["connected"], indirect=True)
def test_when_everything_was_fixed_the_sections_say_none_and_the_record_stays(services, web):
    services.findings.record("user", TEACHER, user_findings(flipped(SAFE_USER, "in_meeting.file_transfer", True),
                                                            None, None, "cloud"), at(0))
    services.findings.record("user", TEACHER, [], at(1))
    words = text(signed_in(services, web, "dsl").get("/zoom-settings"))
    assert "None: no upcoming lesson read has settings that differ from the protocol." in words
    assert "None: every teacher's Zoom settings read keep the protocol." in words
    assert "Resolved (1)" in words and "File transfer is on" in words
