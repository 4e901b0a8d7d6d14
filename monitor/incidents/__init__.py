"""Incidents: the durable record of every confirmed breach and each time it recurred (rules.md, Incidents)."""
from .store import Confirmation, IncidentStore, SetAside, iso_utc

__all__ = ["Confirmation", "IncidentStore", "SetAside", "iso_utc"]
