"""The request budget every process shares (one Redis key): turns spaced evenly, fractional rates, 429 holds."""
from __future__ import annotations

import pytest

from monitor.clock import ManualClock
from monitor.zoom_api.budget import SPACING, RequestBudget

from .conftest import Sleeper


def budgets(redis, rate: float, sleep, clock, count: int = 2) -> list[RequestBudget]:
    """One budget per process of the monitor, on the same Redis."""
    return [RequestBudget(redis, rate, clock, sleep) for _ in range(count)]


def test_processes_take_turns_spaced_by_the_rate(any_redis):
    clock, waits = ManualClock(1_795_000_000.25), []
    first, second = budgets(any_redis, 5, waits.append, clock)

    for budget in (first, second, first, second):
        budget.wait_turn()

    assert waits == pytest.approx([0.25, 0.5, 0.75])  # the first turn is at once; then every 1.25 / 5 s


def test_a_fractional_rate_spaces_turns_by_more_than_a_second(any_redis):
    clock = ManualClock(1_795_000_000)
    sleeper = Sleeper(clock)
    turns = []
    for budget in budgets(any_redis, 0.5, sleeper, clock, count=3):
        budget.wait_turn()
        turns.append(clock())

    assert [turn - turns[0] for turn in turns] == pytest.approx([0, 2.5, 5.0])


def test_no_window_of_a_second_holds_more_turns_than_the_rate(any_redis):
    clock = ManualClock(1_795_000_000)
    sleeper = Sleeper(clock)
    processes = budgets(any_redis, 3, sleeper, clock, count=3)
    turns = []
    for n in range(30):
        processes[n % 3].wait_turn()
        turns.append(clock())
        clock.advance(0.01 * (n % 4))  # the requests themselves take a while

    assert max(sum(1 for t in turns if start <= t < start + 1) for start in turns) == 3


def test_an_idle_budget_does_not_wait(any_redis):
    clock, waits = ManualClock(1_795_000_000), []
    budget, = budgets(any_redis, 5, waits.append, clock, count=1)
    budget.wait_turn()
    clock.advance(SPACING / 5)
    budget.wait_turn()

    assert waits == []


def test_a_hold_makes_every_process_wait(any_redis):
    clock, waits = ManualClock(1_795_000_000), []
    first, second = budgets(any_redis, 5, waits.append, clock)
    first.wait_turn()
    first.hold(7)

    second.wait_turn()
    second.hold(2)  # a shorter hold does not shorten the longer one
    first.wait_turn()

    assert waits == pytest.approx([7, 7.25])


def test_a_rate_must_be_more_than_zero(fake_redis):
    with pytest.raises(ValueError, match="more than 0"):
        RequestBudget(fake_redis, 0, ManualClock(), lambda s: None)
