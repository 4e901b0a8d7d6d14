"""Whom an incident concerns: everyone with an e-mail in its evidence, by class (the host too)."""
from __future__ import annotations

from typing import Iterator


def concerned(evidence: dict) -> Iterator[tuple[str, str]]:
    for cls, people in (evidence.get("roster") or {}).items():
        for person in people:
            if person.get("email"):
                yield person["email"], cls
    host = evidence.get("host") or {}
    if host.get("email") and host.get("class"):
        yield host["email"], host["class"]
