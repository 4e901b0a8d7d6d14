"""When the weekly digest goes: Monday 07:00 school time whatever the clocks did on Sunday, once a week, however
many workers or ticks there are; on RQ's own scheduler, kept going by `monitor worker` and `monitor serve`."""
import dataclasses
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import create_engine

from monitor.background import DIGESTS
from monitor.clock import ManualClock
from monitor.config import load_config
from monitor.digest.service import DigestService
from monitor.digest.week import Week, due_week, next_tick
from monitor.migrations import migrate
from workers import periodic
from workers.run import start_embedded_worker

from ..local_servers import smtp_server
from ..school import CONFIG_TOML, write_config

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
RECIPIENT = '\n[digest]\nrecipients = ["dsl@gatehouse.sch.uk"]\n'


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Outbox:
    """Stands in for the SMTP channel: notes each send, optionally slowly (to overlap two senders)."""

    sender = "monitor@gatehouse.sch.uk"

    def __init__(self, delay: float = 0.0):
        self.sent: list[tuple[str, list[str]]] = []
        self.delay = delay

    def __call__(self, environ):
        return self

    def send_mail(self, mail, recipients):
        time.sleep(self.delay)
        self.sent.append((mail["Subject"], list(recipients)))


@pytest.fixture
def digest_config(tmp_path):
    return load_config(write_config(tmp_path, CONFIG_TOML + RECIPIENT))


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'digest.sqlite3'}")
    migrate(engine)
    return engine


def test_weeks_are_monday_to_sunday_in_school_time_also_across_the_clock_change():
    assert Week.parse("2026-W13").bounds(LONDON) == (utc(2026, 3, 23, 0), utc(2026, 3, 29, 23))   # 167 hours
    assert Week.parse("2026-W43").bounds(LONDON) == (utc(2026, 10, 18, 23), utc(2026, 10, 26, 0))  # 169 hours
    assert Week.containing(utc(2026, 6, 28, 23, 30), LONDON) == Week(2026, 27)   # Monday 00:30 BST
    assert str(Week.parse("2026-W48")) == "2026-W48" and Week.parse("2026-W48").before(4) == Week(2026, 44)
    assert Week.parse("2026-W01").before() == Week(2025, 52) and Week(2026, 53).after() == Week(2027, 1)
    with pytest.raises(ValueError, match="2026 has no week 54"):
        Week.parse("2026-W54")


def test_the_ticks_are_hourly_and_on_the_hour_of_school_time_through_both_clock_changes():
    for start in (utc(2026, 3, 28, 12), utc(2026, 10, 24, 12)):
        ticks, t = [], start
        for _ in range(48):
            t = next_tick(t, LONDON)
            ticks.append(t)
        assert all(b - a == timedelta(hours=1) for a, b in zip(ticks, ticks[1:]))
        assert all(tick.astimezone(LONDON).minute == 0 for tick in ticks)
    # India is half an hour off UTC: its ticks are on its own hours
    assert next_tick(utc(2026, 11, 30, 1, 10), ZoneInfo("Asia/Kolkata")) == utc(2026, 11, 30, 1, 30)


