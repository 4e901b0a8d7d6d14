"""The service for real: gunicorn (as in the Procfile) and a `monitor worker` on the real Redis, sharing one
directory of metrics. /metrics, scraped from gunicorn, shows the deliveries, incidents and alerts the test caused,
those counted in the worker's work horses included; and at MONITOR_METRICS_ADDRESS, each process serves its own."""
from __future__ import annotations

import os
import re
import time

import httpx
import pytest

from .. import zoom
from ..alerting.test_alert_worker import FAST_WORKER
from ..school import AT_ONCE_EVERY_DAY, CONFIG_TOML, SIGNED_WEBHOOK
from ..servers import API_TOKEN, env_for, free_port, gunicorn, monitor, post, release, running
from ..worker_processes import alive, wait_for
from .scraped import samples, value

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CONFIG = CONFIG_TOML + f"""
[rules]
recording_grace_seconds = 2

[alerts]
base_url = "https://monitor.gatehouse.sch.uk"
{AT_ONCE_EVERY_DAY}
[alerts.channels.hook]
{SIGNED_WEBHOOK}
[alerts.channels.broken]
type = "webhook"
url_env = "ALERTS_BROKEN_URL"
secret_env = "ALERTS_WEBHOOK_SECRET"

[[alerts.routes]]
channels = ["hook", "broken"]
"""
HOOK = "/hooks/safeguarding"
TEACHER, PUPILS = "a.teacher@gatehouse.sch.uk", ("pupil1@gatehouse.sch.uk", "pupil2@gatehouse.sch.uk")


def lesson(uuid: str, *, recorded: bool, outsider: bool) -> list[dict]:
    now = time.time()
    return [zoom.started(now, uuid), zoom.joined(now, f"{uuid}-t", TEACHER, uuid, user_id=zoom.HOST_ID),
            *([zoom.recording("started", now, uuid)] if recorded else []),
            *(zoom.joined(now, f"{uuid}-p{i}", p, uuid) for i, p in enumerate(PUPILS)),
            *([zoom.joined(now + 0.1, f"{uuid}-x", "", uuid)] if outsider else [])]


def service_env(tmp_path, real_redis_url, receiver, **extra) -> dict[str, str]:
    (tmp_path / "config").mkdir()
    env = env_for(tmp_path / "config", REDIS_URL=real_redis_url, ALERTS_WEBHOOK_URL=receiver.url(HOOK),
                  ALERTS_WEBHOOK_SECRET="whsec-test", ALERTS_BROKEN_URL=f"http://127.0.0.1:{free_port()}/nobody",
                  **extra)
    (tmp_path / "config" / "monitor.toml").write_text(CONFIG)
    release(env)
    return env


