"""The RQ queues: alert work, and the timed checks' sweeps."""
ALERTS, CHECKS = "alerts", "checks"
QUEUES = (ALERTS, CHECKS)
