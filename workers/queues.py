"""The RQ queues: alert work, the timed checks' sweeps, and the weekly digest's hourly tick."""
ALERTS, CHECKS, DIGESTS = "alerts", "checks", "digest"
QUEUES = (ALERTS, CHECKS, DIGESTS)
