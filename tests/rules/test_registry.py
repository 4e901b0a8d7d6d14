"""The registry: every rule of rules.md once, in the order they are listed, with its severity, grace and words."""
from __future__ import annotations

from monitor.config import RulesSection
from monitor.rules import CONDUCT_RULES, RULE_IDS, RULES, SEVERITY, is_conduct, whose_conduct

VERSION_1 = ("external_participant", "fewer_than_two_pupils", "non_teacher_host", "no_recording")
VERSION_2 = ("pupils_unsupervised", "private_chat", "chat_in_lesson", "participant_screen_share", "join_before_host",
             "personal_meeting_id", "out_of_hours")


def test_the_rules_in_their_order_with_their_severity_and_conduct():
    assert RULE_IDS == VERSION_1 + VERSION_2
    assert SEVERITY == dict.fromkeys(VERSION_1 + ("pupils_unsupervised", "private_chat"), "high") | dict.fromkeys(
        ("chat_in_lesson", "participant_screen_share", "join_before_host", "personal_meeting_id", "out_of_hours"),
        "medium")
    assert CONDUCT_RULES == {"fewer_than_two_pupils", "non_teacher_host", "pupils_unsupervised", "join_before_host",
                             "personal_meeting_id", "out_of_hours", "private_chat"}


def test_every_grace_is_a_setting_and_every_rule_has_its_words():
    assert {rule.id: rule.grace for rule in RULES if rule.grace} == {
        "fewer_than_two_pupils": "one_to_one_grace_seconds", "non_teacher_host": "host_grace_seconds",
        "no_recording": "recording_grace_seconds", "pupils_unsupervised": "unsupervised_grace_seconds",
        "out_of_hours": "out_of_hours_grace_seconds"}
    defaults = RulesSection()
    assert (defaults.unsupervised_grace_seconds, defaults.out_of_hours_grace_seconds) == (120, 300)
    for rule in RULES:
        assert rule.grace is None or rule.grace in RulesSection.model_fields
        assert rule.headline and rule.clause.endswith(".")
        assert (rule.holds or rule.judge) is not None


def test_a_private_chat_is_conduct_only_with_staff_and_then_the_staff_members():
    host, adult = ("a.teacher@gatehouse.sch.uk", "teacher"), ("c.assistant@gatehouse.sch.uk", "staff")
    assert [is_conduct("private_chat", cls) for cls in ("teacher", "staff", "external", "guest", None)] == [
        True, True, False, False, False]
    assert is_conduct("non_teacher_host", None) and not is_conduct("no_recording", None)
    assert whose_conduct("private_chat", host, adult) == adult
    assert whose_conduct("pupils_unsupervised", host, (None, None)) == host


def test_every_rule_has_a_short_label_and_a_sentence_that_keeps_its_capitals():
    assert len({rule.label for rule in RULES}) == len(RULES)
    assert all(len(rule.label) <= 34 for rule in RULES)  # the digest's table
    [on_pmi] = [rule for rule in RULES if rule.id == "personal_meeting_id"]
    assert on_pmi.sentence == "A lesson with pupils was held on a teacher's Personal Meeting ID"
