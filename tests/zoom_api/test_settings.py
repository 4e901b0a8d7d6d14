"""The app's credentials from the environment, and Retry-After as Zoom may send it."""
from __future__ import annotations

from email.utils import format_datetime

import pytest

from monitor.clock import ManualClock, utc_now
from monitor.config import ConfigError
from monitor.settings import Settings
from monitor.zoom_api import ZoomCredentials
from monitor.zoom_api.retries import retry_after


@pytest.fixture
def environment(monkeypatch):
    for name in ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_API_URL", "ZOOM_OAUTH_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_credentials_come_from_the_environment(environment):
    environment.setenv("ZOOM_ACCOUNT_ID", "acc")
    environment.setenv("ZOOM_CLIENT_ID", "cid")
    environment.setenv("ZOOM_CLIENT_SECRET", "Shh-1234")
    environment.setenv("ZOOM_API_URL", "http://127.0.0.1:8999/v2/")

    credentials = ZoomCredentials.from_settings(Settings())

    assert credentials == ZoomCredentials("acc", "cid", "Shh-1234", "http://127.0.0.1:8999/v2",
                                          "https://zoom.us/oauth/token")
    assert "Shh-1234" not in repr(credentials)


@pytest.mark.parametrize("given, missing", [
    ({}, "ZOOM_ACCOUNT_ID"),
    ({"ZOOM_ACCOUNT_ID": "acc"}, "ZOOM_CLIENT_ID"),
    ({"ZOOM_ACCOUNT_ID": "acc", "ZOOM_CLIENT_ID": "cid"}, "ZOOM_CLIENT_SECRET"),
    ({"ZOOM_ACCOUNT_ID": "acc", "ZOOM_CLIENT_ID": "cid", "ZOOM_CLIENT_SECRET": "  "}, "ZOOM_CLIENT_SECRET"),
    ({"ZOOM_ACCOUNT_ID": "", "ZOOM_CLIENT_SECRET": "Shh-1234"}, "ZOOM_ACCOUNT_ID"),
])
def test_the_first_missing_variable_is_named(environment, given, missing):
    for name, value in given.items():
        environment.setenv(name, value)

    with pytest.raises(ConfigError) as refused:
        ZoomCredentials.from_settings(Settings())

    assert str(refused.value) == f"environment variable {missing} is not set ([zoom_api] enabled = true)"


def test_retry_after_in_seconds_as_a_date_or_as_a_time():
    clock = ManualClock(1_795_000_000)
    in_ten_seconds = utc_now(ManualClock(clock() + 10))

    assert retry_after("2", clock()) == 2
    assert retry_after(" 0.5 ", clock()) == 0.5
    assert retry_after(format_datetime(in_ten_seconds, usegmt=True), clock()) == 10
    assert retry_after(in_ten_seconds.isoformat().replace("+00:00", "Z"), clock()) == 10
    assert retry_after("2026-01-01T00:00:00Z", clock()) == 0, "a time gone by: at once"
    assert retry_after("-3", clock()) == 0
    assert retry_after("soon", clock()) is None
    assert retry_after("", clock()) is None
    assert retry_after(None, clock()) is None
