"""Guesses made at once get no more tries than guesses made one after another, on PostgreSQL and on SQLite; and a
sign-in takes as long whether or not the account exists."""
import statistics
import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine

from monitor.accounts import store as account_store
from monitor.accounts.store import LOCK_AFTER, AccountStore
from monitor.migrations import migrate

from ..signing_in import PASSWORD

AT = datetime(2026, 11, 18, 10, tzinfo=timezone.utc)
GUESSES = 48


@pytest.fixture
def postgres_accounts(postgres_url):
    engine = create_engine(postgres_url, pool_size=GUESSES)
    migrate(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE accounts RESTART IDENTITY CASCADE")  # and their recovery codes
    yield AccountStore(engine)
    engine.dispose()


@pytest.fixture
def sqlite_accounts(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'accounts.sqlite3'}", connect_args={"timeout": 30})
    migrate(engine)
    return AccountStore(engine)


def guess_at_once(store: AccountStore, monkeypatch) -> int:
    """GUESSES wrong passwords for one account, all at once; returns how many were checked against its hash."""
    store.add("dsl@gatehouse.sch.uk", "Dee Lead", "deputy", PASSWORD, totp=False, at=AT)
    with store.engine.connect() as conn:
        real_hash = conn.exec_driver_sql("SELECT password_hash FROM accounts").scalar_one()
    checked = []
    check = account_store.check_password_hash

    def counting(password_hash, password):
        if password_hash == real_hash:
            checked.append(password)
        return check(password_hash, password)

    monkeypatch.setattr(account_store, "check_password_hash", counting)
    start = threading.Barrier(GUESSES)

    def guess(n):
        start.wait()
        store.check_password("dsl@gatehouse.sch.uk", f"guess number {n}", AT)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(checked)


@pytest.mark.slow
@pytest.mark.integration
def test_guesses_at_once_on_postgresql_get_only_the_tries_allowed(postgres_accounts, monkeypatch):
    assert guess_at_once(postgres_accounts, monkeypatch) == LOCK_AFTER
    assert postgres_accounts.check_password("dsl@gatehouse.sch.uk", PASSWORD, AT) is None   # locked


@pytest.mark.slow
def test_guesses_at_once_on_sqlite_get_only_the_tries_allowed(sqlite_accounts, monkeypatch):
    assert guess_at_once(sqlite_accounts, monkeypatch) == LOCK_AFTER
    assert sqlite_accounts.check_password("dsl@gatehouse.sch.uk", PASSWORD, AT) is None


def seconds(attempt) -> float:
    began = time.perf_counter()
    attempt()
    return time.perf_counter() - began


@pytest.mark.slow
def test_a_sign_in_takes_as_long_whether_or_not_the_account_exists(sqlite_accounts):
    store = sqlite_accounts
    store.add("dsl@gatehouse.sch.uk", "Dee Lead", "deputy", PASSWORD, totp=False, at=AT)
    attempts = {
        "unknown": lambda: store.check_password("nobody@gatehouse.sch.uk", "a wrong guess", AT),
        "wrong": lambda: store.check_password("dsl@gatehouse.sch.uk", "a wrong guess", AT),
        "right": lambda: store.check_password("dsl@gatehouse.sch.uk", PASSWORD, AT),  # and the wrong one is reset
    }
    times = {name: [] for name in attempts}
    for _ in range(9):   # one of each in turn, so that the machine's other load weighs on each alike
        for name, attempt in attempts.items():
            times[name].append(seconds(attempt))
    unknown, wrong, right = (statistics.median(times[name]) for name in attempts)
    assert abs(unknown - wrong) / wrong < 0.3 and abs(unknown - right) / right < 0.3, times
