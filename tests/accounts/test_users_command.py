"""`monitor users add` as a person runs it at a terminal: the password asked for, and checked before it is repeated."""
from datetime import datetime, timezone

from click.testing import CliRunner

from monitor.accounts.store import AccountStore
from monitor.cli import main
from monitor.db import connect_database
from monitor.settings import Settings

from ..signing_in import PASSWORD

AT = datetime(2026, 11, 18, tzinfo=timezone.utc)


def test_help_says_how_a_script_gives_the_password():
    shown = CliRunner().invoke(main, ["users", "add", "--help"])
    assert shown.exit_code == 0 and "--password-stdin" in shown.output and "standard input" in shown.output


def test_a_short_password_is_refused_before_it_is_asked_for_again(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    typed = f"short\n{PASSWORD}\n{PASSWORD}\n"
    added = runner.invoke(main, ["users", "add", "t@gatehouse.sch.uk", "--role", "viewer"], input=typed)
    assert added.exit_code == 0, added.output
    assert added.output.splitlines()[:4] == ["Password: ", "Error: the password must have at least 12 characters",
                                             "Password: ", "Repeat for confirmation: "]
    assert AccountStore(connect_database(Settings())).check_password("t@gatehouse.sch.uk", PASSWORD, AT) is not None
