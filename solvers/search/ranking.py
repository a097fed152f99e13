"""Several programs fit the examples: which one is right on the next row?

Search keeps the distinct programs that fit (`Candidate`): cheapest direct matches and the joins'
solutions, told apart by what they do on *probe* rows (the task's unlabelled inputs, and rows a
DSL makes up by varying the examples' inputs). A `Ranker` scores them; the driver returns the best
and reports the runners-up, and a probe row on which the top two disagree is the row a user should
check next (FlashFill's distinguishing input).

`SearchOrderRanker` is search's own preference (fewest leave-one-out errors, then smallest, then
found first): the behaviour with ranking off, and the tie-break of every other ranker.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from dsl.core import Program, Task


@dataclass(frozen=True)
class Candidate:
    """A program that fits every example, and what it does on the probe rows."""

    program: Program
    probe_outputs: tuple[Any, ...]   # one per probe row; None where the program raised
    doubt: int = 0                   # leave-one-out errors of a joined solution (0: direct match)
    joined: bool = False             # built by a join (concatenation, decision tree), not enumerated
    order: int = 0                   # position in the order search found them


@dataclass(frozen=True)
class Ranked:
    """A candidate and its score (higher: more likely right on new rows)."""

    candidate: Candidate
    score: float

    @property
    def program(self) -> Program:
        return self.candidate.program


class Ranker(Protocol):
    """Scores candidates of one task: higher is more likely right on rows nobody labelled."""

    name: str

    def scores(self, task: Task, probes: Sequence[tuple[Any, ...]], candidates: Sequence[Candidate]) -> list[float]:
        ...


class SearchOrderRanker:
    """Search's own order: fewer leave-one-out errors, then smaller, then found first."""

    name = "search-order"

    def scores(self, task: Task, probes: Sequence[tuple[Any, ...]], candidates: Sequence[Candidate]) -> list[float]:
        return [-(c.doubt * 10_000 + c.program.size * 100 + min(c.order, 99)) / 10_000 for c in candidates]


def rank(ranker: Ranker, task: Task, probes: Sequence[tuple[Any, ...]],
         candidates: Sequence[Candidate]) -> list[Ranked]:
    """Candidates best first: the ranker's score, ties broken by search order (deterministic)."""
    scores = ranker.scores(task, probes, candidates) if candidates else []
    order = sorted(range(len(candidates)),
                   key=lambda i: (-scores[i], candidates[i].doubt, candidates[i].program.size, candidates[i].order))
    return [Ranked(candidates[i], scores[i]) for i in order]


def distinct_behaviours(ranked: Sequence[Ranked]) -> list[Ranked]:
    """The first (best) candidate of each behaviour on the probe rows."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for item in ranked:
        key = tuple(map(repr, item.candidate.probe_outputs))
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def distinguishing_row(ranked: Sequence[Ranked], probes: Sequence[tuple[Any, ...]],
                       labelled_first: int) -> int | None:
    """The index of a probe row on which the best candidate and a runner-up disagree (the user's
    own unlabelled rows, the first `labelled_first` probes, before made-up ones), or None."""
    if len(ranked) < 2:
        return None
    best = ranked[0].candidate.probe_outputs
    rows = [*range(min(labelled_first, len(probes))), *range(labelled_first, len(probes))]
    for other in ranked[1:]:
        for row in rows:
            if other.candidate.probe_outputs[row] != best[row]:
                return row
    return None
