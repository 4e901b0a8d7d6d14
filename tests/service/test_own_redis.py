"""Two test runs on one machine at once each get a Redis of their own: neither empties the other's database."""
import os
import subprocess
import sys

import pytest

from ..servers import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HOLDER = '''
import os
import time
from pathlib import Path

from tests.conftest import real_redis, real_redis_url  # noqa: F401


def wait_for(pattern: str) -> None:
    deadline = time.monotonic() + 60
    while len(list(Path(__file__).parent.glob(pattern))) < 2:
        assert time.monotonic() < deadline, "the other run did not start"
        time.sleep(0.05)


def test_keeps_its_own_keys_while_another_run_uses_redis(real_redis):
    real_redis.set(f"mine-{os.getpid()}", "1")
    (Path(__file__).parent / f"set-{os.getpid()}").touch()
    wait_for("set-*")
    assert real_redis.keys("*") == [f"mine-{os.getpid()}".encode()]
    (Path(__file__).parent / f"checked-{os.getpid()}").touch()
    wait_for("checked-*")
'''


def test_two_runs_at_once_keep_their_redis_apart(tmp_path):
    (tmp_path / "test_holder.py").write_text(HOLDER)
    env = {name: value for name, value in os.environ.items() if name != "TEST_REDIS_URL"}
    command = [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
               "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), str(tmp_path)]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], "\n".join(outputs)
