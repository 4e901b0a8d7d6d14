"""The weekly summary digest (README, Weekly digest)."""
