"""What both benchmarks need: this checkout's code, the Procfile's gunicorn, servers started on a free port and
stopped with everything they started, a hard limit on the run, a local Redis database to empty, percentiles."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Callable, NoReturn
from urllib.parse import urlparse

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's `monitor`, as the servers started below see it

GUNICORN_ARGS = ["--worker-class", "gthread", "--workers", "2", "--threads", "8"]  # as in the Procfile
GUNICORN_HOOKS = "python:monitor.gunicorn_hooks"  # as in the Procfile (both apps: the bare one counts nothing)
START_TIMEOUT = 30.0


def iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, round(q * (len(values) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(port: int, factory: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--config", GUNICORN_HOOKS, *GUNICORN_ARGS, "--no-control-socket",
            "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), factory]


def release(env: dict) -> None:
    """The Procfile's release step: the database migrated before the servers start."""
    done = subprocess.run([sys.executable, "-m", "monitor.cli", "db", "upgrade"], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"monitor db upgrade failed:\n{done.stderr}")


def answers(port: int, health: str | None) -> bool:
    """Whether the server is up: `health` answers 200 or, without one, the port accepts a connection."""
    with suppress(OSError, http.client.HTTPException):
        if health is None:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", health)
        status = conn.getresponse().status
        conn.close()
        return status == 200
    return False


@contextmanager
def running(cmd: list[str], env: dict, log_path: Path, ready):
    """Runs `cmd` in a session of its own; the block starts once ready(), and at its end whatever is left is killed.
    Yields the process."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{cmd[-1]} did not start (exit code {proc.poll()}):\n{tail}")
            time.sleep(0.1)
        yield proc
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # --max-seconds fires after, not during, this
        proc.send_signal(signal.SIGINT)  # gunicorn: quick shutdown; RQ: warm shutdown (finishes the job in hand)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # only this session: the process, its workers and work horses
        proc.wait(timeout=5)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})


def local_redis(url: str) -> redis.Redis:
    """The Redis database the run empties; ValueError unless it is a numbered database on this machine."""
    parsed = urlparse(url)
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1") or not parsed.path.strip("/").isdigit():
        raise ValueError(f"--redis-url must name a local Redis and a DB number (that DB is flushed): {url}")
    return redis.Redis.from_url(url, socket_timeout=10)


def _on_alarm(*_):
    raise TimeoutError("the benchmark ran past --max-seconds")


def limit_run(max_seconds: int) -> None:
    """The run stops with TimeoutError after max_seconds (signal.alarm(0) at its end lifts the limit)."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(max_seconds)


def exit_with(main: Callable[[], int]) -> NoReturn:
    """Runs a bench's main: its exit code, or the error that kept it from running its servers."""
    try:
        sys.exit(main())
    except (RuntimeError, TimeoutError, OSError, redis.RedisError) as exc:
        sys.exit(f"ERROR: {exc}")
