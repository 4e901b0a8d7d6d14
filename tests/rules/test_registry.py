"""The registry: every rule of rules.md once, in the order they are listed, with its severity, grace and words."""
from __future__ import annotations

from monitor.config import RulesSection
from monitor.rules import CONDUCT_RULES, RULE_IDS, RULES, SEVERITY

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
