"""For the incident store's tests on SQLite and PostgreSQL: the newest schema revision, the occurrences stored, and
confirmations raced in threads and in processes."""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, func, select

from monitor.incidents import IncidentStore
from monitor.incidents.models import IncidentOccurrence
from monitor.migrations import migrate

from ..confirmations import at, confirmation


def newest_revision() -> str:
    from alembic.script import ScriptDirectory

    from monitor.migrations import alembic_config
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def occurrence_rows(store: IncidentStore) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(IncidentOccurrence)).scalar_one()


def check_races_settle_on_one_incident(results: list[tuple[int, bool]], store: IncidentStore, occurrences: int):
    assert len({incident_id for incident_id, _ in results}) == 1
    assert sum(opened for _, opened in results) == 1
    [incident] = store.list()
    assert incident["occurrences"] == occurrences == occurrence_rows(store)
    assert incident["began_at"] == "2026-11-18T11:06:40Z"


def confirm_in_threads(store: IncidentStore, offsets: list[int]) -> list[tuple[int, bool]]:
    barrier = threading.Barrier(len(offsets))

    def confirm(offset: int):
        barrier.wait()
        return store.confirm(confirmation(at(offset)))

    with ThreadPoolExecutor(len(offsets)) as pool:
        return list(pool.map(confirm, offsets))


def _in_a_process(url: str, task: str, offset: int, barrier, results) -> None:
    try:
        engine = create_engine(url)
        barrier.wait()
        if task == "migrate":
            migrate(engine)
            results.put(("ok", None))
        else:
            results.put(("ok", IncidentStore(engine).confirm(confirmation(at(offset)))))
        engine.dispose()
    except Exception as exc:  # reported to the test, which fails with it
        results.put(("error", repr(exc)))


def run_in_processes(url: str, task: str, offsets: list[int]) -> list:
    """Runs the task in one fresh process per offset, all released at the same moment; returns their results."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(offsets)), context.Queue()
    processes = [context.Process(target=_in_a_process, args=(url, task, offset, barrier, results))
                 for offset in offsets]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
    assert [status for status, _ in outcomes] == ["ok"] * len(processes), outcomes
    return [value for _, value in outcomes]
