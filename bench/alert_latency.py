"""Alert latency: from a Zoom delivery that breaks the protocol to the alert arriving at the school's channel.

Run from the repository root, with Redis on 127.0.0.1 (the DB named in --redis-url is FLUSHED):

    python bench/alert_latency.py [--lessons 50] [--workers 1] [--group-wait 0] [--clients 4]
                                  [--redis-url redis://127.0.0.1:6379/14] [--timeout 60] [--max-seconds 300] [--json]

For the run only, on 127.0.0.1 only, it starts a receiver standing in for the school's signed JSON webhook, the
monitor under the Procfile's gunicorn and --workers `monitor worker` processes (RQ with its scheduler), on a temporary
config (one webhook channel, every day all day, group_wait_seconds = --group-wait) and a temporary SQLite database.
Every lesson starts with two pupils; then every lesson's outsider (no e-mail) joins, posted as fast as --clients
threads can. `external_participant` opens an incident at once in each lesson: one rule broken in many lessons at
once, a storm. An alert names its lesson by its "Meeting ID" fact, or lists several in its "lessons". Latency of a
lesson = the arrival of the first alert naming it - the send of its outsider's join: p50, p99 and max, as measured and
net of the group wait; "messages" counts the alerts the channel received (with a group wait, one for the storm).
Exits non-zero on a non-200 from the webhook, a missing alert or a server that does not start.
"""
from __future__ import annotations

import argparse
import base64
import hmac
import http.client
import json
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import harness
from rq import Worker

from monitor.alerting.channels.webhook import webhook_signature  # this checkout's, which harness puts first on the path
from monitor.signature import sign

HOST_ID = "8lzIwvZTSOqjndWPbPqzuA"  # Alex Teacher in config/staff.example.csv


class Receiver(BaseHTTPRequestHandler):
    """The school's own system: its server keeps (arrival time.time(), JSON body) of each correctly signed POST."""

    def do_POST(self):
        arrived = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        expected = webhook_signature(self.server.secret, int(self.headers.get("X-Monitor-Timestamp", 0)), body)
        if hmac.compare_digest(expected, self.headers.get("X-Monitor-Signature", "")):
            self.server.alerts.append((arrived, json.loads(body)))
        else:
            self.server.bad_signatures += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format, *args):
        pass


def lessons(secret: str, count: int) -> tuple[list, list]:
    """Signed deliveries, per lesson: (name, [meeting.started, 2 pupils' joins]) and (meeting id, [outsider's join])."""
    def signed(kind: str, obj: dict) -> tuple[bytes, dict]:
        now, payload = time.time(), {"account_id": "acc", "object": obj}
        body = json.dumps({"event": kind, "event_ts": int(now * 1000), "payload": payload}, separators=(",", ":"))
        return body.encode(), {"Content-Type": "application/json", "x-zm-request-timestamp": str(int(now)),
                               "x-zm-signature": sign(secret, str(int(now)), body.encode())}

    def joined(meeting: dict, user: int, email: str) -> tuple[bytes, dict]:
        return signed("meeting.participant_joined", dict(meeting, participant={
            "user_id": str(16778240 + user), "user_name": email or "Visitor", "id": "", "participant_user_id": "",
            "participant_uuid": str(uuid.uuid4()).upper(), "join_time": harness.iso(time.time()), "email": email}))

    setups, outsiders = [], []
    for n in range(count):
        meeting = {"id": str(86000000000 + n), "uuid": base64.b64encode(os.urandom(16)).decode(), "host_id": HOST_ID,
                   "topic": f"Year {7 + n % 5} lesson {n}", "type": 2, "start_time": harness.iso(time.time()),
                   "duration": 60}
        pupils = [joined(meeting, 3 * n + p, f"pupil{2 * n + p}@gatehouse.sch.uk") for p in (1, 2)]
        setups.append((f"lesson {n}", [signed("meeting.started", meeting), *pupils]))
        outsiders.append((meeting["id"], [joined(meeting, 3 * n, "")]))
    return setups, outsiders


def named_lessons(alert: dict) -> list[str]:
    """The meeting ids an alert tells of: its one lesson's, or each of the lessons it lists."""
    listed = [line["meeting_id"] for line in alert.get("lessons", [])]
    return listed or [alert.get("facts", {}).get("Meeting ID")]


