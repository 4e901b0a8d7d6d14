"""Taking people out of an incident's evidence (monitor/evidence.py) while keeping what happened: whoever is taken
out stays in their class, so the evidence still counts how many of each class were there, and says why they are not
named ("retention" or "erased")."""
from __future__ import annotations

import copy
from typing import Callable

Matches = Callable[[str, str | None], bool]
"""(e-mail, class) -> whether this person is taken out."""

EVENT_ENDS = ("sender", "recipient", "sharer")


def redact(evidence: dict, matches: Matches, why: str) -> tuple[dict, int]:
    """The evidence with every person who matches taken out, and how many entries were taken out."""
    evidence = copy.deepcopy(evidence)
    taken = 0
    for cls, people in (evidence.get("roster") or {}).items():
        for index, person in enumerate(people):
            if person.get("email") and matches(person["email"], cls):
                people[index] = {"email": None, "name": None, "removed": why}
                taken += 1
    event = evidence.get("event") or {}
    ends = [(event, end) for end in EVENT_ENDS] + [(evidence, "host")]
    for holder, end in ends:
        person = holder.get(end)
        if person and person.get("email") and matches(person["email"], person.get("class")):
            holder[end] = {**person, "email": None, "removed": why}
            if "zoom_user_id" in person:
                holder[end]["zoom_user_id"] = None
            taken += 1
    return evidence, taken


def pupils(email: str, cls: str | None) -> bool:
    return cls == "pupil"


def person(email: str) -> Matches:
    return lambda other, cls: other == email


def pupils_counted(evidence: dict) -> int:
    """How many pupils the evidence lists (named or not)."""
    return len((evidence.get("roster") or {}).get("pupil") or [])