def scrape(url: str, **headers: str) -> dict:
    answer = httpx.get(url, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return samples(answer.text)


def scraped_with_token(base: str) -> dict:
    return scrape(f"{base}/metrics", Authorization=f"Bearer {API_TOKEN}")


def alerts(found: dict, channel: str, outcome: str) -> float:
    return value(found, "monitor_alert_deliveries_total", channel=channel, outcome=outcome)


def test_metrics_scraped_from_gunicorn_show_what_the_web_and_the_work_horses_did(
        tmp_path, real_redis_url, real_redis, receiver, workers):
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = service_env(tmp_path, real_redis_url, receiver, PROMETHEUS_MULTIPROC_DIR=str(shared))
    workers.env = {**os.environ, **env, **FAST_WORKER}
    port = free_port()
    with running(gunicorn(port), port, env) as base:
        assert httpx.get(f"{base}/metrics", timeout=5).status_code == 401
        workers.start()
        events = lesson("outsider==", recorded=True, outsider=True) + lesson("unrecorded==", recorded=False,
                                                                             outsider=False)
        with httpx.Client() as client:
            for event in events + events:                                     # Zoom's at-least-once
                assert post(base, event, client).status_code == 200

        def alerted() -> bool:
            found = scraped_with_token(base)
            return alerts(found, "hook", "delivered") == 2 and alerts(found, "broken", "failed") >= 2

        wait_for(alerted, 60, "both incidents' alerts, delivered on one channel and failed on the other", workers.logs)
        found = scraped_with_token(base)
        left = sorted(path.name for path in shared.iterdir())
        of_dead_processes = [name for name in left if not alive(int(re.fullmatch(r"[a-z]+_(?:folded-)?(\d+)\.db",
                                                                                   name)[1]))]

    assert of_dead_processes == [], f"the work horses' files are folded into their worker's: {left}"
    assert "counter_folded-" in " ".join(left)
    kinds = {"meeting.started": 2, "meeting.participant_joined": 7, "recording.started": 1}
    for kind, count in kinds.items():
        assert value(found, "monitor_webhook_deliveries_total", kind=kind, outcome="applied") == count
        assert value(found, "monitor_webhook_deliveries_total", kind=kind, outcome="duplicate") == count
    assert value(found, "monitor_webhook_ack_seconds_count") == 2 * len(events)
    assert value(found, "monitor_incidents_opened_total", rule="external_participant") == 1   # on the delivery
    assert value(found, "monitor_incidents_opened_total", rule="no_recording") == 1          # by a work horse
    assert alerts(found, "hook", "delivered") == 2 and alerts(found, "hook", "failed") == 0
    assert value(found, "monitor_live_meetings") == 2 and value(found, "monitor_live_participants") == 7
    assert value(found, "monitor_redis_up") == 1
    assert ("monitor_rq_failed_jobs", frozenset({("queue", "alerts")})) in found


def test_at_metrics_addresses_gunicorn_and_the_worker_each_serve_their_own_without_a_token(
        tmp_path, real_redis_url, real_redis, receiver, workers):
    web_metrics, worker_metrics = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    env = service_env(tmp_path, real_redis_url, receiver, MONITOR_METRICS_ADDRESS=web_metrics)
    environment = {name: value for name, value in os.environ.items() if name != "PROMETHEUS_MULTIPROC_DIR"}
    workers.env = {**environment, **env, **FAST_WORKER, "MONITOR_METRICS_ADDRESS": worker_metrics}
    port = free_port()
    with running(gunicorn(port), port, env) as base:
        assert httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {API_TOKEN}"}).status_code == 404
        workers.start()
        wait_for(lambda: _answers(worker_metrics), 30, "the worker's metrics listener", workers.logs)
        for event in lesson("outsider==", recorded=True, outsider=True):
            assert post(base, event).status_code == 200
        wait_for(lambda: alerts(scrape(f"http://{worker_metrics}/metrics"), "hook", "delivered") == 1, 60,
                 "the alert, counted in the worker's work horse", workers.logs)
        web = scrape(f"http://{web_metrics}/metrics")
        worker = scrape(f"http://{worker_metrics}/metrics")
    assert value(web, "monitor_webhook_deliveries_total", kind="meeting.participant_joined", outcome="applied") == 4
    assert value(web, "monitor_incidents_opened_total", rule="external_participant") == 1
    assert alerts(web, "hook", "delivered") == 0                  # not shared: the worker's are the worker's
    assert value(worker, "monitor_webhook_deliveries_total", kind="meeting.participant_joined",
                 outcome="applied") == 0
    assert value(web, "monitor_live_meetings") == value(worker, "monitor_live_meetings") == 1  # from Redis, alike


def _answers(address: str) -> bool:
    try:
        return httpx.get(f"http://{address}/metrics", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_monitor_serve_serves_its_metrics_at_the_address_it_is_given(tmp_path):
    address, port = f"127.0.0.1:{free_port()}", free_port()
    env = env_for(tmp_path, MONITOR_METRICS_ADDRESS=address)
    with running(monitor("serve", "--port", str(port)), port, env, cwd=tmp_path) as base:
        assert post(base, zoom.started(time.time())).status_code == 200
        assert httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {API_TOKEN}"}).status_code == 404
        found = scrape(f"http://{address}/metrics")
    assert value(found, "monitor_webhook_deliveries_total", kind="meeting.started", outcome="applied") == 1
    assert value(found, "monitor_live_meetings") == 1
