"""Chat in a lesson: the protocol turns all chat and file transfer off, and a private chat between an adult and a
pupil is what it most guards against. Who chatted is recorded; what they wrote, file names and links never are."""
from __future__ import annotations

from ..classes import PersonClass, classify
from ..config import SchoolConfig, normalise_email
from ..events import ChatEvent, ChatMessage, ZoomEvent
from ..roster.model import Roster
from ..rule_ids import CHAT_IN_LESSON, PRIVATE_CHAT
from .condition import Happening

PRIVATE = ("host", "guest")
"""Recipient types of a private message; ``everyone`` and ``group`` are not private."""


def chatter(roster: Roster, config: SchoolConfig, email: str | None,
            session_id: str | None) -> tuple[str | None, PersonClass]:
    """(e-mail, class) of one end of a chat: the person of the connection that carries the e-mail (else, as anyone
    is, by the school's config: a pupil's chat delivered before their own join is still a pupil's), or of the
    connection Zoom names by the session id; a blank e-mail that matches no connection: external (rules.md, Who
    chatted)."""
    if email:
        email = normalise_email(email)
        for person in roster.people:
            if person.email == email or any(c.email and normalise_email(c.email) == email
                                            for c in person.connections):
                return person.email, person.cls
        return email, classify(config, email)
    person = roster.connection(user_id=session_id) if session_id else None
    return (person.email, person.cls) if person else (None, PersonClass.EXTERNAL)


def chat_facts(event: ChatEvent) -> dict:
    chat = event.meeting.chat_message
    return {"kind": "file" if event.event == "meeting.chat_message_file_sent" else "message",
            "recipient_type": chat.recipient_type}


def private_chat(event: ZoomEvent, roster: Roster, config: SchoolConfig, pupils: bool) -> list[Happening]:
    if not isinstance(event, ChatEvent):
        return []
    chat: ChatMessage = event.meeting.chat_message
    if chat.recipient_type not in PRIVATE:
        return []
    sender = chatter(roster, config, chat.sender_email, chat.sender_session_id)
    recipient = chatter(roster, config, chat.recipient_email, chat.recipient_session_id)
    pupil_ends = [end for end in (sender, recipient) if end[1] is PersonClass.PUPIL]
    if len(pupil_ends) != 1:
        return []
    adult = recipient if sender[1] is PersonClass.PUPIL else sender
    facts = chat_facts(event) | {"sender": {"email": sender[0], "class": sender[1].value},
                                 "recipient": {"email": recipient[0], "class": recipient[1].value}}
    return [Happening(PRIVATE_CHAT, adult[0], facts=facts)]


def chat_in_lesson(event: ZoomEvent, roster: Roster, config: SchoolConfig, pupils: bool) -> list[Happening]:
    if not isinstance(event, ChatEvent) or not pupils:
        return []
    return [Happening(CHAT_IN_LESSON, None, facts=chat_facts(event))]
