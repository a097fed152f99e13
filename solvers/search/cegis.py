"""Counterexample-guided search on a growing subset of the examples, for every DSL.

Tasks with many examples are solved faster on a few of them: the vectors are shorter and
observational equivalence merges more. The answer found on the subset is run on all the
examples; the ones it gets wrong join the subset, and search starts again, until an answer fits
every example or the time is spent.
"""
from __future__ import annotations

import time
from typing import Callable, Generic, Sequence, TypeVar

from solvers.search.enumeration import SearchOutcome
from solvers.search.result import Result, SearchStats, Status

Answer = TypeVar("Answer")


class SubsetOutcome(Generic[Answer]):
    """An answer that fits every example (or None), what all rounds cost, and why it stopped."""

    def __init__(self, answer: Answer | None, stats: SearchStats, status: Status, message: str = "") -> None:
        self.answer, self.stats, self.status, self.message = answer, stats, status, message

    def failure(self, task: str) -> Result:
        """The Result for a task no answer was found for."""
        return Result(task, self.status, stats=self.stats, message=self.message)


def spread_subset(count: int, size: int) -> list[int]:
    """Indices of `size` of `count` examples spread over the list (diverse beats the first few).

    >>> spread_subset(10, 4)
    [0, 2, 5, 7]
    """
    if count <= size:
        return list(range(count))
    step = count / size
    return sorted({int(i * step) for i in range(size)})


def search_growing_subset(chosen: Sequence[int], timeout: float, started: float,
                          search: Callable[[list[int], float], tuple[SearchOutcome, Answer | None]],
                          wrong_on_all: Callable[[Answer], list[int]], min_added: int = 1) -> SubsetOutcome[Answer]:
    """Search on the examples `chosen`, check on all, add up to half as many of the wrong ones
    (at least `min_added`), repeat. `search(indices, seconds)` runs one search; `started` is the
    caller's `time.monotonic()` at the start of the task, so set-up counts against `timeout`."""
    chosen = sorted(chosen)
    total = SearchStats()
    while True:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            return SubsetOutcome(None, total, Status.TIMEOUT, "time limit reached")
        outcome, answer = search(chosen, remaining)
        total = total.plus(outcome.stats, time.monotonic() - started)
        if answer is None:
            return SubsetOutcome(None, total, outcome.status, outcome.message)
        wrong = wrong_on_all(answer)
        if not wrong:
            return SubsetOutcome(answer, total, Status.SOLVED)
        chosen = sorted(set(chosen) | set(wrong[:max(min_added, len(chosen) // 2)]))
