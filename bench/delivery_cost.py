"""Where a delivery's CPU goes: the real app and the bare one called in one process, without HTTP server or client.

Run from the repository root, with Redis on 127.0.0.1 (the DB named in --redis-url is FLUSHED):

    python bench/delivery_cost.py [--meetings 100] [--joins 30] [--redis-url redis://127.0.0.1:6379/14]

webhook_bench.py measures both apps under gunicorn, where gunicorn's own work and the load generator's weigh on
both alike; this takes them away. It sends the same signed lesson-change bursts straight to each app's WSGI callable,
and prints per delivery: the process's CPU and the Redis server's (Redis INFO), the real app's CPU by stage, and what
one Redis round trip costs on this machine (a PING on a plain socket: the least any command costs). Seconds on a
shared machine are noisy: compare the figures of one run with each other.
"""
from __future__ import annotations

import argparse
import importlib
import io
import os
import secrets
import socket
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from urllib.parse import urlparse

from harness import ROOT, local_redis, release
from webhook_bench import burst

STAGES = (  # (module, owner in it or None, function, label): what a delivery does, in order
    ("monitor.webhook", None, "_authentic", "signature and timestamp"),
    ("monitor.webhook", None, "read_event", "event model (pydantic)"),
    ("monitor.pipeline", None, "change_for", "roster operations"),
    ("monitor.roster.store", "RosterStore", "apply", "roster script round trip"),
    ("monitor.pipeline", None, "snapshot_roster", "roster from the snapshot"),
    ("monitor.checks.runner", "Checks", "after_delivery", "rules and conditions"),
)


def redis_cpu(store) -> float:
    info = store.info("cpu")
    return info["used_cpu_sys"] + info["used_cpu_user"]


def deliver(app, deliveries) -> None:
    for body, headers in deliveries:
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/zoom/webhook", "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body)),
                   "CONTENT_TYPE": headers["Content-Type"],
                   "HTTP_X_ZM_REQUEST_TIMESTAMP": headers["x-zm-request-timestamp"],
                   "HTTP_X_ZM_SIGNATURE": headers["x-zm-signature"]}
        statuses = []
        b"".join(app(environ, lambda status, _headers, _exc=None: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise RuntimeError(f"{statuses[0]} for a signed delivery")


def cost(app, store, deliveries) -> tuple[float, float]:
    """(process CPU, Redis CPU) per delivery, in µs."""
    redis_before, before = redis_cpu(store), time.process_time()
    deliver(app, deliveries)
    process, server = time.process_time() - before, redis_cpu(store) - redis_before
    return process / len(deliveries) * 1e6, server / len(deliveries) * 1e6


@contextmanager
def timed_stages(spent: Counter):
    """Adds each stage's process CPU to ``spent`` while the block runs."""
    patched = []
    for module_name, owner_name, name, label in STAGES:
        owner = importlib.import_module(module_name)
        owner = getattr(owner, owner_name) if owner_name else owner
        original = getattr(owner, name)

        def timed(*args, _original=original, _label=label, **kwargs):
            start = time.process_time_ns()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.process_time_ns() - start

        setattr(owner, name, timed)
        patched.append((owner, name, original))
    try:
        yield
    finally:
        for owner, name, original in patched:
            setattr(owner, name, original)


def round_trip(url: str, store, count: int = 5000) -> tuple[float, float]:
    """(client CPU, Redis CPU) of one PING on a plain socket, in µs."""
    parsed = urlparse(url)
    with socket.create_connection((parsed.hostname, parsed.port or 6379)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        redis_before, before = redis_cpu(store), time.process_time()
        for _ in range(count):
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            reply = b""
            while not reply.endswith(b"\r\n"):
                reply += sock.recv(64)
        client, server = time.process_time() - before, redis_cpu(store) - redis_before
    return client / count * 1e6, server / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=100)
    parser.add_argument("--joins", type=int, default=30)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    try:
        store = local_redis(args.redis_url)
    except ValueError as exc:
        sys.exit(str(exc))
    secret = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="delivery-cost-") as tmp:
        os.environ.update(REDIS_URL=args.redis_url, ZOOM_WEBHOOK_SECRET_TOKEN=secret,
                          MONITOR_API_TOKEN=secrets.token_urlsafe(24), MONITOR_SECRET_KEY=secrets.token_urlsafe(32),
                          MONITOR_CONFIG=str(ROOT / "config" / "monitor.example.toml"), MONITOR_DATA_DIR=tmp)
        from bench.bare_app import create_app as bare_app
        from monitor.app import create_app as real_app

        release(dict(os.environ))
        store.flushdb()
        apps = {"bare": bare_app(), "real": real_app()}
        for app in apps.values():
            deliver(app, burst(secret, 10, args.joins))  # warm-up
        store.flushdb()
        costs, spent = {}, Counter()
        for name, app in apps.items():
            deliveries = burst(secret, args.meetings, args.joins)
            if name == "real":
                with timed_stages(spent):
                    costs["real, by stage"] = cost(app, store, deliveries)
                deliveries = burst(secret, args.meetings, args.joins)
            costs[name] = cost(app, store, deliveries)
        client, server = round_trip(args.redis_url, store)
        store.flushdb()

    count = args.meetings * (args.joins + 1)
    print(f"CPU per delivery in µs, {count} deliveries (each meeting: meeting.started, {args.joins} joins), "
          "no HTTP server, no client")
    print(f"{'':28}{'process':>10}{'Redis':>10}")
    for name in ("bare", "real"):
        print(f"{name:28}{costs[name][0]:10.0f}{costs[name][1]:10.0f}")
    print(f"{'real - bare':28}{costs['real'][0] - costs['bare'][0]:10.0f}{costs['real'][1] - costs['bare'][1]:10.0f}")
    print(f"real, by stage (a run of its own, timed: {costs['real, by stage'][0]:.0f} in all):")
    for *_, label in STAGES:
        print(f"  {label:26}{spent[label] / count / 1000:10.0f}")
    print(f"{'one Redis round trip (PING)':28}{client:10.0f}{server:10.0f}")


if __name__ == "__main__":
    main()
