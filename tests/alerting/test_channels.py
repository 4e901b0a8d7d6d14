"""The alert channels against real servers on this machine: aiosmtpd for e-mail, http.server for the webhooks."""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import html
import ipaddress
import json
import re
import socket
import ssl
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from markdown_it import MarkdownIt

from monitor.alerting.channels import DeliveryError, EmailChannel, SlackChannel, TeamsChannel, WebhookChannel
from monitor.alerting.content import alert_message
from monitor.alerting.message import AlertMessage
from monitor.alerting.samples import SAMPLE_INCIDENT, sample_config
from monitor.clock import ManualClock

from ..local_servers import Mailbox, smtp_server
from ..servers import free_port

MESSAGE = AlertMessage(
    title="Safeguarding alert: an outsider joined Year 9 Maths",
    text="Someone from outside the school was in Year 9 Maths & Stats <Set 2> with pupils. Open the incident to act.",
    facts=(("Lesson", "Year 9 Maths & Stats <Set 2>"), ("When", "Wed 18 Nov 11:06"),
           ("Rule", "An outsider was present with pupils"), ("Severity", "high")),
    link="https://monitor.gatehouse.sch.uk/incidents/42?from=alert&rule=external_participant",
    severity="high",
    key="incident-42-opened",
)
SENDER = "Safeguarding monitor <alerts@gatehouse.sch.uk>"
RECIPIENTS = ["dsl@gatehouse.sch.uk", "deputy.dsl@gatehouse.sch.uk"]
USERNAME, PASSWORD = "alerts@gatehouse.sch.uk", "Pa55-smtp-do-not-leak"
TEAMS_PATH = "/workflows/7c1f0e/triggers/manual/paths/invoke?api-version=2016-06-01&sig=TeamsSig-kq93Jd"
SLACK_PATH = "/services/T0ABC/B0DEF/SlackToken-x8Fh2q"
WEBHOOK_PATH = "/hooks/safeguarding-feed-3b9d"
WEBHOOK_SECRET = "whsec-Z7yR2m-do-not-leak"


# --- e-mail: a real SMTP server ---------------------------------------------------------------------------------

