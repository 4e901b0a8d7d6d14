"""The staff's pages know every rule: each incident's page says what happened and the protocol's clause, an event's
incident says how often and who (never what was written), the queue filters by every rule and severity, the
headteacher and the staff-concern view see staff conduct only (a private chat is staff conduct only when the adult in
it is a member of staff), and the export carries the new columns at its end."""
import csv
import html
import io
import re

import pytest

from monitor.config import load_config
from monitor.incidents.concerned import person_key
from monitor.rules import BY_ID, RULE_IDS

from ..school import CONFIG_TOML, write_config
from ..signing_in import signed_in
from ..staff_pages import ASSISTANT, PUPIL, PUPIL_TWO, rows, shown_as

CHAT_CONTENT = ("This is a test message", "worksheet.pdf", "zoom.us/rest/download", "https://shared")
MEDIUM = ("chat_in_lesson", "participant_screen_share", "join_before_host", "personal_meeting_id", "out_of_hours")


def text(page) -> str:
    """The page's (or an HTML fragment's) words, as a reader sees them (entities decoded, tags and runs of space
    collapsed)."""
    words = re.sub(r"<[^>]+>", " ", page if isinstance(page, str) else page.get_data(as_text=True))
    return " ".join(html.unescape(words).split())


def listed(page) -> set[int]:
    """The ids of the incidents the queue's table lists."""
    return {int(n) for n in re.findall(r'data-id="(\d+)"', rows(page))}


def test_every_rules_page_says_what_happened_and_the_protocols_words(services, web, every_rule):
    assert {rule for rule, _ in every_rule} == set(RULE_IDS)
    web = signed_in(services, web, "dsl")
    for (rule, _), incident_id in every_rule.items():
        page = text(web.get(f"/incidents/{incident_id}"))
        assert BY_ID[rule].sentence in page, rule
        assert f"Protocol: {BY_ID[rule].clause}" in page, rule
        assert not any(content in page for content in CHAT_CONTENT), rule
    on_pmi = text(web.get(f"/incidents/{every_rule['personal_meeting_id', None]}"))
    assert "A lesson with pupils was held on a teacher's Personal Meeting ID" in on_pmi  # as written, not lowered


def test_a_private_chat_says_how_often_when_and_who_but_never_what(services, web, every_rule):
    web = signed_in(services, web, "dsl")
    html = web.get(f"/incidents/{every_rule['private_chat', ASSISTANT]}")
    page = text(html)
    assert "An adult and a pupil chatted privately in a lesson" in page
    assert "How many 2 times, the last at Wed 18 Nov 2026, 11:10" in page
    assert "What A chat message, sent privately, to one participant" in page
    assert "From Pupil One (pupil)" in page and shown_as(html, "Pupil One", PUPIL)
    assert "To Cal Assistant (staff)" in page and shown_as(html, "Cal Assistant", ASSISTANT)
    assert "What was written, file names and links are never kept" in page
    assert "Cleared" not in page and "not yet" not in page  # an event has nothing to clear

    with_outsider = text(web.get(f"/incidents/{every_rule['private_chat', None]}"))
    assert "To someone without an e-mail (external)" in with_outsider
    assert "How many 1 time" in with_outsider and "the last at" not in with_outsider


def test_a_shared_screen_says_who_and_what(services, web, every_rule):
    web = signed_in(services, web, "dsl")
    html = web.get(f"/incidents/{every_rule['participant_screen_share', PUPIL_TWO]}")
    page = text(html)
    assert "Shared by Pupil Two (pupil)" in page and "Shared their whole screen" in page
    assert shown_as(html, "Pupil Two", PUPIL_TWO)


def test_a_viewer_reads_an_events_people_without_the_pupils(services, web, every_rule):
    web = signed_in(services, web, "viewer")
    html = web.get(f"/incidents/{every_rule['private_chat', ASSISTANT]}")
    page = text(html)
    assert "From a pupil" in page and "To Cal Assistant (staff)" in page and shown_as(html, "Cal Assistant", ASSISTANT)
    assert PUPIL not in html.get_data(as_text=True) and "Pupil One" not in page  # not even on hover


