"""The registry: every rule once, in the order they are listed, with a grace key the config has."""
from __future__ import annotations

from monitor.config import RulesSection
from monitor.rules import CONDUCT_RULES, RULE_IDS, RULES, SEVERITY


def test_the_rules_in_their_order_with_their_severity_and_conduct():
    assert RULE_IDS == ("external_participant", "fewer_than_two_pupils", "non_teacher_host", "no_recording")
    assert SEVERITY == dict.fromkeys(RULE_IDS, "high")
    assert CONDUCT_RULES == {"fewer_than_two_pupils", "non_teacher_host"}


def test_every_grace_is_a_setting_and_every_rule_has_its_words():
    for rule in RULES:
        assert rule.grace is None or rule.grace in RulesSection.model_fields
        assert rule.headline and rule.clause.endswith(".")
