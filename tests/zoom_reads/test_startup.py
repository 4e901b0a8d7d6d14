"""With [zoom_api] enabled, start-up stops naming a missing variable; enabled, the service reads Zoom's API."""
from __future__ import annotations

import pytest

from monitor.config import ConfigError
from monitor.settings import Settings
from monitor.wiring import build_services

from ..school import write_config
from .conftest import ZOOM_CONFIG


@pytest.mark.parametrize("missing", ["ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"])
def test_start_up_stops_naming_the_missing_variable(tmp_path, zoom_api_server, monkeypatch, mailbox, missing):
    for name, value in zoom_api_server.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing)
    settings = Settings(monitor_config=write_config(tmp_path, ZOOM_CONFIG), monitor_data_dir=tmp_path)
    with pytest.raises(ConfigError, match=f"environment variable {missing} is not set"):
        build_services(settings, embedded_ok=True, upgrade=True)


def test_with_every_variable_the_service_reads_zoom(tmp_path, zoom_api_server, monkeypatch, mailbox):
    for name, value in zoom_api_server.environment().items():
        monkeypatch.setenv(name, value)
    settings = Settings(monitor_config=write_config(tmp_path, ZOOM_CONFIG), monitor_data_dir=tmp_path)
    services = build_services(settings, embedded_ok=True, upgrade=True)
    assert services.reader is not None and services.pipeline.zoom_reads is not None
    assert zoom_api_server.requests == [], "nothing is read at start-up"
