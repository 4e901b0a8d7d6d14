"""Alerts: who is told about an incident, over which channel, and what they are told."""
