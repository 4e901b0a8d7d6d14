"""Load benchmark for POST /zoom/webhook: the real app against a bare app that only checks the signature.

Run from the repository root, with Redis on 127.0.0.1 (the DB named in --redis-url is FLUSHED):

    python bench/webhook_bench.py [--meetings 40] [--joins 30] [--rate 500] [--duration 10]
                                  [--clients 8] [--rounds 5] [--redis-url redis://127.0.0.1:6379/14] [--json]

It signs in advance "lesson-change bursts" (per meeting: meeting.started, the teacher's join, then --joins pupils'
participant_joined) and
starts, side by side under the same gunicorn command (gthread, 2 workers x 8 threads, 127.0.0.1), the real app
`monitor.app:create_app()` and the bare `bench.bare_app:create_app()`. After a warm-up it measures:

* throughput: in each of --rounds rounds, on the real app then the bare one (the other way round every second
  round), --clients keep-alive connections in a closed loop send a fresh burst once: events/s, p50/p99 ack. The
  ratio is the median of the rounds' ratios, each taken of two runs seconds apart, so that what else the shared
  machine is doing weighs on both alike;
* fixed rate: an open loop at --rate events/s for --duration s on fresh meetings, latency from the scheduled send
  time (no coordinated omission) and from the actual send.

Then GET /api/meetings must list every meeting of the rounds with --joins pupils. It prints a table (or --json), the
real/bare ratios and PASS/FAIL for the targets (events/s ratio >= 0.7; real p99 at the fixed rate < 25 ms). It exits
non-zero on errors only (non-200, roster mismatch, server not starting, timeout), not on a missed target.

The client (threads in one process: a second process changed nothing) shares the machine with gunicorn and Redis:
read the throughput with the CPU figures (gunicorn and Redis CPU-ms per event, client cores, other cores = anything
else running; gunicorn's from Linux /proc, which also serves to spread the connections evenly over the workers).
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import math
import os
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import redis
from harness import (
    GUNICORN_ARGS,
    ROOT,
    answers,
    exit_with,
    free_port,
    gunicorn_command,
    iso,
    limit_run,
    local_redis,
    percentile,
    release,
    running,
)

from monitor.signature import sign  # this checkout's, which harness puts first on the path

SERVERS = (("real", "monitor.app:create_app()", "/healthz"), ("bare", "bench.bare_app:create_app()", None))
HOST_ID = "8lzIwvZTSOqjndWPbPqzuA"  # Alex Teacher in config/staff.example.csv
REQUEST_TIMEOUT = 10.0


def burst(secret: str, meetings: int, joins: int) -> list[tuple[bytes, dict]]:
    """Signed deliveries (body, headers): per meeting, meeting.started, the teacher's participant_joined, then
    `joins` pupils'. A lesson that keeps the protocol but for its recording (the rules see pupils with staff)."""
    now = time.time()
    stamp, first_ts, start = str(int(now)), int(now * 1000), now - 60
    deliveries = []
    for m in range(meetings):
        meeting = {"id": str(85393847045 + m), "uuid": base64.b64encode(os.urandom(16)).decode(), "host_id": HOST_ID,
                   "topic": f"Year {7 + m % 5} lesson {m}", "type": 2, "start_time": iso(start), "duration": 60}
        objects = [("meeting.started", meeting), ("meeting.participant_joined", dict(meeting, participant={
            "user_id": "16778000", "user_name": "Alex Teacher", "id": HOST_ID, "participant_uuid": str(uuid.uuid4()),
            "join_time": iso(start + 1), "email": "a.teacher@gatehouse.sch.uk", "participant_user_id": HOST_ID}))]
        for j in range(joins):
            pupil = m * joins + j
            objects.append(("meeting.participant_joined", dict(meeting, participant={
                "user_id": str(16778240 + j), "user_name": f"Pupil {pupil}", "id": "",
                "participant_uuid": str(uuid.uuid4()).upper(), "join_time": iso(start + 5 + j),
                "email": f"pupil{pupil}@gatehouse.sch.uk", "participant_user_id": ""})))
        for kind, obj in objects:
            payload = {"account_id": "acc", "object": obj}
            body = json.dumps({"event": kind, "event_ts": first_ts + len(deliveries), "payload": payload},
                              separators=(",", ":")).encode()
            deliveries.append((body, {"Content-Type": "application/json", "x-zm-request-timestamp": stamp,
                                      "x-zm-signature": sign(secret, stamp, body)}))
    return deliveries


# --- where the load lands (Linux /proc: elsewhere these know nothing, and the kernel spreads the connections)

def gunicorn_workers(master: int) -> list[int]:
    with suppress(OSError):
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    return []


