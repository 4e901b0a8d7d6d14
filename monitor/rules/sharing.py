"""Who shares their screen in a lesson: staff only (or nobody, where the school says so)."""
from __future__ import annotations

from ..classes import STAFF_CLASSES, PersonClass, classify
from ..config import SchoolConfig
from ..events import SharingEvent, ZoomEvent
from ..roster.model import Roster
from ..rule_ids import PARTICIPANT_SCREEN_SHARE
from .condition import Happening

STARTED = "meeting.sharing_started"


def sharer(event: SharingEvent, roster: Roster, config: SchoolConfig) -> tuple[str | None, PersonClass]:
    """(e-mail, class) of who shares: the connection Zoom names by ``user_id``, else the participant with that Zoom
    user id (``participant.id``), else the member of staff with it; nobody matched counts as not staff. The e-mail
    is the directory's first, as for the host."""
    shared = event.participant
    zoom_user_id = shared.id
    person = roster.connection(user_id=shared.user_id) if shared.user_id else None
    if person is None and zoom_user_id:
        person = next((p for p in roster.people if p.zoom_user_id == zoom_user_id
                       or any(c.zoom_user_id == zoom_user_id for c in p.connections)), None)
    member = config.staff.find(zoom_user_id=(person.zoom_user_id if person else None) or zoom_user_id)
    if member:
        return member.email, classify(config, member.email, member.zoom_user_id)
    if person is not None:
        return person.email, person.cls
    return None, PersonClass.EXTERNAL


def participant_screen_share(event: ZoomEvent, roster: Roster, config: SchoolConfig,
                             pupils: bool) -> list[Happening]:
    if event.event != STARTED or not isinstance(event, SharingEvent) or not pupils:
        return []
    email, cls = sharer(event, roster, config)
    if cls.value in STAFF_CLASSES and config.rules.staff_may_share:
        return []
    content = event.participant.sharing_details.content if event.participant.sharing_details else None
    return [Happening(PARTICIPANT_SCREEN_SHARE, email,
                      facts={"sharer": {"email": email, "class": cls.value}, "content": content})]
