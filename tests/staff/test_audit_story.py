"""The audit log in sentences, for every kind of entry the log keeps about an incident (triage.py) and one it may
keep in future: never raw JSON."""
from datetime import date
from zoneinfo import ZoneInfo

from markupsafe import Markup

from monitor.staff.audit_story import story

LONDON = ZoneInfo("Europe/London")


def person(email: str) -> Markup:
    return Markup("<b>{}</b>").format({"dee@s.uk": "Dee Lead", "sam@s.uk": "Sam Deputy"}.get(email, email))


def day(on: date) -> str:
    return on.strftime("%a %-d %b %Y")


def entry(at: str, action: str, who: str = "dee@s.uk", **detail) -> dict:
    return {"at": at, "who": who, "action": action, "detail": detail}


def words(lines) -> list[str]:
    return [str(line.words).replace("<b>", "").replace("</b>", "") for line in lines]


def test_every_kind_of_entry_reads_as_a_sentence_and_views_fold_per_person_per_day():
    history = [
        entry("2026-12-01T09:02:00Z", "view"),
        entry("2026-12-01T09:03:00Z", "acknowledge"),
        entry("2026-12-01T09:04:00Z", "view"),
        entry("2026-12-01T09:05:00Z", "view", "sam@s.uk"),
        entry("2026-12-01T09:06:00Z", "assign", to="sam@s.uk", due_on="2026-12-02"),
        entry("2026-12-01T09:07:00Z", "assign", to="dee@s.uk", due_on=None),
        entry("2026-12-01T09:08:00Z", "note"),
        entry("2026-12-01T09:09:00Z", "close", outcome="action_taken", rationale="spoke to the teacher"),
        entry("2026-12-01T23:59:00Z", "view"),  # London is on UTC in December
        entry("2026-12-02T00:00:00Z", "view"),
        entry("2026-12-02T10:00:00Z", "reopen", reason="The parent called back!"),
        entry("2026-12-02T10:01:00Z", "close", outcome="referred", rationale="To the LADO."),
        entry("2026-12-02T10:02:00Z", "escalate", by_rule="private_chat", target={"to": ["head", "deputy"]}),
        entry("2026-12-02T10:03:00Z", "api call", "tool (API)"),
        entry("2047-12-02T02:30:00Z", "reduce_evidence", "monitor:retention", pupils=2,
              closed_at="2026-12-02T10:01:00Z", after_years=21),
        entry("2047-12-03T10:00:00Z", "erase", person="8348d8d045243b8d3bb82310", reason="At the parent’s request"),
    ]
    lines = story(history, LONDON, person, day)
    assert words(lines) == [
        "Dee Lead viewed it 3 times on Tue 1 Dec 2026.",
        "Dee Lead acknowledged it.",
        "Sam Deputy viewed it once on Tue 1 Dec 2026.",
        "Dee Lead assigned it to Sam Deputy, due Wed 2 Dec 2026.",
        "Dee Lead assigned it to Dee Lead, with no due date.",
        "Dee Lead added a note.",
        "Dee Lead closed it: action taken. Rationale: spoke to the teacher.",
        "Dee Lead viewed it once on Wed 2 Dec 2026.",  # 23:59 was still the 1st, midnight the 2nd
        "Dee Lead reopened it. Reason: The parent called back!",
        "Dee Lead closed it: referred. Rationale: To the LADO.",
        "Dee Lead escalate (by rule: private_chat; target: to head, deputy).",
        "tool (API) api call.",
        "Retention removed the e-mails and names of 2 pupils from its evidence, 21 years after it was closed (each is "
        "still counted as a pupil).",
        "Dee Lead erased a person from its evidence on request (they are still counted in their class). Reason: At the "
        "parent’s request.",
    ]
    assert [line.at for line in lines][:3] == ["2026-12-01T09:02:00Z", "2026-12-01T09:03:00Z", "2026-12-01T09:05:00Z"]


def test_what_staff_typed_is_escaped():
    [line] = story([entry("2026-12-01T09:09:00Z", "close", outcome="no_action", rationale="<script>x</script>")],
                   LONDON, person, day)
    assert "<script>" not in str(line.words) and "&lt;script&gt;" in str(line.words)
