"""The shared budget in real time: two processes of three threads each stay under the rate together, at the
stand-in (which also answers 429 beyond the rate, as Zoom does)."""
from __future__ import annotations

import multiprocessing
import threading

import pytest
from redis import Redis

from monitor.zoom_api import ZoomApi, ZoomCredentials
from monitor.zoom_api.budget import SPACING

from ..zoom_api_server import safe_meeting

MEETING = "81000000002"
RATE = 5


def _calls_in_a_process(credentials: ZoomCredentials, redis_url: str, threads: int, calls: int, barrier,
                        results) -> None:
    try:
        api = ZoomApi(credentials, Redis.from_url(redis_url), max_requests_per_second=RATE)
        failures: list[BaseException] = []

        def call_zoom():
            try:
                for _ in range(calls):
                    assert api.meeting(MEETING)["id"] == int(MEETING)
            except BaseException as exc:  # reported to the test, which fails with it
                failures.append(exc)

        workers = [threading.Thread(target=call_zoom) for _ in range(threads)]
        barrier.wait(60)
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        api.close()
        results.put(repr(failures[0]) if failures else "ok")
    except BaseException as exc:
        results.put(repr(exc))


@pytest.mark.slow
def test_sixty_calls_from_two_processes_never_exceed_the_rate_in_any_second(zoom_api_server, real_redis,
                                                                              real_redis_url):
    zoom_api_server.meetings[MEETING] = safe_meeting(MEETING)
    zoom_api_server.max_requests_per_second = RATE
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_calls_in_a_process,
                                 args=(zoom_api_server.credentials(), real_redis_url, 3, 10, barrier, results))
                 for _ in range(2)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)

    assert outcomes == ["ok", "ok"]
    calls = zoom_api_server.api_requests()
    assert len(calls) == 60, "none was answered 429"
    assert zoom_api_server.busiest_second() <= RATE
    assert calls[-1].at - calls[0].at >= 59 * SPACING / RATE - 0.1
    assert len(zoom_api_server.token_requests()) == 1
