"""How the lesson is hosted and set up: by a teacher."""
from __future__ import annotations

from ..classes import PersonClass
from ..config import SchoolConfig
from ..roster.model import Roster

NON_TEACHER_HOST = "non_teacher_host"


def non_teacher_host(roster: Roster, config: SchoolConfig) -> list[str | None]:
    host = roster.host
    if host is not None and host.cls is PersonClass.TEACHER:
        return []
    return [host.email if host else None]
