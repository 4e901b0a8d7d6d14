"""`monitor worker` processes run by the tests, each in a process group of its own, and waiting on what they do."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .servers import ROOT


def wait_for(condition, seconds: float, what: str, logs: list[Path] = ()):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            tails = "".join(f"\n--- {log.name}:\n{log.read_text(errors='replace')[-3000:]}" for log in logs)
            raise AssertionError(f"waited {seconds} s for {what}{tails}")
        time.sleep(0.1)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Workers:
    """`monitor worker` processes on the test's Redis, database and channels; each in a process group of its own,
    all killed at the end, with their work horses."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path, self.env = tmp_path, env
        self.started: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self.doomed: list[int] = []

    def start(self) -> subprocess.Popen:
        log = self.tmp_path / f"worker-{len(self.started) + 1}.log"
        with open(log, "wb") as out:
            worker = subprocess.Popen([sys.executable, "-m", "monitor.cli", "worker"], cwd=ROOT, env=self.env,
                                      stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append(worker)
        self.logs.append(log)
        return worker

    def kill_with_horse(self, worker: subprocess.Popen) -> None:
        """SIGKILL to the worker, its scheduler and its work horse at once."""
        kids = children(worker.pid)
        assert any(os.getpgid(pid) == pid for pid in kids), "the worker has a work horse (in a group of its own)"
        self.doomed += kids
        for pid in kids:
            os.kill(pid, signal.SIGKILL)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        wait_for(lambda: not any(alive(pid) for pid in kids), 10, "the work horse to die")

    def stop_all(self) -> None:
        for worker in self.started:
            self.doomed += children(worker.pid)
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.started:
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
        for pid in self.doomed:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
