"""Whom an incident concerns: everyone with an e-mail in its evidence, by class (the host too); and the key that
names a person in a link, so that no pupil's e-mail is written into an address."""
from __future__ import annotations

import hashlib
from typing import Iterator


def concerned(evidence: dict) -> Iterator[tuple[str, str]]:
    for cls, people in (evidence.get("roster") or {}).items():
        for person in people:
            if person.get("email"):
                yield person["email"], cls
    host = evidence.get("host") or {}
    if host.get("email") and host.get("class"):
        yield host["email"], host["class"]


def person_key(email: str) -> str:
    return hashlib.sha256(f"person:{email}".encode()).hexdigest()[:24]
