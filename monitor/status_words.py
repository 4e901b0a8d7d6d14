"""What staff read for each status of an incident, in every page and the digest: one name for each state. The JSON
API and the CSV export keep the stored values ("new", "acknowledged", "closed")."""
from __future__ import annotations

STATUS_WORDS = {"new": "not acknowledged", "acknowledged": "acknowledged", "closed": "closed"}
"""In the order a queue counts and filters them."""


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status)
