"""The durable record of lessons, written by the pipeline when a meeting ends, live and in replay."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from monitor.alerting.channels import check_environment
from monitor.config import ConfigError, load_config
from monitor.lessons import LessonRow
from monitor.pipeline import Pipeline

from .. import zoom
from ..school import CONFIG_TOML, write_config

T0 = zoom.T0
TEACHER = "a.teacher@gatehouse.sch.uk"


def lessons(services) -> list[dict]:
    with services.database.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(LessonRow.__table__))]


@pytest.fixture
def pipeline(services, notifier):
    return Pipeline.on_redis(services.config, services.redis, services.clock, services.incidents, notifier)


def a_lesson(pupils: int, uuid: str = zoom.UUID) -> list[dict]:
    events = [zoom.started(T0, uuid), zoom.joined(T0 + 5, "t", TEACHER, uuid, user_id=zoom.HOST_ID),
              zoom.recording("started", T0 + 6, uuid)]
    events += [zoom.joined(T0 + 10 + n, f"p{n}", f"pupil{n}@gatehouse.sch.uk", uuid) for n in range(pupils)]
    return events


def test_a_lesson_is_recorded_once_when_it_ends_whatever_zoom_repeats(services, pipeline):
    for event in a_lesson(pupils=3):
        pipeline.process(event)
    assert lessons(services) == []                       # nothing while the meeting runs
    ended = zoom.ended(T0 + 3000)
    for _ in range(3):                                   # Zoom delivers at least once
        pipeline.process(ended)
    [lesson] = lessons(services)
    assert (lesson["meeting_uuid"], lesson["meeting_id"], lesson["topic"], lesson["pupils"], lesson["end_seen"]) == \
        (zoom.UUID, zoom.MEETING_ID, "Year 9 Maths", 3, True)
    assert (lesson["host_email"], lesson["host_class"]) == (TEACHER, "teacher")
    assert lesson["started_at"] == datetime.fromtimestamp(T0, timezone.utc)
    assert lesson["ended_at"] == datetime.fromtimestamp(T0 + 3000, timezone.utc)


def test_a_pupil_whose_join_zoom_delivers_after_the_end_still_counts(services, pipeline):
    for event in a_lesson(pupils=0) + [zoom.ended(T0 + 3000)]:
        pipeline.process(event)
    assert [lesson["pupils"] for lesson in lessons(services)] == [0]     # staff only, so far: not a lesson
    pipeline.process(zoom.joined(T0 + 60, "late", "pupil9@gatehouse.sch.uk"))
    pipeline.process(zoom.joined(T0 + 60, "late", "pupil9@gatehouse.sch.uk"))
    assert [lesson["pupils"] for lesson in lessons(services)] == [1]


def test_a_meeting_that_never_sends_meeting_ended_is_recorded_once_it_is_quiet(services, pipeline):
    for event in a_lesson(pupils=2) + [zoom.left(T0 + 2400, "p0"), zoom.left(T0 + 2401, "p1"),
                                       zoom.left(T0 + 2405, "t", TEACHER)]:
        pipeline.process(event)
    assert pipeline.record_unended(int((T0 + 2405) * 1000)) == 0         # quiet, but not for long enough
    assert pipeline.record_unended(int((T0 + 6 * 3600) * 1000)) == 1
    [lesson] = lessons(services)
    assert (lesson["pupils"], lesson["end_seen"]) == (2, False)
    assert lesson["ended_at"] == datetime.fromtimestamp(T0 + 2405, timezone.utc)
    pipeline.process(zoom.ended(T0 + 2410))                              # Zoom's end after all: it knows better
    [lesson] = lessons(services)
    assert (lesson["end_seen"], lesson["ended_at"]) == (True, datetime.fromtimestamp(T0 + 2410, timezone.utc))


def test_the_digest_section_has_defaults_and_a_wrong_key_stops_start_up(tmp_path):
    digest = load_config(write_config(tmp_path)).digest
    assert (digest.recipients, digest.weekday, digest.hour, digest.overdue_days) == ([], 1, 7, 7)
    path = write_config(tmp_path, CONFIG_TOML + "\n[digest]\nhuor = 6\n")
    with pytest.raises(ConfigError, match=r"unknown key 'digest.huor'"):
        load_config(path)
    path = write_config(tmp_path, CONFIG_TOML + '\n[digest]\nrecipients = ["not an address"]\n')
    with pytest.raises(ConfigError, match=r"key 'digest.recipients.0'"):
        load_config(path)
    config = load_config(write_config(tmp_path, CONFIG_TOML + '\n[digest]\nrecipients = ["dsl@gatehouse.sch.uk"]\n'))
    with pytest.raises(ConfigError, match=r"SMTP_HOST is not set \(needed by \[digest\] recipients\)"):
        check_environment(config, {})
    check_environment(config, {"SMTP_HOST": "mail.gatehouse.sch.uk", "ALERTS_FROM": "monitor@gatehouse.sch.uk"})
