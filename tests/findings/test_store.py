"""The findings' store: each read of a lesson or a teacher opens, keeps and resolves findings; listing and the
digest's counts; a teacher is told once per set of findings; workers recording at once (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading

from monitor.findings.appendix import Finding, meeting_findings, user_findings
from monitor.findings.store import FindingRecord

from .settings import LESSON, MEETING, SAFE_AUTHENTICATION, SAFE_MEETING, SAFE_SECURITY, SAFE_USER, TEACHER, at, flipped


def lesson(**flips) -> list[Finding]:
    meeting = SAFE_MEETING
    for path, value in flips.items():
        meeting = flipped(meeting, path.replace("__", "."), value)
    return meeting_findings(meeting, "cloud")


JBH = lesson(settings__join_before_host=True)
JBH_AND_NO_RECORDING = lesson(settings__join_before_host=True, settings__auto_recording="none")
NO_RECORDING = lesson(settings__auto_recording="none")


def settings_of(records: list[FindingRecord]) -> list[str]:
    return sorted(r.setting for r in records)


def test_a_first_read_opens_its_findings(store):
    recorded = store.record("meeting", MEETING, JBH_AND_NO_RECORDING, at(0), **LESSON)
    assert settings_of(recorded.opened) == settings_of(recorded.open) == ["auto_recording", "join_before_host"]
    assert recorded.resolved == []
    jbh = next(r for r in recorded.open if r.setting == "join_before_host")
    assert (jbh.kind, jbh.subject, jbh.expected, jbh.actual) == ("meeting", MEETING, "false", "true")
    assert (jbh.topic, jbh.host_email, jbh.start_time, jbh.series) == ("Year 9 Maths", TEACHER, LESSON["start_time"],
                                                                       False)
    assert jbh.first_seen == jbh.last_seen == at(0) and jbh.resolved_at is None and jbh.is_open
    assert jbh.first_seen.tzinfo is not None and jbh.words.startswith("Join before host is on")


def test_a_read_that_finds_the_same_keeps_them_open(store):
    first = store.record("meeting", MEETING, JBH_AND_NO_RECORDING, at(0), **LESSON)
    again = store.record("meeting", MEETING, JBH_AND_NO_RECORDING, at(5), **LESSON, series=True)
    assert again.opened == [] and again.resolved == []
    assert {r.id for r in again.open} == {r.id for r in first.open}
    assert {(r.first_seen, r.last_seen, r.series) for r in again.open} == {(at(0), at(5), True)}


def test_a_read_that_finds_a_setting_fixed_resolves_it_and_a_new_one_opens(store):
    store.record("meeting", MEETING, JBH, at(0), **LESSON)
    recorded = store.record("meeting", MEETING, NO_RECORDING, at(10), **LESSON)
    assert settings_of(recorded.resolved) == ["join_before_host"] and recorded.resolved[0].resolved_at == at(10)
    assert settings_of(recorded.opened) == settings_of(recorded.open) == ["auto_recording"]
    fixed = store.record("meeting", MEETING, [], at(20))
    assert settings_of(fixed.resolved) == ["auto_recording"] and fixed.open == [] and fixed.opened == []
    assert store.list(open_only=True) == []
    assert len(store.list()) == 2


def test_a_setting_that_breaks_again_is_a_new_finding(store):
    first = store.record("meeting", MEETING, JBH, at(0))
    store.record("meeting", MEETING, [], at(1))
    again = store.record("meeting", MEETING, JBH, at(2))
    assert [r.id for r in again.opened] != [r.id for r in first.opened] and len(store.list()) == 2


def test_a_changed_value_of_the_same_setting_stays_one_finding(store):
    store.record("meeting", MEETING, lesson(settings__auto_recording="none"), at(0))
    recorded = store.record("meeting", MEETING, lesson(settings__auto_recording="local"), at(1))
    assert recorded.opened == [] and recorded.resolved == []
    assert [(r.actual, r.first_seen) for r in recorded.open] == [("local", at(0))]


def test_an_older_read_recorded_late_changes_nothing(store):
    store.record("meeting", MEETING, JBH, at(0))
    store.record("meeting", MEETING, [], at(10))
    late = store.record("meeting", MEETING, JBH, at(5))
    assert late.opened == late.resolved == late.open == []
    assert store.list(open_only=True) == []


def test_a_deleted_lesson_resolves_its_findings(store):
    store.record("meeting", MEETING, JBH_AND_NO_RECORDING, at(0))
    store.record("user", TEACHER, [lesson(settings__use_pmi=True)[0]], at(0))
    assert store.resolve_all("meeting", MEETING, at(30)) == 2
    assert store.resolve_all("meeting", MEETING, at(31)) == 0
    assert [(r.kind, r.is_open) for r in store.list(open_only=True)] == [("user", True)]
    assert {r.resolved_at for r in store.list(kind="meeting")} == {at(30)}


def test_lists_newest_first_by_kind_and_open(store):
    teacher = user_findings(flipped(SAFE_USER, "in_meeting.chat", True), SAFE_SECURITY, SAFE_AUTHENTICATION, "cloud")
    store.record("meeting", MEETING, JBH, at(0))
    store.record("user", TEACHER, teacher, at(1))
    store.record("meeting", "81000000002", NO_RECORDING, at(2))
    store.record("meeting", "81000000002", [], at(3))
    assert [(r.kind, r.subject) for r in store.list()] == [("meeting", "81000000002"), ("user", TEACHER),
                                                          ("meeting", MEETING)]
    assert [r.subject for r in store.list(kind="meeting", open_only=True)] == [MEETING]
    assert [r.setting for r in store.list(kind="user")] == ["in_meeting.chat"]
    assert len(store.list(limit=1)) == 1


def test_counts_for_the_weekly_digest(store):
    week_start, week_end = at(0), at(7 * 24 * 60)
    store.record("meeting", "1", JBH, at(-10))                     # found before the week, resolved in it
    store.record("meeting", "1", [], at(60))
    store.record("meeting", "2", JBH_AND_NO_RECORDING, at(120))    # found in it, still open
    store.record("meeting", "3", JBH, at(180))                     # found in it, resolved after it
    store.record("meeting", "3", [], at(8 * 24 * 60))
    store.record("user", TEACHER, NO_RECORDING, at(-60))           # found before, still open
    assert store.counts(week_start, week_end) == {"meeting": {"found": 3, "resolved": 1, "open": 3},
                                                  "user": {"found": 0, "resolved": 0, "open": 1}}
    assert store.counts(at(-100), at(-50)) == {"meeting": {"found": 0, "resolved": 0, "open": 0},
                                               "user": {"found": 1, "resolved": 0, "open": 1}}


def test_a_teacher_is_told_once_per_set_of_findings(store):
    assert store.claim_notice(MEETING, JBH_AND_NO_RECORDING, at(0)) is True
    assert store.claim_notice(MEETING, list(reversed(JBH_AND_NO_RECORDING)), at(1)) is False  # the same set
    assert store.claim_notice(MEETING, JBH, at(2)) is True                                    # another set
    assert store.claim_notice(MEETING, JBH, at(3)) is False
    assert store.claim_notice("81000000002", JBH, at(3)) is True                              # another lesson
    assert store.claim_notice(MEETING, [], at(4)) is False                                    # nothing to tell


# --- workers at once ------------------------------------------------------------------------------------------------

WORKERS = 8


def at_once(work) -> list:
    barrier, results, errors = threading.Barrier(WORKERS), [None] * WORKERS, []

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work(n)
        except Exception as exc:  # noqa: BLE001  (the test reports it)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


def test_workers_recording_one_lesson_at_once_open_each_finding_once(store):
    results = at_once(lambda n: store.record("meeting", MEETING, JBH_AND_NO_RECORDING, at(0), **LESSON))
    assert settings_of([r for result in results for r in result.opened]) == ["auto_recording", "join_before_host"]
    assert settings_of(store.list()) == ["auto_recording", "join_before_host"]


def test_workers_recording_reads_at_once_leave_one_open_finding_a_setting(store):
    reads = [JBH, JBH_AND_NO_RECORDING, NO_RECORDING, []]
    results = at_once(lambda n: store.record("meeting", MEETING, reads[n % 4], at(n)))
    open_now = store.list(open_only=True)
    assert len({r.setting for r in open_now}) == len(open_now)
    opened = sum(len(result.opened) for result in results)
    resolved = sum(len(result.resolved) for result in results)
    assert opened - resolved == len(open_now) and opened == len(store.list())


def test_workers_claiming_one_notice_at_once_claim_it_once(store):
    assert sorted(at_once(lambda n: store.claim_notice(MEETING, JBH, at(n)))) == [False] * (WORKERS - 1) + [True]
