"""Who is who: every participant is classed from the school's configuration (rules.md, People)."""
from __future__ import annotations

from enum import StrEnum

from .config import SchoolConfig, normalise_email


class PersonClass(StrEnum):
    TEACHER = "teacher"
    STAFF = "staff"
    GUEST = "guest"
    PUPIL = "pupil"
    UNLISTED = "unlisted"
    EXTERNAL = "external"


STAFF_CLASSES = (PersonClass.TEACHER.value, PersonClass.STAFF.value)
"""The members of staff: whose conduct the staff-conduct rules concern."""


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[1] if "@" in email else ""


def classify(config: SchoolConfig, email: str | None, zoom_user_id: str | None = None) -> PersonClass:
    """The class of a person known by e-mail and/or Zoom user id; in the order rules.md gives."""
    member = config.staff.find(email, zoom_user_id)
    if member:
        return PersonClass.TEACHER if member.is_teacher else PersonClass.STAFF
    if not email:
        return PersonClass.EXTERNAL
    email = normalise_email(email)
    if email in config.exemptions.allowed_guests:
        return PersonClass.GUEST
    domain = domain_of(email)
    if domain not in config.school.domains:
        return PersonClass.EXTERNAL
    pupil_domains = config.school.pupil_domains
    if pupil_domains is None or domain in pupil_domains:
        return PersonClass.PUPIL
    return PersonClass.UNLISTED
