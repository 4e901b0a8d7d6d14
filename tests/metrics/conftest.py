from ..alerting.conftest import alerting  # noqa: F401  (the alerting tests' services, for the alerts' counts)
