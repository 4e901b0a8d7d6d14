"""Background jobs run by RQ workers: alerts, timed checks and the weekly digest."""
