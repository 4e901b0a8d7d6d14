"""The service with Zoom's API connected to the stand-in (tests/zoom_api_server.py), its mail to a real SMTP server."""
from __future__ import annotations

import dataclasses

import pytest
from rq import Queue, SimpleWorker

from monitor.app import create_app
from monitor.background import ZOOM
from monitor.clock import wall_clock
from monitor.config import load_config
from monitor.services import Services
from monitor.zoom_api import ZoomApi
from workers import jobs

from ..local_servers import smtp_server
from ..school import CONFIG_TOML, write_config

ZOOM_CONFIG = CONFIG_TOML + """
[zoom_api]
enabled = true
max_requests_per_second = 50
notify_hosts = true
"""


@pytest.fixture
def mailbox(monkeypatch):
    with smtp_server() as (port, box):
        for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
                            "ALERTS_FROM": "alerts@gatehouse.sch.uk"}.items():
            monkeypatch.setenv(name, value)
        yield box


@pytest.fixture
def zoom_services(services, tmp_path, zoom_api_server, mailbox):
    """The test services with [zoom_api] enabled, reading the stand-in (the client's budget keeps real time)."""
    api = ZoomApi(zoom_api_server.credentials(), services.redis, max_requests_per_second=50, clock=wall_clock)
    svc = Services(config=load_config(write_config(tmp_path, ZOOM_CONFIG)), redis=services.redis,
                   database=services.database, webhook_secret=services.webhook_secret, api_token=services.api_token,
                   clock=services.clock, zoom=api)
    jobs.bind(svc)
    yield svc
    api.close()


@pytest.fixture
def zoom_client(zoom_services):
    return create_app(zoom_services).test_client()


def zoom_jobs(svc) -> list[tuple[str, tuple]]:
    """The reads queued on the zoom queue: (job, args)."""
    return [(job.func_name.rpartition(".")[2], job.args) for job in Queue(ZOOM, connection=svc.redis).jobs]


def run_zoom_jobs(svc) -> None:
    SimpleWorker([Queue(ZOOM, connection=svc.redis)], connection=svc.redis).work(burst=True)


def replaced(svc, **zoom_api):
    """The services with other [zoom_api] settings, which the jobs run with from now on."""
    changed = dataclasses.replace(svc, config=dataclasses.replace(
        svc.config, zoom_api=svc.config.zoom_api.model_copy(update=zoom_api)))
    jobs.bind(changed)
    return changed
