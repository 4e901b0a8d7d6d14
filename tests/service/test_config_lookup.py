"""`monitor serve`, `monitor digest` and `monitor alerts test` find the school's config the same way: --config, else
MONITOR_CONFIG, else config/monitor.toml in the working directory."""
from click.testing import CliRunner

from monitor.cli import main

from ..school import CONFIG_TOML, write_config

ELSEWHERE = CONFIG_TOML.replace("Gatehouse School", "Ashdown Primary")


def _only_monitor_config(tmp_path, monkeypatch):
    """A working directory with a config/monitor.toml of its own, and MONITOR_CONFIG naming another file."""
    for name in ("MONITOR_DATA_DIR", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "config").mkdir()
    write_config(tmp_path / "config")
    (tmp_path / "school").mkdir()
    chosen = write_config(tmp_path / "school", ELSEWHERE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MONITOR_CONFIG", str(chosen))
    return chosen


def test_the_digest_reads_the_config_monitor_config_names(tmp_path, monkeypatch):
    _only_monitor_config(tmp_path, monkeypatch)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    shown = runner.invoke(main, ["digest", "--week", "2026-W47"])
    assert shown.exit_code == 0, shown.output
    assert "Ashdown Primary" in shown.output and "Gatehouse School" not in shown.output


def test_the_alerts_test_reads_the_config_monitor_config_names(tmp_path, monkeypatch):
    chosen = _only_monitor_config(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, ["alerts", "test"])
    assert result.exit_code == 2
    assert f"{chosen}: no alert channels are configured" in result.output