def post_all(port: int, items: list, clients: int) -> tuple[dict, list[str]]:
    """Each item (key, [deliveries]) is posted in order by the next free client: {key: send time of its last one}."""
    sent, errors, lock, pending = {}, [], threading.Lock(), iter(items)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return conn.close()
            key, deliveries = item
            for body, headers in deliveries:
                at = time.time()
                try:
                    conn.request("POST", "/zoom/webhook", body, headers)
                    response = conn.getresponse()
                    status, answer = response.status, response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()  # reconnects on the next request
                    status, answer = None, repr(exc).encode()
                with lock:
                    sent[key] = at
                    if status != 200:
                        errors.append(f"POST for {key}: HTTP {status} {answer[:200]!r}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, errors


def write_config(directory: Path, group_wait: int) -> Path:
    example = tomllib.loads((harness.ROOT / "config" / "monitor.example.toml").read_text())
    example["directory"]["staff_csv"] = str(harness.ROOT / "config" / "staff.example.csv")
    tables = {"school": example["school"], "directory": example["directory"],
              "alerts": {"group_wait_seconds": group_wait, "repeat_minutes": 0, "escalate_after_minutes": 0,
                         "working_days": [1, 2, 3, 4, 5, 6, 7], "working_hours": ["00:00", "23:59"]},
              "alerts.channels.feed": {"type": "webhook", "url_env": "ALERTS_WEBHOOK_URL",
                                       "secret_env": "ALERTS_WEBHOOK_SECRET"}}
    text = "".join(f"[{name}]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items()) + "\n"
                   for name, table in tables.items())
    (path := directory / "monitor.toml").write_text(text + '[[alerts.routes]]\nchannels = ["feed"]\n')
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", type=int, default=50, help="lessons in the burst, each opening one incident")
    parser.add_argument("--workers", type=int, default=1, help="`monitor worker` processes")
    parser.add_argument("--group-wait", type=int, default=0, help="[alerts] group_wait_seconds")
    parser.add_argument("--clients", type=int, default=4, help="threads posting the deliveries")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="local Redis DB, flushed first")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for the alerts beyond the wait")
    parser.add_argument("--max-seconds", type=int, default=300, help="hard limit on the whole run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if min(args.lessons, args.workers, args.clients, args.timeout, args.max_seconds) <= 0 or args.group_wait < 0:
        parser.error("--lessons, --workers, --clients, --timeout and --max-seconds must be positive, --group-wait >= 0")
    try:
        store = harness.local_redis(args.redis_url)
    except ValueError as exc:
        parser.error(str(exc))
    harness.limit_run(args.max_seconds)

    zoom_secret, alert_secret = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="alert-latency-") as tmp, ExitStack() as stack:
        store.flushdb()
        stack.callback(store.flushdb)
        receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        receiver.daemon_threads, receiver.secret, receiver.alerts, receiver.bad_signatures = True, alert_secret, [], 0
        threading.Thread(target=receiver.serve_forever, daemon=True).start()
        stack.callback(receiver.server_close)
        stack.callback(receiver.shutdown)
        port = harness.free_port()
        env = dict(os.environ, MONITOR_CONFIG=str(write_config(Path(tmp), args.group_wait)), REDIS_URL=args.redis_url,
                   DATABASE_URL=f"sqlite:///{tmp}/monitor.sqlite3", ZOOM_WEBHOOK_SECRET_TOKEN=zoom_secret,
                   MONITOR_API_TOKEN=secrets.token_urlsafe(24), MONITOR_SECRET_KEY=secrets.token_urlsafe(32),
                   ALERTS_WEBHOOK_SECRET=alert_secret,
                   ALERTS_WEBHOOK_URL=f"http://127.0.0.1:{receiver.server_address[1]}/alerts",
                   no_proxy="127.0.0.1", NO_PROXY="127.0.0.1")  # the alerts stay on this machine
        harness.release(env)
        web = harness.gunicorn_command(port, "monitor.app:create_app()")
        stack.enter_context(harness.running(web, env, Path(tmp) / "web.log", lambda: harness.answers(port, "/healthz")))
        for n in range(args.workers):
            stack.enter_context(harness.running([sys.executable, "-m", "monitor.cli", "worker"], env,
                                                Path(tmp) / f"worker-{n}.log",
                                                lambda: Worker.count(connection=store) > n))
        time.sleep(1)  # the workers' schedulers take their locks
        print(f"{args.lessons} lessons, {args.workers} worker(s), group wait {args.group_wait} s", file=sys.stderr)

        setups, outsiders = lessons(zoom_secret, args.lessons)
        _, errors = post_all(port, setups, args.clients)  # every lesson has its two pupils
        sent, outsider_errors = post_all(port, outsiders, args.clients)  # then the burst of outsiders
        errors += outsider_errors
        deadline, arrived = time.monotonic() + args.group_wait + args.timeout, {}
        while len(arrived) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.05)
            for at, alert in list(receiver.alerts):
                for mid in named_lessons(alert):
                    if mid in sent and (mid not in arrived or at < arrived[mid]):
                        arrived[mid] = at
        latencies = [arrived[mid] - at for mid, at in sent.items() if mid in arrived]
    signal.alarm(0)

    wait, missing = args.group_wait, args.lessons - len(latencies)
    figures = {"lessons": args.lessons, "workers": args.workers, "alerted": len(latencies), "missing": missing,
               "messages": len(receiver.alerts), "group_wait_s": wait}
    stats = {name: harness.percentile(latencies, q) for name, q in (("p50", 0.5), ("p99", 0.99), ("max", 1))
             if latencies}
    for prefix, minus in (("", 0), ("net_", wait)):
        figures |= {f"{prefix}{name}_ms": round((value - minus) * 1000, 1) for name, value in stats.items()}
    errors += [f"{missing} alert(s) missing"] * bool(missing)
    errors += [f"{receiver.bad_signatures} alert(s) with a bad signature"] * bool(receiver.bad_signatures)
    figures["errors"] = errors
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"lessons alerted {len(latencies)}/{args.lessons} (missing {missing}) in {len(receiver.alerts)} "
              f"message(s), {args.workers} worker(s), group wait {wait} s")
        for label, prefix in (("event in -> alert received", ""), ("net of the group wait", "net_")) if stats else ():
            print(f"{label + ':':27} " + ", ".join(f"{name} {figures[prefix + name + '_ms']:.1f} ms" for name in stats))
    for error in errors[:20]:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    harness.exit_with(main)
