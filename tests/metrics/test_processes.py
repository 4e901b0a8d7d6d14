"""Metrics across processes and addresses: the counts of a process that has exited (an RQ work horse) folded into
its parent's file, and /metrics served at MONITOR_METRICS_ADDRESS without a token."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from monitor.app import create_app
from monitor.config import ConfigError
from monitor.metrics.exposition import listen_address, serve_metrics
from monitor.settings import Settings
from monitor.wiring import build_services

from ..school import write_config
from ..servers import ROOT, free_port
from .scraped import samples, value

HORSES = """
import os, sys
from monitor.metrics import instruments, processes

instruments.incident_opened("no_recording")                 # the worker itself
for _ in range(3):                                          # three jobs, each in a work horse
    pid = os.fork()
    if pid == 0:
        instruments.incident_opened("no_recording")
        instruments.alert_delivery("dsl", "delivered")
        os._exit(0)
    os.waitpid(pid, 0)
    processes.fold_dead(pid)
print(os.getpid())
"""


def test_the_counts_of_a_work_horse_outlive_it_in_its_parents_file(tmp_path):
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(HORSES)], cwd=ROOT, capture_output=True, text=True,
                         env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}, timeout=60)
    assert run.returncode == 0, run.stderr
    worker = run.stdout.strip()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"counter_{worker}.db", f"counter_folded-{worker}.db", f"histogram_{worker}.db",
         f"histogram_folded-{worker}.db"])                  # no file left of any horse
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    found = samples(generate_latest(registry).decode())
    assert value(found, "monitor_incidents_opened_total", rule="no_recording") == 4
    assert value(found, "monitor_alert_deliveries_total", channel="dsl", outcome="delivered") == 3


@pytest.fixture
def listener(fake_redis, clock):
    address = f"127.0.0.1:{free_port()}"
    server = serve_metrics(address, fake_redis, clock)
    yield address
    server.shutdown()
    server.server_close()


def test_at_its_own_address_metrics_need_no_token_and_the_app_has_none(listener, services, fake_redis, clock):
    found = samples(httpx.get(f"http://{listener}/metrics", timeout=5).text)
    assert value(found, "monitor_redis_up") == 1
    assert serve_metrics(listener, fake_redis, clock) is None  # taken: another process serves them
    app = create_app(dataclasses.replace(services, metrics_address=listener))
    assert app.test_client().get("/metrics", headers={"Authorization": "Bearer test-api-token"}).status_code == 404


@pytest.mark.parametrize("address, expected", [("127.0.0.1:9108", ("127.0.0.1", 9108)),
                                               ("[::1]:9108", ("::1", 9108)), ("0.0.0.0:1", ("0.0.0.0", 1))])
def test_a_metrics_address_is_a_host_and_a_port(address, expected):
    assert listen_address(address) == expected


@pytest.mark.parametrize("address", ["9108", ":9108", "localhost", "127.0.0.1:0", "127.0.0.1:http", "h:70000"])
def test_a_metrics_address_without_host_or_port_is_refused_naming_the_variable(address):
    with pytest.raises(ConfigError, match="MONITOR_METRICS_ADDRESS must be HOST:PORT"):
        listen_address(address)


def test_a_bad_metrics_address_stops_start_up(tmp_path):
    settings = Settings(monitor_config=write_config(tmp_path), monitor_data_dir=tmp_path,
                        monitor_metrics_address="9108")
    with pytest.raises(ConfigError, match="MONITOR_METRICS_ADDRESS must be HOST:PORT"):
        build_services(settings, embedded_ok=True)
