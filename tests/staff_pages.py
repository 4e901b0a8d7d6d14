"""What the staff's pages are tested on: a lesson with two breaches, the queue's table, and the audit log."""
from __future__ import annotations

import re

from sqlalchemy import select

from monitor.incidents.models import AuditEntry
from monitor.pipeline import Pipeline

from . import zoom

PUPIL = "pupil.one@gatehouse.sch.uk"
TEACHER = "a.teacher@gatehouse.sch.uk"
ALONE = "pupil.alone@gatehouse.sch.uk"
OTHER_UUID = "QmVuZW9uZSBsZXNzb24="


def lesson_with_two_breaches(services, notifier) -> Pipeline:
    """An outsider joins, and a pupil becomes the host while the teacher looks on."""
    pipeline = Pipeline.on_redis(services.config, services.redis, services.clock, services.incidents, notifier)
    for event in (zoom.started(zoom.T0), zoom.recording("started", zoom.T0),
                  zoom.joined(zoom.T0, "t", TEACHER, name="Alex Teacher"),
                  zoom.joined(zoom.T0, "p1", PUPIL, name="Pupil One"),
                  zoom.joined(zoom.T0, "p2", "pupil.two@gatehouse.sch.uk", name="Pupil Two"),
                  zoom.joined(zoom.T0 + 1, "x", ""), zoom.role_changed(zoom.T0 + 2, "p1", PUPIL, "host")):
        pipeline.process(event)
    services.clock.advance(200)
    pipeline.fire_due_checks()
    return pipeline


def rows(page) -> str:
    """The queue's table, without the filters (whose choices name every rule)."""
    html = page.get_data(as_text=True)
    return html[html.index("<tbody>"):html.index("</tbody>")] if "<tbody>" in html else ""


def shown_as(page, name: str, email: str) -> bool:
    """Whether the page shows this person by name, with their e-mail on hover (the element's title)."""
    html = page if isinstance(page, str) else page.get_data(as_text=True)
    return re.search(rf'title="{re.escape(email)}"[^>]*>{re.escape(name)}</', html) is not None


def audit(services):
    log = AuditEntry.__table__
    with services.database.connect() as conn:
        return conn.execute(select(log).order_by(log.c.id)).all()


ASSISTANT = "c.assistant@gatehouse.sch.uk"  # staff, not a teacher
PUPIL_TWO = "pupil.two@gatehouse.sch.uk"
EVENING_UUID = "RXZlbmluZyBsZXNzb24="
EVENING = zoom.T0 + 26_600  # 18:30 in London, the same Wednesday


def lessons_breaking_every_rule(services, notifier) -> dict[tuple[str, str | None], int]:
    """Every rule broken, through the pipeline; returns {(rule, subject): incident id}.

    Morning (on the teacher's Personal Meeting ID, not recorded): someone joins before the host, two pupils are alone
    for over two minutes, an outsider joins; then the teaching assistant; pupil one chats privately with the
    assistant (a message, then a file), pupil two with the outsider, and pupil two shares their screen.
    Evening (18:30, recorded): the assistant hosts one pupil alone, past the lesson hours."""
    pipeline = Pipeline.on_redis(services.config, services.redis, services.clock, services.incidents, notifier)
    clock = services.clock

    def at(seconds: float, *events: dict) -> None:
        clock.set(seconds)
        for event in events:
            pipeline.process(event)
        pipeline.fire_due_checks()

    on_pmi = zoom.meeting_object(zoom.UUID, type=4)
    at(zoom.T0, zoom.body("meeting.started", zoom.T0, on_pmi), zoom.jbh("jbh_joined", zoom.T0))
    at(zoom.T0 + 1, zoom.joined(zoom.T0 + 1, "p1", PUPIL, name="Pupil One"),
       zoom.joined(zoom.T0 + 1, "p2", PUPIL_TWO, name="Pupil Two"))
    at(zoom.T0 + 150, zoom.joined(zoom.T0 + 150, "x", "", name="Unknown Caller"))
    at(zoom.T0 + 160, zoom.joined(zoom.T0 + 160, "ta", ASSISTANT, name="Cal Assistant"))
    at(zoom.T0 + 170, zoom.chat(zoom.T0 + 170, ("p1", PUPIL), ("ta", ASSISTANT), "guest"))
    at(zoom.T0 + 230, zoom.chat_file(zoom.T0 + 230, ("p1", PUPIL), ("ta", ASSISTANT), "guest"))
    at(zoom.T0 + 240, zoom.chat(zoom.T0 + 240, ("p2", PUPIL_TWO), ("x", ""), "guest"))
    at(zoom.T0 + 250, zoom.sharing("started", zoom.T0 + 250, "p2", content="desktop"))
    at(zoom.T0 + 600, zoom.ended(zoom.T0 + 600))

    evening = EVENING_UUID
    at(EVENING, zoom.started(EVENING, uuid=evening), zoom.recording("started", EVENING, uuid=evening),
       zoom.joined(EVENING, "ta", ASSISTANT, uuid=evening, name="Cal Assistant"),
       zoom.role_changed(EVENING + 1, "ta", ASSISTANT, "host", uuid=evening),
       zoom.joined(EVENING + 2, "p1", PUPIL, uuid=evening, name="Pupil One"))
    at(EVENING + 400)
    return {(i["rule"], i["subject"]): i["id"] for i in services.incidents.list()}