def gunicorn_cpu_seconds(master: int) -> float | None:
    with suppress(OSError):
        stats = [Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split() for pid in gunicorn_workers(master)]
        return sum(int(fields[11]) + int(fields[12]) for fields in stats) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return None


def machine_cpu_seconds() -> float | None:
    """Busy CPU-seconds of the whole machine (sampled at clock ticks: right under load, low on timer-paced work)."""
    with suppress(OSError):
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    return None


def server_end(sock: socket.socket, workers: list[int]) -> int | None:
    """The gunicorn worker holding the server end of a client connection, None when unknown."""
    server, client = f":{sock.getpeername()[1]:04X}", f":{sock.getsockname()[1]:04X}"
    with suppress(OSError, StopIteration):
        rows = [row.split() for row in Path("/proc/net/tcp").read_text().splitlines()[1:]]
        target = next(f"socket:[{r[9]}]" for r in rows if r[1].endswith(server) and r[2].endswith(client))
        for pid in workers:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        return pid
    return None


def open_connections(port: int, count: int, master: int) -> tuple[list[http.client.HTTPConnection], list[int]]:
    """`count` keep-alive connections spread evenly over the gunicorn workers, and how many each worker holds.

    Left to the kernel, one worker often accepts every connection of a burst and the other idles for the whole
    phase: a closed loop then runs at one worker's speed, about half of what it does otherwise.
    """
    workers = gunicorn_workers(master)
    quota, held, conns = math.ceil(count / max(1, len(workers))), Counter(), []
    deadline = time.monotonic() + 5
    while len(conns) < count:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        conn.request("GET", "/healthz")  # answered (200 or 404) once a worker has accepted the connection
        conn.getresponse().read()
        owner = server_end(conn.sock, workers)
        if owner is not None and held[owner] >= quota and time.monotonic() < deadline:
            conn.close()
            continue
        held[owner] += 1
        conns.append(conn)
    return conns, sorted(held.values(), reverse=True)


# --- the client: one thread per keep-alive connection, each taking the next delivery

def _post(conn: http.client.HTTPConnection, body: bytes, headers: dict) -> tuple[int, bytes, int]:
    """(status, body, reconnects): connects again once if the server closed the keep-alive connection (idle > 2 s)."""
    for reconnects in (0, 1):
        try:
            conn.request("POST", "/zoom/webhook", body, headers)
            response = conn.getresponse()
            return response.status, response.read(), reconnects
        except (ConnectionError, http.client.HTTPException):
            conn.close()
            if reconnects:
                raise


def ms(seconds: list[float], q: float) -> float:
    return round(percentile(seconds, q) * 1000, 2)


def run_phase(server: tuple[int, int], store: redis.Redis, deliveries, clients: int, rate: float | None = None) -> dict:
    """Sends every delivery once; with a rate, delivery i is due at start + i / rate (open loop)."""
    port, master = server
    conns, spread = open_connections(port, clients, master)
    records, errors, lock, indices = [], [], threading.Lock(), iter(range(len(deliveries)))

    def client(conn):
        while True:
            with lock:
                i = next(indices, None)
            if i is None:
                return
            due = start + i / rate if rate else time.monotonic()
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            sent = time.monotonic()
            try:
                status, body, reconnects = _post(conn, *deliveries[i])
            except Exception as exc:  # noqa: BLE001 - reported, and the run fails
                errors.append(f"delivery {i}: {exc!r}")
                return
            outcome = json.loads(body).get("status") if status == 200 else None
            records.append((due, sent, time.monotonic(), status, outcome, reconnects))

    def cpu():
        info = store.info("cpu")
        return (time.process_time(), gunicorn_cpu_seconds(master), info["used_cpu_user"] + info["used_cpu_sys"],
                machine_cpu_seconds())

    threads = [threading.Thread(target=client, args=(conn,), daemon=True) for conn in conns]
    cpu_before, start = cpu(), time.monotonic()
    for thread in threads:
        thread.start()
    deadline = start + 60 + (len(deliveries) / rate if rate else len(deliveries) * 0.05)
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            raise TimeoutError(f"{len(deliveries) - len(records)} deliveries unanswered at the phase's deadline")
    client_cpu, gunicorn_cpu, redis_cpu, machine_cpu = (None if a is None or b is None else b - a
                                                        for a, b in zip(cpu_before, cpu()))
    for conn in conns:
        conn.close()
    if not records:
        raise RuntimeError(f"no answer at all: {errors[:3]}")
    n, wall = len(records), max(r[2] for r in records) - start
    from_send, from_schedule = [r[2] - r[1] for r in records], [r[2] - r[0] for r in records]
    return {
        "events": n, "wall_s": round(wall, 3), "events_per_s": round(n / wall, 1),
        "p50_ms": ms(from_send, 0.50), "p99_ms": ms(from_send, 0.99),
        "p50_sched_ms": ms(from_schedule, 0.50), "p99_sched_ms": ms(from_schedule, 0.99),
        "non_200": sum(r[3] != 200 for r in records), "errors": errors, "reconnects": sum(r[5] for r in records),
        "outcomes": dict(Counter(r[4] for r in records if r[3] == 200)), "connections_per_worker": spread,
        "client_cpu_cores": round(client_cpu / wall, 2), "redis_cpu_ms_per_event": round(redis_cpu / n * 1e3, 3),
        "gunicorn_cpu_ms_per_event": None if gunicorn_cpu is None else round(gunicorn_cpu / n * 1e3, 3),
        "other_cpu_cores": None if rate or machine_cpu is None or gunicorn_cpu is None else  # anything else running
        round((machine_cpu - client_cpu - gunicorn_cpu - redis_cpu) / wall, 2),
    }


