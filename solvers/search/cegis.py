"""Counterexample-guided search on a growing subset of the examples, for every DSL.

Tasks with many examples are solved faster on a few of them: the vectors are shorter and
observational equivalence merges more. The answer found on the subset is run on all the
examples; the ones it gets wrong join the subset, and search starts again, until an answer fits
every example or the time is spent. Every round, and every check of an answer on all the
examples, runs inside the task's one budget.
"""
from __future__ import annotations

from typing import Callable, Generic, Sequence, TypeVar

from solvers.search.budget import Budget, BudgetExhausted
from solvers.search.enumeration import SearchOutcome, memory_limit
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


def search_growing_subset(chosen: Sequence[int], budget: Budget,
                          search: Callable[[list[int], Budget], tuple[SearchOutcome, Answer | None]],
                          wrong_on_all: Callable[[Answer], list[int]], min_added: int = 1) -> SubsetOutcome[Answer]:
    """Search on the examples `chosen`, check on all, add up to half as many of the wrong ones
    (at least `min_added`), repeat. `search(indices, round_budget)` runs one search in a round of
    the task's `budget` (made when the task started, so its set-up counted too); `wrong_on_all`
    may raise `BudgetExhausted` (checking 20,000 examples takes a while)."""
    chosen = sorted(chosen)
    total = SearchStats()
    while True:
        which = budget.exhausted()
        if which is not None:
            return SubsetOutcome(None, total, Status.TIMEOUT, f"stopped at the {which}")
        try:
            outcome, answer = search(chosen, budget.round())
        except BudgetExhausted as exhausted:      # in a round's set-up
            return SubsetOutcome(None, _with_time(total, budget), Status.TIMEOUT, f"stopped at the {exhausted.which}")
        except MemoryError:
            return SubsetOutcome(None, _with_time(total, budget), Status.TIMEOUT,
                                 f"stopped at the {memory_limit(budget)}: an allocation failed")
        budget.spend(outcome.stats.candidates)
        total = total.plus(outcome.stats, budget.elapsed())
        if answer is None:
            return SubsetOutcome(None, total, outcome.status, outcome.message)
        try:
            wrong = wrong_on_all(answer)
        except BudgetExhausted as exhausted:
            return SubsetOutcome(None, _with_time(total, budget), Status.TIMEOUT,
                                 f"stopped at the {exhausted.which} while checking an answer on all "
                                 f"the examples (it fits the {len(chosen)} searched on)")
        if not wrong:
            return SubsetOutcome(answer, total, Status.SOLVED)
        chosen = sorted(set(chosen) | set(wrong[:max(min_added, len(chosen) // 2)]))


def _with_time(stats: SearchStats, budget: Budget) -> SearchStats:
    """`stats` with the wall time of the task so far and its peak memory."""
    return stats.plus(SearchStats(peak_memory_mb=budget.peak_memory_mb), budget.elapsed())
