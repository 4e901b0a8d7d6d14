"""Where alerts go and what they say (pure: no servers)."""
import dataclasses
from datetime import datetime, timezone

import pytest

from monitor.alerting.content import alert_message
from monitor.alerting.records import AlertIncident
from monitor.alerting.routing import channels_for, in_working_hours
from monitor.config import load_config

from ..school import CONFIG_TOML, write_config

ALERTS = CONFIG_TOML + """
[alerts]
base_url = "https://monitor.gatehouse.sch.uk"

[alerts.channels.dsl]
type = "email"
to = ["dsl@gatehouse.sch.uk"]

[alerts.channels.deputy]
type = "email"
to = ["deputy@gatehouse.sch.uk"]

[alerts.channels.teams]
type = "teams"
url_env = "ALERTS_TEAMS_URL"

[[alerts.routes]]
channels = ["dsl", "teams"]
out_of_hours = ["deputy"]

[[alerts.routes]]
rules = ["external_participant"]
severities = ["high"]
channels = ["teams", "deputy"]
"""


@pytest.fixture
def config(tmp_path):
    return load_config(write_config(tmp_path, ALERTS))


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("moment, working", [
    (utc(2026, 11, 18, 7, 0), True),        # Wednesday 07:00 GMT
    (utc(2026, 11, 18, 17, 59), True),
    (utc(2026, 11, 18, 18, 0), False),
    (utc(2026, 11, 18, 6, 59), False),
    (utc(2026, 6, 17, 6, 30), True),        # 07:30 BST in June
    (utc(2026, 6, 17, 17, 30), False),      # 18:30 BST
    (utc(2026, 11, 21, 10, 0), False),      # Saturday
])
def test_working_hours_are_the_schools_local_time(config, moment, working):
    assert in_working_hours(config, moment) is working


def test_routes_by_rule_severity_and_hours(config):
    day, night = utc(2026, 11, 18, 10, 0), utc(2026, 11, 18, 21, 0)
    assert channels_for(config, "no_recording", "high", day) == ["dsl", "teams"]
    assert channels_for(config, "no_recording", "high", night) == ["deputy"]
    assert channels_for(config, "external_participant", "high", day) == ["dsl", "teams", "deputy"]
    assert channels_for(config, "external_participant", "low", day) == ["dsl", "teams"]


INCIDENT = AlertIncident(
    id=7, rule="external_participant", severity="high", meeting_uuid="u==", meeting_id="85393847045",
    topic="Year 9 Maths", host_email="a.teacher@gatehouse.sch.uk", status="new", alert_state="pending",
    began_at=utc(2026, 11, 18, 11, 6, 40), opened_at=utc(2026, 11, 18, 11, 6, 40), cleared_at=None)
"""The incident as alerting reads it: nobody who was there (the evidence) is in it, and only the host's e-mail."""


def test_an_alert_says_what_where_when_and_links_to_the_incident(config):
    message = alert_message(config, [INCIDENT], "k1")
    text = " ".join([message.title, message.text, *(f"{k} {v}" for k, v in message.facts), message.link])
    assert "Year 9 Maths" in text and "Wed 18 Nov 2026, 11:06" in text and "85393847045" in text
    assert "outside the school" in text and "Only school accounts" in text and message.severity == "high"
    assert message.link == "https://monitor.gatehouse.sch.uk/incidents/7"


def test_an_alert_carries_nobodys_name_or_email(config):
    second = dataclasses.replace(INCIDENT, id=8, rule="no_recording")
    message = alert_message(config, [INCIDENT, second], "k2")
    text = repr(message)
    for secret in ("pupil.one", "Pupil One", "stranger@gmail.com", "Stranger Danger", "a.teacher@"):
        assert secret not in text
    assert message.link == "https://monitor.gatehouse.sch.uk/incidents?meeting_uuid=u%3D%3D"
    assert "and 1 other breach" in message.text