def test_the_queue_filters_by_every_rule_and_severity(services, web, every_rule):
    web = signed_in(services, web, "dsl")
    queue = web.get("/incidents").get_data(as_text=True)
    rule_filter = queue[queue.index('name="rule"'):queue.index("</select>", queue.index('name="rule"'))]
    assert re.findall(r'<option value="(\w+)"', rule_filter) == list(RULE_IDS)
    for rule in RULE_IDS:
        assert listed(web.get(f"/incidents?rule={rule}")) == {i for (r, _), i in every_rule.items() if r == rule}
    assert listed(web.get("/incidents?severity=medium")) == {i for (r, _), i in every_rule.items() if r in MEDIUM}
    assert listed(web.get("/incidents?severity=high")) == {i for (r, _), i in every_rule.items() if r not in MEDIUM}
    assert "medium" in rows(web.get("/incidents"))


@pytest.fixture
def school_config(request, tmp_path):
    """The test school; with the parameter "low_chat", one that makes chat_in_lesson low."""
    extra = '\n[rules]\nseverity = { chat_in_lesson = "low" }\n' if getattr(request, "param", None) else ""
    return load_config(write_config(tmp_path, CONFIG_TOML + extra))


@pytest.mark.parametrize("school_config", ["low_chat"], indirect=True)
def test_a_school_that_makes_chat_low_finds_it_under_low(services, web, every_rule):
    web = signed_in(services, web, "dsl")
    assert listed(web.get("/incidents?severity=low")) == {every_rule["chat_in_lesson", None]}


def test_the_headteacher_sees_a_private_chat_only_when_the_adult_is_staff(services, web, every_rule):
    web = signed_in(services, web, "headteacher")
    conduct = {"fewer_than_two_pupils", "non_teacher_host", "pupils_unsupervised", "join_before_host",
               "personal_meeting_id", "out_of_hours"}
    expected = {i for (rule, subject), i in every_rule.items() if rule in conduct} | {
        every_rule["private_chat", ASSISTANT]}
    assert listed(web.get("/incidents")) == expected
    assert listed(web.get("/incidents?rule=private_chat")) == {every_rule["private_chat", ASSISTANT]}
    for key, incident_id in every_rule.items():
        assert web.get(f"/incidents/{incident_id}").status_code == (200 if incident_id in expected else 404), key


def test_a_private_chat_is_the_conduct_of_the_member_of_staff_in_it_not_of_the_host(services, web, every_rule):
    web = signed_in(services, web, "headteacher")
    concerns = web.get("/staff-concerns").get_data(as_text=True)
    by_person = {re.sub(r"<[^>]+>", "", cells[0]).strip(): (int(cells[1]), html.unescape(cells[3])) for cells in
                 (re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", concerns, re.S))
                 if cells}
    teacher_count, teacher_rules = by_person["Alex Teacher"]  # hosted the morning lesson, chatted with nobody
    assert teacher_count == 3 and "chatted privately" not in teacher_rules
    assistant_count, assistant_rules = by_person["Cal Assistant"]
    assert assistant_count == 4 and "An adult and a pupil chatted privately in a lesson: 1" in assistant_rules
    assert set(by_person) == {"Alex Teacher", "Cal Assistant"}  # the chat with an outsider is nobody's conduct

    chronology = text(web.get(f"/people/{person_key(ASSISTANT)}"))
    assert "An adult and a pupil chatted privately in a lesson" in chronology


def test_a_pupils_chronology_has_both_their_private_chats(services, web, every_rule):
    web = signed_in(services, web, "dsl")
    chronology = web.get(f"/people/{person_key(PUPIL_TWO)}").get_data(as_text=True)
    for key in (("private_chat", None), ("participant_screen_share", PUPIL_TWO)):
        assert f"/incidents/{every_rule[key]}\"" in chronology


def test_the_export_adds_its_new_columns_at_the_end(services, web, every_rule):
    web = signed_in(services, web, "dsl")
    exported = web.get("/incidents.csv?rule=private_chat").get_data(as_text=True)
    header = exported.splitlines()[0].split(",")
    assert header == ["id", "opened_at", "began_at", "cleared_at", "rule", "severity", "status", "outcome",
                      "rationale", "assigned_to", "due_on", "meeting_id", "topic", "host_email", "occurrences",
                      "last_at", "subject_class"]
    records = {int(r["id"]): r for r in csv.DictReader(io.StringIO(exported))}
    with_staff = records[every_rule["private_chat", ASSISTANT]]
    assert (with_staff["occurrences"], with_staff["last_at"], with_staff["subject_class"]) == (
        "2", "2026-11-18T11:10:30Z", "staff")
    assert records[every_rule["private_chat", None]]["subject_class"] == "external"  # an adult without an e-mail
    everything = web.get("/incidents.csv").get_data(as_text=True)
    assert PUPIL not in everything and PUPIL_TWO not in everything