@pytest.mark.parametrize("start, end, expected", [
    # the last Sunday of March 2026 is the 29th: 01:00 GMT becomes 02:00 BST
    (utc(2026, 3, 18, 12), utc(2026, 4, 8, 12),
     {"2026-W12": utc(2026, 3, 23, 7), "2026-W13": utc(2026, 3, 30, 6), "2026-W14": utc(2026, 4, 6, 6)}),
    # the last Sunday of October 2026 is the 25th: 02:00 BST becomes 01:00 GMT
    (utc(2026, 10, 14, 12), utc(2026, 11, 4, 12),
     {"2026-W42": utc(2026, 10, 19, 6), "2026-W43": utc(2026, 10, 26, 7), "2026-W44": utc(2026, 11, 2, 7)}),
])
def test_the_digest_goes_on_monday_at_seven_school_time_across_the_clock_changes(digest_config, engine, start, end,
                                                                                  expected):
    """Every hourly tick of three weeks runs the real tick: each week's digest goes once, at Monday 07:00 in
    London, which is 07:00 UTC in winter (GMT) and 06:00 UTC in summer (BST)."""
    clock, outbox = ManualClock(start.timestamp()), Outbox()
    service = DigestService(digest_config, engine, clock, channel=outbox)
    service.store.keep(service.make(service.due_week(start)))        # the week before: done already
    service.store.sent(service.due_week(start), start, ["dsl@gatehouse.sch.uk"])
    sent_at, t = {}, start
    while t < end:
        t = next_tick(t, LONDON)
        clock.set(t.timestamp())
        if service.tick(t) == "sent":
            sent_at[str(service.due_week(t))] = t
    assert sent_at == expected
    assert len(outbox.sent) == 3
    assert all(moment.astimezone(LONDON).strftime("%a %H:%M") == "Mon 07:00" for moment in sent_at.values())


def test_a_worker_that_was_down_at_seven_sends_at_its_first_tick_and_never_a_week_twice(digest_config, engine):
    clock, outbox = ManualClock(0), Outbox()
    service = DigestService(digest_config, engine, clock, channel=outbox)
    late = utc(2026, 11, 30, 10)                       # Monday 10:00: the 07:00 to 09:00 ticks never ran
    clock.set(late.timestamp())
    assert service.tick(late) == "sent"
    assert service.tick(late + timedelta(days=3)) is None
    assert due_week(late + timedelta(days=7), LONDON) == Week(2026, 49)
    assert [subject[-10:] for subject, _ in outbox.sent] == ["(2026-W48)"]


def test_two_ticks_at_once_send_one_mail(digest_config, engine):
    """Two schedulers (or a restart) ran the Monday tick twice at the same moment: the claim lets one send."""
    at = utc(2026, 11, 30, 7)
    outbox = Outbox(delay=0.3)
    services = [DigestService(digest_config, engine, ManualClock(at.timestamp()), channel=outbox) for _ in range(2)]
    outcomes = []
    threads = [threading.Thread(target=lambda s=s: outcomes.append(s.tick(at))) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(outbox.sent) == 1
    assert sorted(map(str, outcomes)) in (["None", "sent"], ["being sent", "sent"], ["already sent", "sent"])
    assert services[0].store.get(Week(2026, 48))[1] is not None


def test_a_send_that_fails_is_retried_at_the_next_tick(digest_config, engine):
    at = utc(2026, 11, 30, 7)

    class Refusing(Outbox):
        def send_mail(self, mail, recipients):
            raise ConnectionRefusedError("the mail server is down")

    failing = DigestService(digest_config, engine, ManualClock(at.timestamp()), channel=Refusing())
    with pytest.raises(ConnectionRefusedError):
        failing.tick(at)
    outbox = Outbox()
    later = at + timedelta(hours=1)
    assert DigestService(digest_config, engine, ManualClock(later.timestamp()), channel=outbox).tick(later) == "sent"
    assert len(outbox.sent) == 1


def _scheduled(redis) -> dict[str, datetime]:
    registry = ScheduledJobRegistry(queue=Queue(DIGESTS, connection=redis))
    return {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}


def test_workers_schedule_the_next_tick_once_however_many_start(services):
    services.clock.set(utc(2026, 3, 29, 0, 30).timestamp())     # Sunday 00:30 GMT; at 01:00 UTC it is 02:00 BST
    for _ in range(2):                                           # two workers start
        assert periodic.schedule_tick(services) == utc(2026, 3, 29, 1)
    assert _scheduled(services.redis) == {"digest-tick-20260329T0100Z": utc(2026, 3, 29, 1)}


def test_monitor_serve_keeps_the_digest_going_in_its_worker_thread(services, monkeypatch, tmp_path):
    """The embedded worker (monitor serve) schedules the tick; a tick that is due runs there, sends the digest
    through a real SMTP server, and schedules the next one."""
    services = dataclasses.replace(services, config=load_config(write_config(tmp_path, CONFIG_TOML + RECIPIENT)))
    services.clock.set(utc(2026, 11, 30, 7, 0, 2).timestamp())
    with smtp_server() as (port, mailbox):
        for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
                            "ALERTS_FROM": "monitor@gatehouse.sch.uk"}.items():
            monkeypatch.setenv(name, value)
        stop = start_embedded_worker(services, interval=0.1)
        try:
            # scheduled; or, RQ's scheduler going by the wall clock, which is past it, already taken to be run
            assert Job.exists("digest-tick-20261130T0800Z", connection=services.redis)
            # RQ's scheduler goes by the wall clock: a tick an hour ago is due at once
            periodic.schedule_tick(services, datetime.now(UTC) - timedelta(hours=2))
            store = DigestService(services.config, services.database).store
            deadline = time.monotonic() + 30
            while not (mailbox.received and store.get(Week(2026, 48))[1]) and time.monotonic() < deadline:
                time.sleep(0.1)  # the mail arrives a moment before the digest is marked sent
        finally:
            stop.set()
        assert len(mailbox.received) == 1
        assert mailbox.received[0][1]["Subject"].endswith("(2026-W48)")
    assert store.get(Week(2026, 48))[1] is not None


