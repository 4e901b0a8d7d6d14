"""Whom an incident concerns: everyone with an e-mail in its evidence, by class (the host, and who chatted or shared
too); and the key that names a person in a link, so that no pupil's e-mail is written into an address."""
from __future__ import annotations

import hashlib
from typing import Iterator


def concerned(evidence: dict) -> Iterator[tuple[str, str]]:
    for cls, people in (evidence.get("roster") or {}).items():
        for person in people:
            if person.get("email"):
                yield person["email"], cls
    event = evidence.get("event") or {}
    for person in (evidence.get("host"), event.get("sender"), event.get("recipient"), event.get("sharer")):
        if person and person.get("email") and person.get("class"):
            yield person["email"], person["class"]


def person_key(email: str) -> str:
    return hashlib.sha256(f"person:{email}".encode()).hexdigest()[:24]
