"""Metrics across processes: gunicorn's workers, `monitor worker` and the work horse RQ forks for each job all keep
their counts in files of one directory, PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode), and a
scrape adds them up. It must be set before prometheus_client is imported; without it, a process counts alone.

Each process writes files of its own, named by its pid, and a work horse lives for one job: so that the directory
does not grow by a file a job, the RQ worker folds its horse's counts into a file of its own once the horse has
exited, and removes the horse's."""
from __future__ import annotations

import atexit
import glob
import os
import shutil
import sys
import tempfile
from pathlib import Path

DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
FOLDED_TYPES = ("counter", "histogram")
"""The kinds of metric the monitor keeps in files: their values add up across processes, so a dead process's may
be added to another's."""


def shared_directory() -> Path | None:
    path = os.environ.get(DIRECTORY)
    return Path(path) if path else None


def private_directory() -> None:
    """Gives this process and its children a directory of their own, removed when it exits, unless one is set
    (``monitor worker`` serving its own /metrics: its work horses' counts would otherwise go with them)."""
    if shared_directory() is not None:
        return
    if "prometheus_client" in sys.modules:
        raise RuntimeError("PROMETHEUS_MULTIPROC_DIR must be set before prometheus_client is imported")
    path = tempfile.mkdtemp(prefix="monitor-metrics-")
    os.environ[DIRECTORY] = path
    atexit.register(shutil.rmtree, path, ignore_errors=True)


def fold_dead(pid: int) -> None:
    """Adds the counts of the dead process ``pid`` to this process's folded file and removes its files. Only the
    process that waited for ``pid`` calls this, from one thread, once."""
    directory = shared_directory()
    if directory is None:
        return
    from prometheus_client.mmap_dict import MmapedDict

    for kind in FOLDED_TYPES:
        dead = directory / f"{kind}_{pid}.db"
        if not dead.exists():
            continue
        folded = MmapedDict(str(directory / f"{kind}_folded-{os.getpid()}.db"))
        try:
            for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(str(dead)):
                total, _ = folded.read_value(key)
                folded.write_value(key, total + value, 0.0)
        finally:
            folded.close()
        dead.unlink()
    process_dead(pid)


def process_dead(pid: int) -> None:
    """prometheus_client's bookkeeping for a process gone (its live gauges' files)."""
    directory = shared_directory()
    if directory is not None:
        from prometheus_client.multiprocess import mark_process_dead

        mark_process_dead(pid, str(directory))


def files_collector():
    """Adds up every process's files at each scrape; a file folded away between the listing and the reading is
    looked for again."""
    from prometheus_client.multiprocess import MultiProcessCollector

    class Files(MultiProcessCollector):
        def collect(self):
            for attempt in range(3):
                try:
                    return self.merge(glob.glob(os.path.join(self._path, "*.db")), accumulate=True)
                except FileNotFoundError:
                    if attempt == 2:
                        raise

    return Files(None, path=str(shared_directory()))
