"""``map_in_two``: the plain loop's answer and first error, whether or not a child helps."""

from __future__ import annotations

import os

import pytest

from checker import forking
from checker.forking import can_fork, map_in_two

needs_fork = pytest.mark.skipif(not can_fork(), reason="forking needs Linux and two CPUs")


def square_with_pid(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


@needs_fork
def test_the_second_half_runs_in_a_child_and_the_order_is_kept() -> None:
    results = map_in_two(list(range(20)), square_with_pid)
    assert [value for value, _ in results] == [i * i for i in range(20)]
    pids = [pid for _, pid in results]
    assert set(pids[:10]) == {os.getpid()}
    assert os.getpid() not in pids[10:]


def test_few_items_are_done_here() -> None:
    results = map_in_two([1, 2, 3], square_with_pid)
    assert {pid for _, pid in results} == {os.getpid()}


@needs_fork
def test_an_error_in_the_childs_half_is_raised_here_as_the_loop_would() -> None:
    def work(item: int) -> int:
        if item == 15:
            raise ValueError(f"bad item {item}")
        return item

    with pytest.raises(ValueError, match="bad item 15"):
        map_in_two(list(range(20)), work)


@needs_fork
def test_the_first_error_wins_when_both_halves_fail() -> None:
    def work(item: int) -> int:
        if item in (3, 15):
            raise ValueError(f"bad item {item}")
        return item

    with pytest.raises(ValueError, match="bad item 3"):
        map_in_two(list(range(20)), work)


@needs_fork
def test_a_result_that_does_not_pickle_is_redone_here() -> None:
    def work(item: int) -> object:
        return (lambda: item) if item >= 10 else item  # lambdas do not pickle

    results = map_in_two(list(range(20)), work)
    assert results[:10] == list(range(10))
    assert [f() for f in results[10:]] == list(range(10, 20))  # type: ignore[operator]


def test_without_fork_everything_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "can_fork", lambda: False)
    results = map_in_two(list(range(20)), square_with_pid)
    assert {pid for _, pid in results} == {os.getpid()}
