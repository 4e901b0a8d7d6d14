"""What the staff's pages are tested on: a lesson with two breaches, the queue's table, and the audit log."""
from __future__ import annotations

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


def audit(services):
    log = AuditEntry.__table__
    with services.database.connect() as conn:
        return conn.execute(select(log).order_by(log.c.id)).all()
