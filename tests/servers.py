"""Starts the monitor as a user would (``monitor serve``, or gunicorn as in the Procfile) for end-to-end tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


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
    return [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", str(workers),
            "--threads", "8", "--no-control-socket", "--bind", f"127.0.0.1:{port}", "monitor.app:create_app()"]


def monitor(*args: str) -> list[str]:
    return [sys.executable, "-m", "monitor.cli", *args]


def release(env: dict[str, str]) -> None:
    """The Procfile's release step, `monitor db upgrade`: run before the processes start, as a deployment does."""
    done = subprocess.run(monitor("db", "upgrade"), cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
