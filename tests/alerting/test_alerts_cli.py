"""`monitor alerts test`: an IT admin checks every configured channel against real servers on this machine."""
import json

import pytest
from click.testing import CliRunner

from monitor.cli import main

from ..local_servers import smtp_server
from ..school import CHAT_CHANNELS, CONFIG_TOML, SIGNED_WEBHOOK, write_config

CONFIG = CONFIG_TOML + f"""
[alerts]
base_url = "https://monitor.gatehouse.sch.uk"

[alerts.channels.dsl]
type = "email"
to = ["dsl@gatehouse.sch.uk", "deputy.dsl@gatehouse.sch.uk"]

{CHAT_CHANNELS}
[alerts.channels.school-system]
{SIGNED_WEBHOOK}
[[alerts.routes]]
channels = ["dsl"]
"""
SECRETS = ("T0ABC/B0DEF/SlackToken", "TeamsSig-kq93Jd", "whsec-cli-do-not-leak")


@pytest.fixture
def admin(tmp_path, receiver):
    """Runs `monitor alerts test ARGS` with the school's config and every channel's environment; yields
    (run, mailbox)."""
    config = write_config(tmp_path, CONFIG)
    with smtp_server() as (port, mailbox):
        env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
               "ALERTS_FROM": "Safeguarding monitor <alerts@gatehouse.sch.uk>",
               "ALERTS_TEAMS_URL": receiver.url("/workflows/invoke?sig=TeamsSig-kq93Jd"),
               "ALERTS_SLACK_URL": receiver.url("/services/T0ABC/B0DEF/SlackToken"),
               "ALERTS_WEBHOOK_URL": receiver.url("/hooks/school"), "ALERTS_WEBHOOK_SECRET": "whsec-cli-do-not-leak"}

        def run(*args: str, **changes):
            return CliRunner().invoke(main, ["alerts", "test", "--config", str(config), *args],
                                      env={**env, **changes}, catch_exceptions=False)
        yield run, mailbox


def test_every_channel_gets_a_test_alert_marked_as_one(admin, receiver):
    run, mailbox = admin
    result = run()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "dsl (email): sent to dsl@gatehouse.sch.uk, deputy.dsl@gatehouse.sch.uk",
        "teams (teams): sent",
        "slack (slack): sent",
        "school-system (webhook): sent",
    ]
    [(envelope, mail, _)] = mailbox.received
    assert envelope.rcpt_tos == ["dsl@gatehouse.sch.uk", "deputy.dsl@gatehouse.sch.uk"]
    assert mail["Subject"] == "TEST alert from the safeguarding monitor (Gatehouse School)"
    assert "No lesson is involved and nothing needs doing." in mail.get_body(("plain",)).get_content()
    posted = {path.split("/")[1]: json.loads(body) for path, _, body in receiver.requests}
    assert sorted(posted) == ["hooks", "services", "workflows"]
    card = posted["workflows"]["attachments"][0]["content"]
    assert card["body"][0]["text"].startswith("TEST alert") and "color" not in card["body"][0]
    assert posted["services"]["text"].startswith("TEST alert")
    assert posted["hooks"]["title"].startswith("TEST alert") and posted["hooks"]["key"].startswith("test-")
    assert posted["hooks"]["facts"]["Channel"] == "school-system"


def test_one_channel_only(admin, receiver):
    run, mailbox = admin
    result = run("--channel", "slack")
    assert result.exit_code == 0 and result.output == "slack (slack): sent\n"
    assert [path for path, _, _ in receiver.requests] == ["/services/T0ABC/B0DEF/SlackToken"]
    assert mailbox.received == []


def test_a_failing_or_unset_channel_is_named_without_its_secret(admin, receiver):
    run, mailbox = admin
    receiver.status = 403
    result = run(ALERTS_TEAMS_URL="")
    assert result.exit_code == 1
    origin = receiver.url("")
    assert result.output.splitlines() == [
        "dsl (email): sent to dsl@gatehouse.sch.uk, deputy.dsl@gatehouse.sch.uk",
        "teams (teams): FAILED: not sent: environment variable ALERTS_TEAMS_URL not set",
        f"slack (slack): FAILED: Slack webhook {origin}: HTTP 403 Forbidden",
        f"school-system (webhook): FAILED: webhook {origin}: HTTP 403 Forbidden",
        "3 of 4 channel(s) failed",
    ]
    for secret in SECRETS:
        assert secret not in result.output
    assert len(mailbox.received) == 1


def test_an_unreachable_mail_server_is_reported(admin):
    from ..servers import free_port

    run, _ = admin
    result = run("--channel", "dsl", SMTP_PORT=str(free_port()))
    assert result.exit_code == 1
    assert result.output.startswith("dsl (email): FAILED: e-mail via 127.0.0.1:")
    assert "ConnectionRefusedError" in result.output


def test_an_unknown_channel_or_none_configured_is_an_error(admin, tmp_path):
    run, _ = admin
    result = run("--channel", "sms")
    assert result.exit_code == 2
    assert "no alert channel 'sms'" in result.output and "there are: dsl, teams, slack, school-system" in result.output
    (tmp_path / "bare").mkdir()
    bare = write_config(tmp_path / "bare")
    result = CliRunner().invoke(main, ["alerts", "test", "--config", str(bare)])
    assert result.exit_code == 2 and "no alert channels are configured" in result.output


def test_a_security_setting_the_server_does_not_match_is_explained(admin):
    """The local server offers neither STARTTLS nor TLS on connecting."""
    run, mailbox = admin
    starttls = run("--channel", "dsl", SMTP_SECURITY="starttls")
    assert starttls.exit_code == 1
    assert starttls.output.splitlines()[0].endswith(
        ": the server does not offer STARTTLS: set SMTP_SECURITY=none or ssl")
    ssl = run("--channel", "dsl", SMTP_SECURITY="ssl")
    assert ssl.exit_code == 1
    assert ssl.output.splitlines()[0].endswith(
        ": the server does not speak SSL/TLS on connecting: set SMTP_SECURITY=starttls or none")
    assert not mailbox.received
