"""What an incident's event was (a chat message or file, a shared screen), in plain words for its page: who, by class
and e-mail, and how it was sent. What was written, file names and links are never kept, so never shown."""
from __future__ import annotations

from typing import NamedTuple

KINDS = {"message": "A chat message", "file": "A file"}
SENT = {
    "host": "privately, to the host",
    "guest": "privately, to one participant",
    "everyone": "to everyone in the lesson",
    "group": "to a group of participants",
}
SHARED = {
    "application": "an application's window",
    "desktop": "their whole screen",
    "whiteboard": "a whiteboard",
    "airplay": "a phone or tablet's screen (AirPlay)",
    "camera": "a second camera",
}
ENDS = (("sender", "From"), ("recipient", "To"), ("sharer", "Shared by"))


class EventFact(NamedTuple):
    label: str
    words: str | None = None
    person: dict | None = None
    """{"email", "class"}: shown as the page shows people (pupils only to those who may identify them)."""


def event_facts(event: dict | None) -> list[EventFact]:
    """The facts an event rule's incident recorded of its first event, as the page lists them."""
    if not event:
        return []
    facts = []
    if "kind" in event:
        sent = SENT.get(event.get("recipient_type"), "to a recipient Zoom did not name")
        facts.append(EventFact("What", f"{KINDS.get(event['kind'], KINDS['message'])}, sent {sent}"))
    facts += [EventFact(label, person=event[end]) for end, label in ENDS if event.get(end)]
    if "sharer" in event:
        facts.append(EventFact("Shared", SHARED.get(event.get("content"), "something Zoom did not name")))
    return facts


def names(evidence: dict) -> dict[str, str]:
    """Each e-mail's name as Zoom gave it, from who was there."""
    return {person["email"]: person["name"] for people in (evidence.get("roster") or {}).values()
            for person in people if person.get("email") and person.get("name")}
