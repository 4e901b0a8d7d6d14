"""Incidents: the durable record of every confirmed breach and each time it recurred (rules.md, Incidents)."""
from .store import Confirmation, IncidentStore, iso_utc, migrate

__all__ = ["Confirmation", "IncidentStore", "iso_utc", "migrate"]
