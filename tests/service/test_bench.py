"""The benchmarks stay runnable by anyone: a tiny run of each must work end to end."""
import json
import subprocess
import sys

import pytest

from ..servers import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_tiny_benchmark_run_reports_both_apps_and_their_ratio(real_redis_url):
    # the benchmark flushes the database it is given: give it the tests' own
    result = subprocess.run([sys.executable, "bench/webhook_bench.py", "--meetings", "2", "--joins", "3",
                             "--duration", "1", "--rate", "20", "--clients", "2", "--redis-url", real_redis_url,
                             "--json", "--max-seconds", "120"], cwd=ROOT, capture_output=True, text=True, timeout=150)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout)
    assert set(figures) >= {"servers", "ratios", "targets"} and figures["errors"] == [], figures



def test_a_tiny_delivery_cost_run_reports_both_apps_by_stage(real_redis_url):
    result = subprocess.run([sys.executable, "bench/delivery_cost.py", "--meetings", "2", "--joins", "3",
                             "--redis-url", real_redis_url], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("CPU per delivery in µs, 8 deliveries"), result.stdout
    assert [line.split()[0] for line in lines[2:4]] == ["bare", "real"]
    assert "  roster script round trip" in result.stdout and "one Redis round trip (PING)" in lines[-1]

def test_a_tiny_alert_latency_run_tells_of_every_lesson_in_one_message(real_redis_url):
    result = subprocess.run([sys.executable, "bench/alert_latency.py", "--lessons", "3", "--group-wait", "2",
                             "--redis-url", real_redis_url, "--json", "--max-seconds", "120"],
                            cwd=ROOT, capture_output=True, text=True, timeout=150)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout)
    assert (figures["alerted"], figures["messages"], figures["missing"], figures["errors"]) == (3, 1, 0, [])


def test_a_tiny_replay_benchmark_run_opens_nothing_and_reports_its_rate():
    result = subprocess.run([sys.executable, "bench/replay_bench.py", "--lessons", "3", "--pupils", "2", "--runs", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    # 3 x (started, recording, 3 joins, 2 leaves, ended)
    assert result.stdout.startswith("24 events, ") and result.stdout.rstrip().endswith(" events/s")
