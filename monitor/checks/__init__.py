"""Timed checks: when a breach condition began, whether its grace period has run out, and when it cleared."""
