"""What an alert says for each of the eleven rules, on every channel: the rule in plain words and the protocol's
clause, a link to the incident behind sign-in, and never anyone's name or e-mail (a private chat's alert says only
that an adult and a pupil chatted privately)."""
import json
import re

from monitor.alerting.channels.email import compose_email
from monitor.alerting.channels.slack import slack_payload
from monitor.alerting.channels.teams import teams_payload
from monitor.alerting.channels.webhook import webhook_payload
from monitor.alerting.content import alert_message
from monitor.rules import BY_ID, RULE_IDS

from ..staff_pages import ASSISTANT

PEOPLE = ("Pupil One", "Pupil Two", "Cal Assistant", "Alex Teacher", "Unknown Caller", "pupil.one", "pupil.two",
          "c.assistant", "a.teacher", "gatehouse.sch.uk")
CHAT_CONTENT = ("This is a test message", "worksheet.pdf", "download")
E_MAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def everything_sent(message) -> str:
    """The alert as every channel would send it: the mail's subject and both bodies, and each chat and webhook post."""
    mail = compose_email(message, "alerts@monitor.example", ["dsl@monitor.example"])
    bodies = [mail["Subject"], mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()]
    posts = [json.dumps(payload, ensure_ascii=False) for payload in
             (slack_payload(message), teams_payload(message), webhook_payload(message, 1_795_000_000))]
    return "\n".join(bodies + posts)


def test_every_rules_alert_says_what_happened_and_names_nobody(services, every_rule):
    assert {rule for rule, _ in every_rule} == set(RULE_IDS)
    for (rule, subject), incident_id in every_rule.items():
        [incident] = services.alerts.incidents([incident_id])
        message = alert_message(services.config, [incident], f"incident-{incident_id}-opened")
        assert message.text == (f"In Year 9 Maths, {BY_ID[rule].headline}. "
                                "Open the incident queue to review and acknowledge it."), rule
        assert ("Breach", f"{BY_ID[rule].sentence}. {BY_ID[rule].clause}") in message.facts
        assert message.link.endswith(f"/incidents/{incident_id}")
        sent = everything_sent(message)
        assert E_MAIL.findall(sent.replace("alerts@monitor.example", "").replace("dsl@monitor.example", "")) == [], rule
        assert not [person for person in PEOPLE + CHAT_CONTENT if person in sent], rule


def test_a_private_chat_alert_says_only_that_an_adult_and_a_pupil_chatted(services, every_rule):
    incident_id = every_rule["private_chat", ASSISTANT]
    [incident] = services.alerts.incidents([incident_id])
    message = alert_message(services.config, [incident], "k")
    assert message.text.startswith("In Year 9 Maths, an adult and a pupil chatted privately in a lesson.")
    assert (message.title, message.severity) == ("Safeguarding alert: Year 9 Maths", "high")
    on_pmi = alert_message(services.config, services.alerts.incidents([every_rule["personal_meeting_id", None]]), "k")
    assert "held on a teacher's Personal Meeting ID." in everything_sent(on_pmi)


def test_one_alert_for_a_lessons_many_breaches_names_each_rule_once_at_the_highest_severity(services, every_rule):
    morning = [i for (rule, _), i in every_rule.items()
               if rule not in ("fewer_than_two_pupils", "non_teacher_host", "out_of_hours")]
    incidents = sorted(services.alerts.incidents(morning), key=lambda i: i.opened_at)
    message = alert_message(services.config, incidents, "k")
    assert message.severity == "high" and "(and 7 other breaches)" in message.text
    assert [label for label, _ in message.facts].count("Breach") == 8
    assert not [person for person in PEOPLE if person in everything_sent(message)]
