"""Load benchmark for POST /zoom/webhook: the real app against a bare app that only checks the signature.

Run from the repository root, with Redis listening on 127.0.0.1 (the DB named in --redis-url is FLUSHED):

    python bench/webhook_bench.py [--meetings 40] [--joins 30] [--rate 500] [--duration 10]
                                  [--clients 8] [--procs 2] [--redis-url redis://127.0.0.1:6379/14] [--json]

It pre-generates signed Zoom deliveries for a "lesson-change burst" (per meeting: meeting.started, then --joins
meeting.participant_joined with unique participant_uuids), then starts in turn, under the same gunicorn command
(gthread, 2 workers x 8 threads, on a free port of 127.0.0.1), the real app `monitor.app:create_app()` and the
baseline `bench.bare_app:create_app()`. After a short warm-up, for each server it measures:

* throughput: a closed loop of --clients keep-alive connections (spread over --procs client processes) sending
  every delivery once: events/s (events / wall time) and ack latency p50/p99;
* fixed rate: an open loop at --rate events/s for --duration s, on fresh meetings, with latency measured from the
  scheduled send time (so a stalled server is not hidden by coordinated omission) and from the actual send.

Between the real app's two phases, GET /api/meetings must list every meeting with --joins pupils present. The script
prints a table (or --json), the real/bare ratios and PASS/FAIL lines for the targets (events/s ratio >= 0.7, real p99
at the fixed rate < 25 ms, from the schedule). It exits non-zero only on errors (a non-200 answer, a roster mismatch,
a server that does not start, a timeout), never on a missed target. Client and whole-machine CPU use are reported per
phase: the Python client shares the machine's cores with the server, so check them before trusting a ratio.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import itertools
import json
import math
import multiprocessing as mp
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import redis

from monitor.signature import sign

ROOT = Path(__file__).resolve().parent.parent
SERVERS = (("real", "monitor.app:create_app()", "/healthz"), ("bare", "bench.bare_app:create_app()", None))
DOMAIN = "gatehouse.sch.uk"
HOST_ID = "8lzIwvZTSOqjndWPbPqzuA"  # Alex Teacher in config/staff.example.csv
REQUEST_TIMEOUT = 10.0
START_TIMEOUT = 30.0


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def burst(secret: str, meetings: int, joins: int) -> list[tuple[bytes, dict]]:
    """Signed deliveries (body, headers): per meeting, meeting.started then `joins` participant_joined."""
    now = time.time()
    stamp, first_ts = str(int(now)), int(now * 1000)
    deliveries = []
    for m in range(meetings):
        start = now - 60
        meeting = {"id": str(85393847045 + m), "uuid": base64.b64encode(os.urandom(16)).decode(), "host_id": HOST_ID,
                   "topic": f"Year {7 + m % 5} lesson {m}", "type": 2, "start_time": _iso(start), "duration": 60}
        objects = [("meeting.started", meeting)]
        for j in range(joins):
            pupil = m * joins + j
            objects.append(("meeting.participant_joined", dict(meeting, participant={
                "user_id": str(16778240 + j), "user_name": f"Pupil {pupil}", "id": "",
                "participant_uuid": str(uuid.uuid4()).upper(), "join_time": _iso(start + 5 + j),
                "email": f"pupil{pupil}@{DOMAIN}", "participant_user_id": ""})))
        for kind, obj in objects:
            event = {"event": kind, "event_ts": first_ts + len(deliveries), "payload": {"account_id": "acc", "object": obj}}
            body = json.dumps(event, separators=(",", ":")).encode()
            deliveries.append((body, {"Content-Type": "application/json", "x-zm-request-timestamp": stamp,
                                      "x-zm-signature": sign(secret, stamp, body)}))
    return deliveries


# --- the client: processes x threads, one keep-alive connection each, pulling the next delivery from a shared counter

def _post(conn: http.client.HTTPConnection, body: bytes, headers: dict) -> tuple[int, bytes, int]:
    """(status, body, reconnects); reconnects once if the server dropped the idle keep-alive connection."""
    try:
        conn.request("POST", "/zoom/webhook", body, headers)
        response = conn.getresponse()
        return response.status, response.read(), 0
    except (ConnectionError, http.client.HTTPException):
        conn.close()
        conn.request("POST", "/zoom/webhook", body, headers)
        response = conn.getresponse()
        return response.status, response.read(), 1


def client_process(port, deliveries, threads, rate, reconnect_every, counter, barrier, results):
    """Sends deliveries until none is left; with a rate, delivery i is due at start + i / rate (open loop).

    Times are time.monotonic(), which is system-wide on Linux, macOS and Windows: comparable across processes.
    """
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT) for _ in range(threads)]
    for conn in conns:
        conn.connect()
    records, errors, reconnects = [], [], []
    barrier.wait(timeout=START_TIMEOUT)
    start, cpu = time.monotonic(), time.process_time()

    def loop(conn):
        for n in itertools.count(1):
            with counter.get_lock():
                i = counter.value
                counter.value += 1
            if i >= len(deliveries):
                return
            due = start + i / rate if rate else None
            if due is not None and due > time.monotonic():
                time.sleep(due - time.monotonic())
            sent = time.monotonic()
            try:
                status, body, again = _post(conn, *deliveries[i])
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the run
                errors.append(f"delivery {i}: {exc!r}")
                return
            done = time.monotonic()
            outcome = json.loads(body).get("status") if status == 200 else None
            records.append((due or sent, sent, done, status, outcome))
            reconnects.append(again)
            if reconnect_every and n % reconnect_every == 0:
                conn.close()  # the next request connects again, to whichever gunicorn worker accepts first

    workers = [threading.Thread(target=loop, args=(conn,)) for conn in conns]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((start, records, errors, time.process_time() - cpu, sum(reconnects)))


def machine_busy_seconds() -> float | None:
    """Busy CPU-seconds of the whole machine since boot (Linux /proc/stat), None elsewhere."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def run_phase(port: int, deliveries, clients: int, procs: int, reconnect_every: int, rate: float | None = None) -> dict:
    procs = max(1, min(procs, clients))
    ctx = mp.get_context()
    counter, barrier, results = ctx.Value("l", 0), ctx.Barrier(procs + 1), ctx.Queue()
    threads = [clients // procs + (p < clients % procs) for p in range(procs)]
    children = [ctx.Process(target=client_process, args=(port, deliveries, n, rate, reconnect_every, counter, barrier, results),
                            daemon=True) for n in threads]
    busy = None
    try:
        for child in children:
            child.start()
        barrier.wait(timeout=START_TIMEOUT)
        busy = machine_busy_seconds()
        deadline = time.monotonic() + 60 + (len(deliveries) / rate if rate else len(deliveries) * 0.05)
        parts = [results.get(timeout=max(1.0, deadline - time.monotonic())) for _ in children]
        busy = None if busy is None else machine_busy_seconds() - busy
    finally:
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.terminate()
    records = [r for part in parts for r in part[1]]
    errors = [e for part in parts for e in part[2]]
    if not records:
        raise RuntimeError(f"no answer at all: {errors[:3]}")
    wall = max(r[2] for r in records) - min(part[0] for part in parts)
    return {
        "events": len(records), "wall_s": round(wall, 3), "events_per_s": round(len(records) / wall, 1),
        "p50_ms": round(percentile([r[2] - r[1] for r in records], 0.50), 2),
        "p99_ms": round(percentile([r[2] - r[1] for r in records], 0.99), 2),
        "p50_sched_ms": round(percentile([r[2] - r[0] for r in records], 0.50), 2),
        "p99_sched_ms": round(percentile([r[2] - r[0] for r in records], 0.99), 2),
        "non_200": sum(r[3] != 200 for r in records), "errors": errors,
        "outcomes": dict(Counter(r[4] for r in records if r[3] == 200)), "reconnects": sum(p[4] for p in parts),
        "client_cpu_cores": round(sum(p[3] for p in parts) / wall, 2),
        "machine_cpu_cores": None if busy is None else round(busy / wall, 2),
    }


# --- the servers

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ready(port: int, health: str | None) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
        if health is None:
            return True
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", health)
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


@contextmanager
def gunicorn(factory: str, env: dict, log_path: Path, health: str | None):
    """Runs `factory` under gunicorn on a free 127.0.0.1 port until the block ends, whatever happens in it."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "2", "--threads", "8",
           "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), factory]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(port, health):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{factory} did not start (exit code {proc.poll()}):\n{tail}")
            time.sleep(0.1)
        yield port
    finally:
        proc.send_signal(signal.SIGINT)  # gunicorn: quick shutdown of the master and its workers
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the session started above: only this server's processes
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)


def check_rosters(port: int, token: str, meetings: int, joins: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/meetings", headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    listed = json.loads(response.read()).get("meetings", []) if response.status == 200 else []
    conn.close()
    short = sum(m["counts"].get("pupil") != joins for m in listed)
    return {"ok": response.status == 200 and len(listed) == meetings and not short,
            "meetings_listed": len(listed), "meetings_expected": meetings, "meetings_not_full": short}


def local_redis(url: str) -> redis.Redis:
    parsed = urlparse(url)
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1") or not parsed.path.strip("/").isdigit():
        sys.exit(f"--redis-url must name a local Redis and a DB number (that DB is flushed): {url}")
    return redis.Redis.from_url(url)


def _on_alarm(*_):
    raise TimeoutError("the benchmark ran past --max-seconds")


def report(results: dict, args) -> None:
    print(f"\n{'':6}{'throughput (closed loop)':>33} | {f'fixed rate {args.rate:g}/s':>38}")
    print(f"{'server':6}{'events/s':>11}{'p50 ms':>10}{'p99 ms':>10}{'cpu*':>8} | {'achieved':>9}"
          f"{'p50 ms':>10}{'p99 ms':>10}{'(send p99)':>11}")
    for name, r in results["servers"].items():
        t, f = r["throughput"], r["fixed_rate"]
        print(f"{name:6}{t['events_per_s']:>11.0f}{t['p50_ms']:>10.2f}{t['p99_ms']:>10.2f}"
              f"{t['client_cpu_cores']:>4.1f}/{t['machine_cpu_cores'] or 0:<3.1f} | {f['events_per_s']:>9.0f}"
              f"{f['p50_sched_ms']:>10.2f}{f['p99_sched_ms']:>10.2f}{f['p99_ms']:>11.2f}")
    print("* client / whole-machine CPU cores busy during the throughput phase (fixed-rate latency is from the schedule)")
    ratios, real = results["ratios"], results["servers"]["real"]
    print(f"real/bare: events/s {ratios['events_per_s']:.2f}, p99 {ratios['p99']:.2f}, "
          f"p99 at {args.rate:g}/s {ratios['p99_fixed_rate']:.2f}")
    check = real["roster_check"]
    print(f"roster check: {'OK' if check['ok'] else 'MISMATCH'} ({check['meetings_listed']}/{check['meetings_expected']}"
          f" meetings listed, {check['meetings_not_full']} without {args.joins} pupils)")
    for target, ok in results["targets"].items():
        print(f"{'PASS' if ok else 'FAIL'}  {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=40, help="meetings in the throughput burst")
    parser.add_argument("--joins", type=int, default=30, help="pupils joining each meeting")
    parser.add_argument("--rate", type=float, default=500, help="events/s of the fixed-rate phase")
    parser.add_argument("--duration", type=float, default=10, help="seconds of the fixed-rate phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument("--procs", type=int, default=2, help="client processes the connections are spread over")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="local Redis DB, flushed first")
    parser.add_argument("--max-seconds", type=int, default=600, help="hard limit on the whole run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    store = local_redis(args.redis_url)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(args.max_seconds)

    secret, token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    fixed_count = int(args.rate * args.duration)
    sets = {"warm-up": burst(secret, 2, args.joins), "throughput": burst(secret, args.meetings, args.joins),
            "fixed_rate": burst(secret, math.ceil(fixed_count / (args.joins + 1)), args.joins)[:fixed_count]}
    results = {"servers": {}}
    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp:
        env = dict(os.environ, REDIS_URL=args.redis_url, ZOOM_WEBHOOK_SECRET_TOKEN=secret, MONITOR_API_TOKEN=token,
                   MONITOR_CONFIG=str(ROOT / "config" / "monitor.example.toml"), MONITOR_DATA_DIR=tmp)
        for name, factory, health in SERVERS:
            print(f"{name}: {factory}", file=sys.stderr)
            store.flushdb()
            with gunicorn(factory, env, Path(tmp) / f"{name}.log", health) as port:
                run_phase(port, sets["warm-up"], args.clients, args.procs)
                store.flushdb()  # the warm-up's meetings must not count in the roster check
                r = results["servers"][name] = {}
                r["throughput"] = run_phase(port, sets["throughput"], args.clients, args.procs)
                if name == "real":
                    r["roster_check"] = check_rosters(port, token, args.meetings, args.joins)
                print(f"  throughput done, fixed rate for {args.duration:g} s", file=sys.stderr)
                r["fixed_rate"] = run_phase(port, sets["fixed_rate"], args.clients, args.procs, rate=args.rate)
        store.flushdb()
    signal.alarm(0)

    real, bare = results["servers"]["real"], results["servers"]["bare"]
    results["ratios"] = {
        "events_per_s": round(real["throughput"]["events_per_s"] / bare["throughput"]["events_per_s"], 3),
        "p99": round(real["throughput"]["p99_ms"] / bare["throughput"]["p99_ms"], 3),
        "p99_fixed_rate": round(real["fixed_rate"]["p99_sched_ms"] / bare["fixed_rate"]["p99_sched_ms"], 3)}
    results["targets"] = {
        f"events/s ratio real/bare {results['ratios']['events_per_s']:.2f} >= 0.7": results["ratios"]["events_per_s"] >= 0.7,
        f"real p99 at {args.rate:g}/s {real['fixed_rate']['p99_sched_ms']:.1f} ms < 25 ms":
            real["fixed_rate"]["p99_sched_ms"] < 25}
    failures = [f"{name} {phase}: {r[phase]['non_200']} non-200, errors {r[phase]['errors'][:3]}"
                for name, r in results["servers"].items() for phase in ("throughput", "fixed_rate")
                if r[phase]["non_200"] or r[phase]["errors"]]
    if not real["roster_check"]["ok"]:
        failures.append(f"roster check failed: {real['roster_check']}")
    results["failures"] = failures
    print(json.dumps(results, indent=2)) if args.json else report(results, args)
    for failure in failures:
        print(f"ERROR: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
