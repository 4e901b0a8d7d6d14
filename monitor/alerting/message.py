"""What an alert says, whichever channel carries it."""
from dataclasses import dataclass


@dataclass(frozen=True)
class LessonLine:
    """A lesson in an alert that lists several: plain text, like the rest."""
    lesson: str
    meeting_id: str
    when: str
    """The school's local time its breach began, e.g. "09:02"."""
    link: str


@dataclass(frozen=True)
class AlertMessage:
    """What an alert says. It never carries a pupil's name or e-mail: it says what happened and links to the queue.
    Every field is plain text, some of it Zoom's (the topic): each channel escapes it for its own markup."""
    title: str
    """e.g. "Safeguarding alert: an outsider joined Year 9 Maths"."""
    text: str
    """One or two plain sentences."""
    facts: tuple[tuple[str, str], ...]
    """(label, value) pairs: ("Lesson", "Year 9 Maths"), ("When", "Wed 18 Nov 11:06"), ("Severity", "high")."""
    link: str
    """URL of the incident (or the queue) in the monitor."""
    severity: str
    """high | medium | low"""
    key: str
    """A stable id of this alert; receivers use it to deduplicate."""
    lessons: tuple[LessonLine, ...] = ()
    """One rule broken in several lessons at once: each lesson, with a link to its incident(s)."""
