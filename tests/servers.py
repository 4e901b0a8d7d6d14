"""Starts the monitor as a user would (``monitor serve``, or gunicorn as in the Procfile) for end-to-end tests, with
the environment it needs, and posts signed deliveries to it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from . import zoom
from .school import write_config

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_HOOKS = "python:monitor.gunicorn_hooks"  # as in the Procfile: one directory of metrics
API_TOKEN = "e2e-token"  # what env_for gives the servers the tests start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], port: int, env: dict[str, str], cwd: Path = ROOT):
    """Runs a server until the block ends; fails with its output if it does not answer /healthz."""
    log = (cwd / f".server-{port}.log") if cwd != ROOT else Path(os.environ.get("TEST_SERVER_LOG", os.devnull))
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise AssertionError(f"{command[0]} exited with {process.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{command[0]} did not answer on {base} within 20 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gunicorn(port: int, workers: int = 2) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--config", GUNICORN_HOOKS, "--worker-class", "gthread",
            "--workers", str(workers), "--threads", "8", "--no-control-socket", "--bind", f"127.0.0.1:{port}",
            "monitor.app:create_app()"]


def monitor(*args: str) -> list[str]:
    return [sys.executable, "-m", "monitor.cli", *args]


def release(env: dict[str, str]) -> None:
    """The Procfile's release step, `monitor db upgrade`: run before the processes start, as a deployment does."""
    done = subprocess.run(monitor("db", "upgrade"), cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def env_for(tmp_path, **extra):
    inherited = {name: os.environ[name] for name in ("PATH", "PYTHONPATH") if name in os.environ}
    return {**inherited, "MONITOR_CONFIG": str(write_config(tmp_path)), "MONITOR_DATA_DIR": str(tmp_path / "data"),
            "ZOOM_WEBHOOK_SECRET_TOKEN": zoom.SECRET, "MONITOR_API_TOKEN": API_TOKEN,
            "MONITOR_SECRET_KEY": "e2e-session-key", **extra}


def post(base: str, event: dict, client: httpx.Client | None = None) -> httpx.Response:
    data = zoom.raw(event)
    headers = zoom.signed_headers(data, int(time.time()))
    return (client or httpx).post(f"{base}/zoom/webhook", content=data, headers=headers, timeout=5)
