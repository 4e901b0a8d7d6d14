"""The digest of a week in which every rule was broken: each rule on its line by its short name and severity, and the
staff-conduct table naming the member of staff concerned (for a private chat, the one in it, never the host; a chat
with an outsider is nobody's conduct)."""
import pytest

from monitor.config import load_config
from monitor.digest.render import render_html, render_text
from monitor.digest.week import Week
from monitor.rules import RULES

from ..school import CONFIG_TOML, write_config
from ..staff_pages import ASSISTANT, PUPIL, PUPIL_TWO

W47 = Week.parse("2026-W47")  # Wednesday 18 November 2026, the day of staff_pages.lessons_breaking_every_rule
MEDIUM = {"chat_in_lesson", "participant_screen_share", "join_before_host", "personal_meeting_id", "out_of_hours"}


@pytest.fixture
def school_config(request, tmp_path):
    """The test school; with the parameter "low_chat", one that makes chat_in_lesson low."""
    extra = '\n[rules]\nseverity = { chat_in_lesson = "low" }\n' if getattr(request, "param", None) else ""
    return load_config(write_config(tmp_path, CONFIG_TOML + extra))


def test_every_rule_has_its_line_and_severity(services, every_rule):
    digest = services.digests.make(W47)
    assert [(line.label, line.high, line.medium, line.total) for line in digest.by_rule] == [
        (rule.label, 0 if rule.id in MEDIUM else n, n if rule.id in MEDIUM else 0, n)
        for rule in RULES for n in [2 if rule.id == "private_chat" else 1]]
    assert digest.by_severity == {"high": 7, "medium": 5, "low": 0}
    assert "Private chat with a pupil" in render_text(digest) and "On a Personal Meeting ID" in render_html(digest)


def test_a_private_chat_is_the_conduct_of_the_member_of_staff_in_it(services, every_rule):
    digest = services.digests.make(W47)
    assert {line.email: line.by_rule for line in digest.by_staff} == {
        "a.teacher@gatehouse.sch.uk": {"join_before_host": 1, "personal_meeting_id": 1, "pupils_unsupervised": 1},
        ASSISTANT: {"fewer_than_two_pupils": 1, "non_teacher_host": 1, "out_of_hours": 1, "private_chat": 1},
    }
    assert digest.conduct_hosts_not_staff == 0  # the private chat with an outsider is nobody's conduct
    text = render_text(digest)
    assert "Cal Assistant <c.assistant@gatehouse.sch.uk>: fewer than two pupils 1, not hosted by a teacher 1, " \
           "outside lesson hours 1, private chat with a pupil 1" in text
    assert "on a Personal Meeting ID 1" in text
    for shown in (text, render_html(digest)):
        assert PUPIL not in shown and PUPIL_TWO not in shown and "Pupil One" not in shown


@pytest.mark.parametrize("school_config", ["low_chat"], indirect=True)
def test_a_rule_the_school_made_low_is_counted_as_low(services, every_rule):
    digest = services.digests.make(W47)
    assert digest.by_severity == {"high": 7, "medium": 4, "low": 1}
    [chat] = [line for line in digest.by_rule if line.rule == "chat_in_lesson"]
    assert (chat.low, chat.medium) == (1, 0)
