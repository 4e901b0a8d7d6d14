from __future__ import annotations

import pytest

from .. import zoom
from ..staff_pages import ALONE, OTHER_UUID, TEACHER, lesson_with_two_breaches


@pytest.fixture
def a_day(services, notifier):
    """Lesson 1 (Wednesday 18 November): an outsider joins, and a pupil becomes the host. Lesson 2, the next day, in
    progress: the teacher hosts one pupil alone, recording on (fewer_than_two_pupils)."""
    pipeline = lesson_with_two_breaches(services, notifier)
    pipeline.process(zoom.ended(zoom.T0 + 600))
    next_day = zoom.T0 + 86_400
    services.clock.set(next_day)
    for event in (zoom.started(next_day, uuid=OTHER_UUID), zoom.recording("started", next_day, uuid=OTHER_UUID),
                  zoom.joined(next_day, "t", TEACHER, uuid=OTHER_UUID, user_id=zoom.HOST_ID, name="Alex Teacher"),
                  zoom.joined(next_day, "a", ALONE, uuid=OTHER_UUID, name="Pupil Alone")):
        pipeline.process(event)
    services.clock.advance(200)
    pipeline.fire_due_checks()
    return {i["rule"]: i["id"] for i in services.incidents.list()}