# --- the servers

@contextmanager
def gunicorn(factory: str, env: dict, log_path: Path, health: str | None):
    """Runs `factory` under gunicorn on a free 127.0.0.1 port until the block ends, whatever happens in it."""
    port = free_port()
    with running(gunicorn_command(port, factory), env, log_path, lambda: answers(port, health)) as proc:
        yield port, proc.pid


def check_rosters(port: int, token: str, meetings: int, joins: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/meetings", headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    listed = json.loads(response.read()).get("meetings", []) if response.status == 200 else []
    conn.close()
    short = sum(m["counts"].get("pupil") != joins for m in listed)
    return {"ok": response.status == 200 and len(listed) == meetings and not short, "http_status": response.status,
            "meetings_listed": len(listed), "meetings_expected": meetings, "meetings_not_full": short}


ROUND_FIGURES = ("events_per_s", "p50_ms", "p99_ms", "gunicorn_cpu_ms_per_event", "redis_cpu_ms_per_event",
                 "client_cpu_cores", "other_cpu_cores")


def combine(rounds: list[dict]) -> dict:
    """One server's throughput over the rounds: the median of each figure, every error."""
    figures = {key: statistics.median(r[key] for r in rounds) for key in ROUND_FIGURES
               if None not in (r[key] for r in rounds)}
    return {**dict.fromkeys(ROUND_FIGURES), **figures, "events": sum(r["events"] for r in rounds),
            "non_200": sum(r["non_200"] for r in rounds), "errors": [e for r in rounds for e in r["errors"]],
            "rounds": rounds}


def summarise(results: dict, rate: float) -> list[str]:
    """Adds the ratios and targets to `results`; returns the errors."""
    real, bare = results["servers"]["real"], results["servers"]["bare"]
    cpu = [(s["throughput"]["gunicorn_cpu_ms_per_event"] or math.nan) + s["throughput"]["redis_cpu_ms_per_event"]
           for s in (real, bare)]
    per_round = [r["events_per_s"] / b["events_per_s"]
                 for r, b in zip(real["throughput"]["rounds"], bare["throughput"]["rounds"])]
    ratios = results["ratios"] = {
        "events_per_s": round(statistics.median(per_round), 3),
        "events_per_s_rounds": [round(x, 3) for x in per_round],
        "p99": round(real["throughput"]["p99_ms"] / bare["throughput"]["p99_ms"], 3),
        "p99_fixed_rate": round(real["fixed_rate"]["p99_sched_ms"] / bare["fixed_rate"]["p99_sched_ms"], 3),
        "server_cpu_per_event": None if math.isnan(cpu[0]) else round(cpu[0] / cpu[1], 3)}
    ratio, p99 = ratios["events_per_s"], real["fixed_rate"]["p99_sched_ms"]
    results["targets"] = {f"events/s ratio real/bare {ratio:.2f} >= 0.7": ratio >= 0.7,
                          f"real p99 at {rate:g}/s {p99:.1f} ms < 25 ms": p99 < 25}
    errors = [f"{name} {phase}: {s[phase]['non_200']} non-200, errors {s[phase]['errors'][:3]}"
              for name, s in results["servers"].items() for phase in ("throughput", "fixed_rate")
              if s[phase]["non_200"] or s[phase]["errors"]]
    return errors + ([] if real["roster_check"]["ok"] else [f"roster check failed: {real['roster_check']}"])


def report(results: dict, args) -> None:
    print(f"\n{'':6}{'throughput (closed loop)':>31} | {f'fixed rate {args.rate:g}/s':>38} | throughput CPU")
    print(f"{'server':6}{'events/s':>11}{'p50 ms':>10}{'p99 ms':>10} | {'achieved':>9}{'p50 ms':>10}{'p99 ms':>10}"
          f"{'send p99':>9} | ms/event gunicorn+redis, cores client/other")
    for name, s in results["servers"].items():
        t, f = s["throughput"], s["fixed_rate"]
        print(f"{name:6}{t['events_per_s']:>11.0f}{t['p50_ms']:>10.2f}{t['p99_ms']:>10.2f} | {f['events_per_s']:>9.0f}"
              f"{f['p50_sched_ms']:>10.2f}{f['p99_sched_ms']:>10.2f}{f['p99_ms']:>9.2f} | "
              f"{t['gunicorn_cpu_ms_per_event']:.3f}+{t['redis_cpu_ms_per_event']:.3f}, "
              f"{t['client_cpu_cores']}/{t['other_cpu_cores']}")
    r = results["ratios"]
    print(f"real/bare: events/s {r['events_per_s']:.2f} (median of the rounds' "
          f"{', '.join(f'{x:.2f}' for x in r['events_per_s_rounds'])}), p99 {r['p99']:.2f}, p99 at {args.rate:g}/s "
          f"{r['p99_fixed_rate']:.2f}, server CPU per event {r['server_cpu_per_event']}")
    check = results["servers"]["real"]["roster_check"]
    print(f"roster check: {'OK' if check['ok'] else 'MISMATCH'} (HTTP {check['http_status']}, "
          f"{check['meetings_listed']}/{check['meetings_expected']} meetings listed, "
          f"{check['meetings_not_full']} without {args.joins} pupils)")
    for target, ok in results["targets"].items():
        print(f"{'PASS' if ok else 'FAIL'}  {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=40, help="meetings in each throughput burst")
    parser.add_argument("--joins", type=int, default=30, help="pupils joining each meeting")
    parser.add_argument("--rounds", type=int, default=5, help="throughput runs on each app, in turn")
    parser.add_argument("--rate", type=float, default=500, help="events/s of the fixed-rate phase")
    parser.add_argument("--duration", type=float, default=10, help="seconds of the fixed-rate phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="local Redis DB, flushed first")
    parser.add_argument("--max-seconds", type=int, default=600, help="hard limit on the whole run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--gunicorn", default=" ".join(GUNICORN_ARGS),
                        help="gunicorn worker options, the same for both apps (default: the Procfile's)")
    args = parser.parse_args()
    if min(args.meetings, args.joins, args.rounds, args.clients, args.rate, args.duration) <= 0:
        parser.error("--meetings, --joins, --rounds, --clients, --rate and --duration must be positive")
    GUNICORN_ARGS[:] = args.gunicorn.split()
    try:
        store = local_redis(args.redis_url)
    except ValueError as exc:
        sys.exit(str(exc))
    limit_run(args.max_seconds)

    secret, token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    fixed = int(args.rate * args.duration)
    warm_up = burst(secret, 10, args.joins)
    bursts = [burst(secret, args.meetings, args.joins) for _ in range(args.rounds)]  # fresh meetings each round
    fixed_rate = burst(secret, math.ceil(fixed / (args.joins + 1)), args.joins)[:fixed]
    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp:
        env = dict(os.environ, REDIS_URL=args.redis_url, ZOOM_WEBHOOK_SECRET_TOKEN=secret, MONITOR_API_TOKEN=token,
                   MONITOR_SECRET_KEY=secrets.token_urlsafe(32),
                   MONITOR_CONFIG=str(ROOT / "config" / "monitor.example.toml"), MONITOR_DATA_DIR=tmp)
        store.flushdb()
        release(env)
        with ExitStack() as stack:
            servers = {name: stack.enter_context(gunicorn(factory, env, Path(tmp) / f"{name}.log", health))
                       for name, factory, health in SERVERS}
            for server in servers.values():
                run_phase(server, store, warm_up, args.clients)
            store.flushdb()  # the warm-up's meetings must not count in the roster check
            rounds = {name: [] for name in servers}
            for i, deliveries in enumerate(bursts):
                print(f"throughput round {i + 1} of {args.rounds}", file=sys.stderr)
                for name in (list(servers) if i % 2 == 0 else list(servers)[::-1]):
                    rounds[name].append(run_phase(servers[name], store, deliveries, args.clients))
            results = {"servers": {name: {"throughput": combine(rounds[name])} for name in servers}}
            results["servers"]["real"]["roster_check"] = check_rosters(servers["real"][0], token,
                                                                       args.meetings * args.rounds, args.joins)
            for name, server in servers.items():
                print(f"{name}: fixed rate for {args.duration:g} s", file=sys.stderr)
                results["servers"][name]["fixed_rate"] = run_phase(server, store, fixed_rate, args.clients,
                                                                   rate=args.rate)
        store.flushdb()
    signal.alarm(0)

    errors = results["errors"] = summarise(results, args.rate)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        report(results, args)
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    exit_with(main)