def one_login(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == \
            (USERNAME.encode(), PASSWORD.encode()):
        return AuthResult(success=True, auth_data=auth_data.login)
    return AuthResult(success=False, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A throwaway self-signed certificate for 127.0.0.1: (certificate file, key file, PEM to trust)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (directory / "cert.pem").write_bytes(pem)
    (directory / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return directory / "cert.pem", directory / "key.pem", pem.decode()


@pytest.fixture
def server_tls(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate[0], certificate[1])
    return context


@pytest.fixture
def trusting(certificate):
    """A client context that trusts the throwaway certificate, and verifies it as the default context would."""
    return ssl.create_default_context(cadata=certificate[2])


def plain_and_html(mail: EmailMessage) -> tuple[str, str]:
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def test_one_mail_with_plain_text_and_html_alternatives():
    with smtp_server() as (port, mailbox):
        EmailChannel(host="127.0.0.1", port=port, security="none", sender=SENDER).send(MESSAGE, RECIPIENTS)
    [(envelope, mail, login)] = mailbox.received
    assert envelope.mail_from == "alerts@gatehouse.sch.uk"
    assert envelope.rcpt_tos == RECIPIENTS
    assert login is None
    assert mail["Subject"] == MESSAGE.title
    assert mail["From"] == SENDER
    assert [address.addr_spec for address in mail["To"].addresses] == RECIPIENTS
    assert mail.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mail.iter_parts()] == ["text/plain", "text/html"]
    text, page = plain_and_html(mail)
    assert MESSAGE.text in text and MESSAGE.link in text
    for label, value in MESSAGE.facts:
        assert label in text and value in text
        assert f">{label}<" in page and f">{html.escape(value)}<" in page
    assert html.escape(MESSAGE.text) in page
    assert f'href="{html.escape(MESSAGE.link)}"' in page
    assert "<Set 2>" not in page


def test_the_message_id_follows_the_alert_key():
    other = AlertMessage(**{**MESSAGE.__dict__, "key": "incident-43-opened"})
    with smtp_server() as (port, mailbox):
        channel = EmailChannel(host="127.0.0.1", port=port, security="none", sender=SENDER)
        channel.send(MESSAGE, RECIPIENTS)
        channel.send(MESSAGE, RECIPIENTS[:1])
        channel.send(other, RECIPIENTS)
    first, again, different = (mail["Message-ID"] for _, mail, _ in mailbox.received)
    assert first == again != different
    assert first.startswith("<") and first.endswith("@gatehouse.sch.uk>")


def test_logs_in_when_a_username_is_set():
    with smtp_server(authenticator=one_login, auth_require_tls=False) as (port, mailbox):
        EmailChannel(host="127.0.0.1", port=port, security="none", username=USERNAME, password=PASSWORD,
                     sender=SENDER).send(MESSAGE, RECIPIENTS)
    [(_, mail, login)] = mailbox.received
    assert login == USERNAME.encode()
    assert mail["Subject"] == MESSAGE.title


def test_a_wrong_password_is_a_delivery_error_that_does_not_show_it():
    wrong = "Wr0ng-secret-do-not-leak"
    with smtp_server(authenticator=one_login, auth_require_tls=False) as (port, mailbox):
        channel = EmailChannel(host="127.0.0.1", port=port, security="none", username=USERNAME, password=wrong,
                               sender=SENDER)
        with pytest.raises(DeliveryError) as raised:
            channel.send(MESSAGE, RECIPIENTS)
    assert mailbox.received == []
    error = str(raised.value)
    assert error.startswith(f"e-mail via 127.0.0.1:{port}: SMTPAuthenticationError: 535")
    assert wrong not in error and PASSWORD not in error


class QuotingRefuser:
    """A mail server that refuses the message and quotes a recipient's address, as many do."""

    async def handle_DATA(self, server, session, envelope):
        return f"554 5.7.1 <{envelope.rcpt_tos[0]}>: Recipient address rejected by policy"


def test_a_refusal_that_quotes_an_address_is_a_delivery_error_without_it():
    controller = Controller(QuotingRefuser(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with pytest.raises(DeliveryError) as raised:
            EmailChannel(host="127.0.0.1", port=controller.port, security="none", sender=SENDER).send(MESSAGE,
                                                                                                     RECIPIENTS)
    finally:
        controller.stop()
    error = str(raised.value)  # the worker logs it, and records it on the incident
    assert error == f"e-mail via 127.0.0.1:{controller.port}: SMTPDataError: 554 5.7.1 an address: Recipient " \
                    "address rejected by policy"
    assert not any(recipient in error for recipient in RECIPIENTS)


def test_starttls_to_a_trusted_certificate_then_login(server_tls, trusting):
    with smtp_server(tls_context=server_tls, require_starttls=True, authenticator=one_login) as (port, mailbox):
        EmailChannel(host="127.0.0.1", port=port, username=USERNAME, password=PASSWORD, sender=SENDER,
                     ssl_context=trusting).send(MESSAGE, RECIPIENTS)
    [(_, mail, login)] = mailbox.received
    assert login == USERNAME.encode()
    assert mail["Subject"] == MESSAGE.title


def test_implicit_tls(server_tls, trusting):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), ssl_context=server_tls)
    controller.start()
    try:
        EmailChannel(host="127.0.0.1", port=controller.port, security="ssl", sender=SENDER,
                     ssl_context=trusting).send(MESSAGE, RECIPIENTS)
    finally:
        controller.stop()
    assert len(mailbox.received) == 1


def test_an_unverified_certificate_is_refused(server_tls):
    with smtp_server(tls_context=server_tls, require_starttls=True) as (port, mailbox):
        with pytest.raises(DeliveryError, match="SSLCertVerificationError: .*certificate verify failed"):
            EmailChannel(host="127.0.0.1", port=port, sender=SENDER).send(MESSAGE, RECIPIENTS)
    assert mailbox.received == []


def test_starttls_is_never_silently_skipped():
    with smtp_server() as (port, mailbox):
        with pytest.raises(DeliveryError, match="does not offer STARTTLS: set SMTP_SECURITY=none or ssl$"):
            EmailChannel(host="127.0.0.1", port=port, sender=SENDER).send(MESSAGE, RECIPIENTS)
    assert mailbox.received == []


def test_an_unreachable_or_silent_mail_server_is_a_delivery_error():
    port = free_port()
    with pytest.raises(DeliveryError, match=rf"^e-mail via 127\.0\.0\.1:{port}: ConnectionRefusedError: "):
        EmailChannel(host="127.0.0.1", port=port, security="none", sender=SENDER).send(MESSAGE, RECIPIENTS)
    with silent_listener() as port:
        with pytest.raises(DeliveryError, match="timed out"):
            EmailChannel(host="127.0.0.1", port=port, security="none", sender=SENDER,
                         timeout=0.2).send(MESSAGE, RECIPIENTS)


def test_bad_settings_stop_at_construction():
    with pytest.raises(ValueError, match="starttls, ssl, none"):
        EmailChannel(host="127.0.0.1", port=25, security="tls", sender=SENDER)
    with pytest.raises(ValueError, match="recipient"):
        EmailChannel(host="127.0.0.1", port=25, sender=SENDER).send(MESSAGE, [])
    with pytest.raises(ValueError, match="https://"):
        SlackChannel("hooks.slack.com/services/T0ABC/B0DEF/SlackToken")
    with pytest.raises(ValueError, match="secret"):
        WebhookChannel("https://feed.gatehouse.sch.uk/alerts", "")


# --- webhooks: a real HTTP server -------------------------------------------------------------------------------

@contextmanager
def silent_listener():
    """A port that accepts connections (the kernel completes them) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_teams_gets_one_adaptive_card(receiver):
    TeamsChannel(receiver.url(TEAMS_PATH)).send(MESSAGE)
    [(path, headers, body)] = receiver.requests
    assert path == TEAMS_PATH
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == MESSAGE.key
    assert json.loads(body) == {
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    {"type": "TextBlock", "text": MESSAGE.title, "weight": "Bolder", "size": "Medium", "wrap": True,
                     "color": "Attention"},
                    {"type": "TextBlock", "text": "Someone from outside the school was in Year 9 Maths & Stats "
                     "\\<Set 2\\> with pupils. Open the incident to act.", "wrap": True},
                    {"type": "FactSet", "facts": [
                        {"title": "Lesson", "value": "Year 9 Maths & Stats \\<Set 2\\>"},
                        {"title": "When", "value": "Wed 18 Nov 11:06"},
                        {"title": "Rule", "value": "An outsider was present with pupils"},
                        {"title": "Severity", "value": "high"}]},
                ],
                "actions": [{"type": "Action.OpenUrl", "title": "Open in the incident queue", "url": MESSAGE.link}],
            },
        }],
    }


def test_teams_uses_the_attention_colour_only_for_high_severity(receiver):
    TeamsChannel(receiver.url(TEAMS_PATH)).send(AlertMessage(**{**MESSAGE.__dict__, "severity": "low"}))
    title = json.loads(receiver.requests[0][2])["attachments"][0]["content"]["body"][0]
    assert "color" not in title


def test_slack_gets_blocks_with_a_fallback_text(receiver):
    SlackChannel(receiver.url(SLACK_PATH)).send(MESSAGE)
    [(path, headers, body)] = receiver.requests
    assert path == SLACK_PATH
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == MESSAGE.key
    assert json.loads(body) == {
        "text": MESSAGE.title,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": MESSAGE.title, "emoji": False}},
            {"type": "section", "text": {"type": "plain_text", "text": MESSAGE.text, "emoji": False}},
            {"type": "section", "fields": [
                {"type": "mrkdwn", "text": "*Lesson*"},
                {"type": "plain_text", "text": "Year 9 Maths & Stats <Set 2>", "emoji": False},
                {"type": "mrkdwn", "text": "*When*"},
                {"type": "plain_text", "text": "Wed 18 Nov 11:06", "emoji": False},
                {"type": "mrkdwn", "text": "*Rule*"},
                {"type": "plain_text", "text": "An outsider was present with pupils", "emoji": False},
                {"type": "mrkdwn", "text": "*Severity*"},
                {"type": "plain_text", "text": "high", "emoji": False},
            ]},
            {"type": "actions", "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Open in the incident queue"},
                 "url": MESSAGE.link}]},
        ],
    }


def test_the_generic_webhook_is_signed_over_the_raw_body(receiver):
    clock = ManualClock(1_795_000_000.75)
    WebhookChannel(receiver.url(WEBHOOK_PATH), WEBHOOK_SECRET, clock=clock).send(MESSAGE)
    [(path, headers, body)] = receiver.requests
    assert path == WEBHOOK_PATH
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == MESSAGE.key
    assert json.loads(body) == {
        "type": "safeguarding.alert",
        "key": "incident-42-opened",
        "title": MESSAGE.title,
        "text": MESSAGE.text,
        "facts": {"Lesson": "Year 9 Maths & Stats <Set 2>", "When": "Wed 18 Nov 11:06",
                  "Rule": "An outsider was present with pupils", "Severity": "high"},
        "link": MESSAGE.link,
        "lessons": [],
        "severity": "high",
        "sent_at": "2026-11-18T11:06:40Z",
    }
    timestamp = headers["X-Monitor-Timestamp"]
    assert timestamp == "1795000000"
    expected = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Monitor-Signature"], "v1=" + expected)
    assert WEBHOOK_SECRET not in body.decode() and WEBHOOK_SECRET not in str(headers)


def test_a_label_given_twice_keeps_both_values_in_the_webhook(receiver):
    facts = (("Lesson", "Year 9 Maths"), ("Breach", "An outsider joined."), ("Breach", "It was not recorded."))
    WebhookChannel(receiver.url(WEBHOOK_PATH), WEBHOOK_SECRET).send(
        AlertMessage(**{**MESSAGE.__dict__, "facts": facts}))
    assert json.loads(receiver.requests[0][2])["facts"] == {
        "Lesson": "Year 9 Maths", "Breach": "An outsider joined.\nIt was not recorded."}


def test_a_resent_alert_keeps_its_key_and_is_signed_afresh(receiver):
    clock = ManualClock(1_795_000_000)
    channel = WebhookChannel(receiver.url(WEBHOOK_PATH), WEBHOOK_SECRET, clock=clock)
    channel.send(MESSAGE)
    clock.advance(300)
    channel.send(MESSAGE)
    first, second = receiver.requests
    assert json.loads(first[2])["key"] == json.loads(second[2])["key"] == MESSAGE.key
    assert first[1]["Idempotency-Key"] == second[1]["Idempotency-Key"] == MESSAGE.key
    assert first[1]["X-Monitor-Signature"] != second[1]["X-Monitor-Signature"]


CHANNELS = {
    "teams": lambda url: TeamsChannel(url + TEAMS_PATH, timeout=0.5),
    "slack": lambda url: SlackChannel(url + SLACK_PATH, timeout=0.5),
    "webhook": lambda url: WebhookChannel(url + WEBHOOK_PATH, WEBHOOK_SECRET, timeout=0.5),
}
KINDS = {"teams": "Teams webhook", "slack": "Slack webhook", "webhook": "webhook"}


def assert_no_secret(error: str, origin: str) -> None:
    for secret in (TEAMS_PATH, "TeamsSig-kq93Jd", "/workflows", SLACK_PATH, "SlackToken", "/services",
                   WEBHOOK_PATH, "safeguarding-feed", WEBHOOK_SECRET):
        assert secret not in error
    assert origin in error


@pytest.mark.parametrize("name", CHANNELS)
def test_a_server_error_is_a_delivery_error_without_the_secret(receiver, name):
    receiver.status = 500
    origin = receiver.url("")
    with pytest.raises(DeliveryError) as raised:
        CHANNELS[name](origin).send(MESSAGE)
    error = str(raised.value)
    assert error == f"{KINDS[name]} {origin}: HTTP 500 Internal Server Error"
    assert_no_secret(error, origin)


@pytest.mark.parametrize("name", CHANNELS)
def test_a_refused_connection_is_a_delivery_error_without_the_secret(name):
    origin = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(DeliveryError) as raised:
        CHANNELS[name](origin).send(MESSAGE)
    error = str(raised.value)
    assert error.startswith(f"{KINDS[name]} {origin}: ConnectError: ")
    assert_no_secret(error, origin)


@pytest.mark.parametrize("name", CHANNELS)
def test_a_silent_server_times_out_as_a_delivery_error(name):
    with silent_listener() as port:
        origin = f"http://127.0.0.1:{port}"
        channel = CHANNELS[name](origin)
        channel.timeout = 0.2
        with pytest.raises(DeliveryError) as raised:
            channel.send(MESSAGE)
    error = str(raised.value)
    assert error.startswith(f"{KINDS[name]} {origin}: ReadTimeout: ")
    assert_no_secret(error, origin)


def test_a_redirect_is_not_followed(receiver):
    receiver.status = 302
    with pytest.raises(DeliveryError, match="HTTP 302"):
        SlackChannel(receiver.url(SLACK_PATH)).send(MESSAGE)


# --- a meeting's topic is text, never markup ---------------------------------------------------------------------

TOPIC = ("[click](https://evil.example/a) <https://evil.example/b|here> <b>bold</b> *b* _i_ ~s~ `c` <!channel> "
         "&lt;i&gt; \\*")


def markdown_shows(text: str) -> str:
    """What a CommonMark renderer (Teams renders a card's TextBlocks and facts as Markdown) shows of ``text``;
    fails when it makes anything but one paragraph of text: a link, emphasis, code, HTML."""
    rendered = MarkdownIt("commonmark").render(text)
    assert re.findall(r"</?(\w+)", rendered) == ["p", "p"], rendered
    return html.unescape(rendered.removeprefix("<p>").removesuffix("</p>\n"))


def test_a_topic_shows_as_typed_and_links_nowhere_in_every_channel(receiver):
    message = alert_message(sample_config(), [dataclasses.replace(SAMPLE_INCIDENT, topic=TOPIC)], "incident-42-opened")
    with smtp_server() as (port, mailbox):
        EmailChannel(host="127.0.0.1", port=port, security="none", sender=SENDER).send(message, RECIPIENTS)
    for channel in (TeamsChannel(receiver.url(TEAMS_PATH)), SlackChannel(receiver.url(SLACK_PATH)),
                    WebhookChannel(receiver.url(WEBHOOK_PATH), WEBHOOK_SECRET)):
        channel.send(message)
    teams, slack, webhook = (json.loads(body) for _, _, body in receiver.requests)

    title, text, facts = teams["attachments"][0]["content"]["body"]
    assert markdown_shows(title["text"]) == f"Safeguarding alert: {TOPIC}"
    assert markdown_shows(text["text"]).startswith(f"In {TOPIC}, someone from outside the school joined")
    assert [(markdown_shows(f["title"]), markdown_shows(f["value"])) for f in facts["facts"]] == list(message.facts)

    mrkdwn = [o["text"] for block in slack["blocks"] for o in [block.get("text", {}), *block.get("fields", [])]
              if o.get("type") == "mrkdwn"]
    assert mrkdwn == [f"*{label}*" for label, _ in message.facts]  # the monitor's labels, never Zoom's words
    plain = [o["text"] for block in slack["blocks"] for o in [block.get("text", {}), *block.get("fields", [])]
             if o.get("type") == "plain_text"]
    assert f"Safeguarding alert: {TOPIC}" in plain and TOPIC in plain
    assert "<" not in slack["text"] and ">" not in slack["text"]  # the notification's fallback: no <url|link>

    page = plain_and_html(mailbox.received[0][1])[1]
    assert "evil.example" not in "".join(re.findall(r'href="[^"]*"', page)) and "<b>" not in page
    assert html.escape(TOPIC) in page

    assert webhook["facts"]["Lesson"] == TOPIC and webhook["title"] == f"Safeguarding alert: {TOPIC}"


# --- privacy ----------------------------------------------------------------------------------------------------

LESSON = {
    "topic": "Year 9 Maths",
    "starts": "Wed 18 Nov 11:06",
    "incident_url": "https://monitor.gatehouse.sch.uk/incidents/77",
    "outsider": "stranger@mailinator.example",
    "pupils": [("Ava Pupil", "ava.pupil@gatehouse.sch.uk"), ("Noah Pupil", "n.pupil@gatehouse.sch.uk")],
    "teacher": "a.teacher@gatehouse.sch.uk",
}
KEPT_OUT = ["Ava", "Noah", "Pupil", "ava.pupil", "n.pupil", "stranger@mailinator.example", "mailinator",
            "a.teacher"]


def alert_for(lesson: dict) -> AlertMessage:
    """What an alert may say about a lesson: never who was there."""
    return AlertMessage(
        title=f"Safeguarding alert: an outsider joined {lesson['topic']}",
        text=f"Someone from outside the school joined {lesson['topic']} while pupils were present.",
        facts=(("Lesson", lesson["topic"]), ("When", lesson["starts"]), ("Rule", "An outsider was present"),
               ("Severity", "high")),
        link=lesson["incident_url"],
        severity="high",
        key="incident-77-opened",
    )


def test_no_channel_adds_anything_about_who_was_there(receiver):
    message = alert_for(LESSON)
    with smtp_server() as (port, mailbox):
        EmailChannel(host="127.0.0.1", port=port, security="none", sender=SENDER).send(message, RECIPIENTS)
    TeamsChannel(receiver.url(TEAMS_PATH)).send(message, RECIPIENTS)
    SlackChannel(receiver.url(SLACK_PATH)).send(message, RECIPIENTS)
    WebhookChannel(receiver.url(WEBHOOK_PATH), WEBHOOK_SECRET).send(message, RECIPIENTS)

    [(envelope, mail, _)] = mailbox.received
    outputs = {
        "e-mail source": envelope.content.decode(),
        "e-mail text": plain_and_html(mail)[0],
        "e-mail html": plain_and_html(mail)[1],
        **{path: body.decode() for path, _, body in receiver.requests},
    }
    assert len(outputs) == 6
    for where, output in outputs.items():
        for kept_out in KEPT_OUT:
            assert kept_out not in output, f"{kept_out!r} in the {where}"
    for where, output in list(outputs.items())[1:]:
        assert message.link in output, where
        for label, value in message.facts:
            assert label in output and value in output, f"{label}: {value} missing from the {where}"
    for path, headers, _ in receiver.requests:
        assert RECIPIENTS[0] not in str(headers), path
