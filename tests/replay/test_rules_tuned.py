"""A school whose own protocol differs turns rules off and changes their severity ([rules] disabled, severity):
replayed on the recorded lessons, a rule turned off opens nothing and a changed severity is the incident's."""
from __future__ import annotations

import re

import pytest

from monitor.config import load_config
from monitor.replay import replay
from monitor.rule_ids import RULE_IDS

from ..servers import ROOT
from .examples import EXAMPLES, EXPECTED

EXAMPLE_CONFIG = ROOT / "config/monitor.example.toml"


def example_config(tmp_path, *, disabled: list[str] = (), severity: str = "{}"):
    """The example config with [rules] disabled and severity set."""
    text = EXAMPLE_CONFIG.read_text()
    text = re.sub(r"^disabled = \[\]", f"disabled = {list(disabled)!r}", text, count=1, flags=re.M)
    text = re.sub(r"^severity = \{\}", f"severity = {severity}", text, count=1, flags=re.M)
    (tmp_path / "staff.example.csv").write_text((ROOT / "config/staff.example.csv").read_text())
    path = tmp_path / "monitor.toml"
    path.write_text(text)
    return load_config(path)


def example(stem: str):
    return ROOT / "examples" / f"{stem}.jsonl"


@pytest.mark.parametrize("rule", RULE_IDS)
def test_a_rule_turned_off_opens_nothing_and_the_others_still_do(tmp_path, rule):
    stem = next(stem for stem, flagged in EXPECTED.items() if rule in {r for r, _ in flagged})
    config = example_config(tmp_path, disabled=[rule])
    assert config.rules.disabled == [rule]
    opened = [(i["rule"], i["subject"]) for i in replay([example(stem)], config).incidents]
    assert opened == [flag for flag in EXPECTED[stem] if flag[0] != rule]


def test_an_outsider_seen_only_after_the_lesson_ended_is_not_flagged_when_the_rule_is_off(tmp_path):
    """The messy lesson's guest is shown again by a join Zoom delivers after the end: that path obeys `disabled`."""
    config = example_config(tmp_path, disabled=["external_participant"])
    assert replay([example("1400-messy-delivery")], config).incidents == []


def test_every_rule_turned_off_flags_nothing_all_day(tmp_path):
    assert replay(EXAMPLES, example_config(tmp_path, disabled=list(RULE_IDS))).incidents == []


def test_a_changed_severity_is_the_incidents_and_the_other_rules_keep_theirs(tmp_path):
    config = example_config(tmp_path, severity='{ chat_in_lesson = "low" }')
    opened = replay([example("1525-private-chat"), example("1550-chat-in-lesson")], config).incidents
    assert [(i["rule"], i["severity"]) for i in opened] == [
        ("private_chat", "high"), ("chat_in_lesson", "low"), ("chat_in_lesson", "low")]
    raised = example_config(tmp_path, severity='{ out_of_hours = "high", pupils_unsupervised = "low" }')
    opened = replay([example("1500-pupils-unsupervised"), example("1750-out-of-hours")], raised).incidents
    assert [(i["rule"], i["severity"]) for i in opened] == [("pupils_unsupervised", "low"), ("out_of_hours", "high")]