def test_incidents_and_lessons_fall_in_the_school_week_not_the_utc_one():
    """In summer, Sunday 23:30 UTC is Monday 00:30 in London: the next week's first day."""
    from monitor.digest.figures import IncidentFacts, make_digest
    from monitor.lessons import Lesson

    sunday_night = utc(2026, 6, 28, 23, 30)
    incident = IncidentFacts(id=1, rule="no_recording", severity="high", opened_at=sunday_night)
    lesson = Lesson("u1", sunday_night, sunday_night + timedelta(minutes=45), pupils=2)
    common = dict(tz=LONDON, school="Gatehouse School", overdue_days=7, staff_names={}, made_at=sunday_night)
    before = make_digest(Week(2026, 26), [incident], [lesson], **common)
    after = make_digest(Week(2026, 27), [incident], [lesson], **common)
    assert (before.incidents, before.lessons) == (0, 0)
    assert (after.incidents, after.lessons, after.lesson_hours) == (1, 1, 0.8)
    assert after.per_day[0].day.isoformat() == "2026-06-29" and after.per_day[0].incidents == 1


@pytest.mark.integration
def test_on_postgresql_too_two_senders_send_one_mail_and_lessons_are_recorded_once(digest_config, postgres_url):
    from monitor.lessons import Lesson, LessonStore

    engine = create_engine(postgres_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM digests")
        conn.exec_driver_sql("DELETE FROM lessons")
    monday = utc(2026, 11, 23, 9)
    store = LessonStore(engine)
    for lesson in (Lesson("pg-lesson==", monday, monday + timedelta(minutes=40), pupils=0, end_seen=False),
                   Lesson("pg-lesson==", monday, monday + timedelta(minutes=50), pupils=3),
                   Lesson("pg-lesson==", monday, monday + timedelta(minutes=55), pupils=3)):   # a repeat: ignored
        store.record(lesson)
    assert [(x.pupils, x.hours) for x in store.between(monday, monday + timedelta(days=1))] == [(3, 50 / 60)]
    at = utc(2026, 11, 30, 7)
    outbox = Outbox(delay=0.3)
    senders = [DigestService(digest_config, engine, ManualClock(at.timestamp()), channel=outbox) for _ in range(2)]
    threads = [threading.Thread(target=sender.tick, args=(at,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(outbox.sent) == 1
    kept, sent_at = senders[0].store.get(Week(2026, 48))
    assert (kept.lessons, sent_at) == (1, at)
    engine.dispose()
