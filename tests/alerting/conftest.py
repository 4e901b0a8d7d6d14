"""The alerting tests' services: alert routes to a real SMTP server and to the Slack stand-in."""
from __future__ import annotations

import dataclasses

import pytest

from monitor.config import load_config
from workers import jobs

from ..local_servers import smtp_server
from ..school import CONFIG_TOML, write_config


def alerts_config(tmp_path, smtp_port: int, wait: int = 0):
    return load_config(write_config(tmp_path, CONFIG_TOML + f"""
[alerts]
base_url = "https://monitor.gatehouse.sch.uk"
group_wait_seconds = {wait}
working_days = [1, 2, 3, 4, 5, 6, 7]
working_hours = ["00:00", "23:59"]
repeat_minutes = 60
escalate_after_minutes = 15

[alerts.channels.dsl]
type = "email"
to = ["dsl@gatehouse.sch.uk"]

[alerts.channels.head]
type = "email"
to = ["head@gatehouse.sch.uk"]

[alerts.channels.slack]
type = "slack"
url_env = "ALERTS_SLACK_URL"

[[alerts.routes]]
channels = ["dsl", "slack"]
escalate_to = ["head"]
"""))


@pytest.fixture
def alerting(tmp_path, services, receiver, monkeypatch):
    """The test services with alert routes to a real SMTP server and the Slack stand-in; yields (services, mailbox)."""
    with smtp_server() as (port, mailbox):
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(port))
        monkeypatch.setenv("SMTP_SECURITY", "none")
        monkeypatch.setenv("ALERTS_FROM", "alerts@gatehouse.sch.uk")
        monkeypatch.setenv("ALERTS_SLACK_URL", receiver.url("/services/T0/B0/secret"))
        svc = dataclasses.replace(services, config=alerts_config(tmp_path, port), notifier=None)
        jobs.bind(svc)
        yield svc, mailbox
