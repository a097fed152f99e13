"""Target-directed concatenation for regexes: the cheapest chain r1 r2 ... rk of pooled regexes that
classifies the sample, by a shortest-path search, run as a join after the engine's levels.

Only the rows of a left factor where some sample string starts matter to what follows it (a sample
string is decided by the spans reachable from its start), so a chain prefix is represented by its
span matrix masked to those rows. Many prefixes share that masked value, which is what makes deep
chains (`.*0101.*`, `.*1....`, `1*0?1*0?1*`) cheap to find where plain enumeration must build every
intermediate regex in full. A prefix under which some positive string reaches no position at all can
never be completed and is dropped (AlphaRegex's over-approximation test, with the rest of the chain
standing for anything).
"""
from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from functools import reduce
from typing import Callable, Sequence

from dsl.core import Op, Program, Type, right_nested
from solvers.regex.spans import SpanAlgebra
from solvers.search.value_pool import ValuePool

CHECK_EVERY = 1024


@dataclass
class _Frontier:
    """A paused shortest-path search over chain prefixes (resumed while its pieces stay the same)."""

    pieces: list[tuple[int, int, Program]]
    heap: list[tuple[int, int, int, tuple[Program, ...]]]
    best_cost: dict[int, int]
    bound: int
    answer: list[Program] | None = None
    tie: itertools.count = field(default_factory=itertools.count)


@dataclass
class ChainJoin:
    """A level hook for `BottomUpSearch`: after each level, look for a chain of pooled values (each of
    cost <= min(level, `max_piece_cost`)) that meets the goal, cheapest first."""

    algebra: SpanAlgebra
    positive: Sequence[str]
    negative: Sequence[str]
    concat: Op
    value_type: Type
    max_piece_cost: int = 4
    max_chain_cost: int = 24
    min_steps: int = 2_500      # concatenations a call may try, at least; else as many as values kept
    found: Program | None = field(default=None, init=False)
    _frontiers: dict[int, _Frontier] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._rows = [self.algebra.row_of(s) for s in self.positive]
        self._alive_tests = _nonzero_rows_tests(self._rows, self.algebra.width)
        self._start_rows = reduce(int.__or__, self._rows + [self.algebra.row_of(s) for s in self.negative], 0)
        self._goal = self.algebra.acceptance_goal(self.positive, self.negative)
        self._opened: set[int] = set()
        self._check_every = self.algebra.steps_per_check(CHECK_EVERY)

    def __call__(self, pool: ValuePool, level: int, check_budget: Callable[[], None]) -> Program | None:
        """One search per piece cost k <= min(level, max_piece_cost), each resumed where it paused:
        chains of cheap pieces are few and finish fast; richer pieces get their turn later."""
        if self.found is not None or level < 2:
            return None
        piece_level = min(level, self.max_piece_cost)
        if piece_level not in self._opened:
            self._opened.add(piece_level)
            start = self.algebra.identity & self._start_rows
            frontier = _Frontier(self._pieces(pool, piece_level), [], {start: 0}, self.max_chain_cost)
            frontier.heap.append((0, next(frontier.tie), start, ()))
            self._frontiers[piece_level] = frontier
        # As many steps as the engine has kept values, shared by the open searches: the enumeration
        # and the chains grow in proportion and neither starves the other.
        allowance = max(self.min_steps, pool.size) // len(self._frontiers) if self._frontiers else 0
        chains = []
        for piece_level, frontier in sorted(self._frontiers.items()):
            chain = self._search(frontier, check_budget, allowance)
            if chain is not None:
                chains.append((frontier.bound, chain))
            if not frontier.heap:
                del self._frontiers[piece_level]
        if chains:
            chain = min(chains, key=lambda c: c[0])[1]
            factors = [factor for piece in chain for factor in self._factors(piece)]
            self.found = right_nested(self.concat, factors)
        return self.found

    def _factors(self, program: Program) -> list[Program]:
        """A concatenation's factors left to right, so the chain comes out as one right-nested sequence."""
        if program.head == self.concat:
            return [f for child in program.children for f in self._factors(child)]
        return [program]

    def _pieces(self, pool: ValuePool, level: int) -> list[tuple[int, int, Program]]:
        identity = self.algebra.identity
        pieces = []
        for cost in range(1, level + 1):
            values = pool.level(self.value_type, cost)
            if values is None:
                continue
            for (value,), program in zip(values.vectors, values.programs):
                if value and value != identity:
                    pieces.append((cost, value, program))
        return pieces

    def _alive(self, state: int) -> bool:
        """Does some position stay reachable from the start of every positive?"""
        for rows, ones, carries in self._alive_tests:
            if (state & rows) + ones & carries != carries:
                return False
        return True

    def _search(self, frontier: _Frontier, check_budget: Callable[[], None], max_steps: int) -> list[Program] | None:
        """Dijkstra over masked prefix values for up to about `max_steps` concatenations; the cheapest
        chain once it is certain (nothing cheaper left to expand), else None (resume later)."""
        concat_cost, concat = self.concat.cost, self.algebra.concat
        heap, best_cost = frontier.heap, frontier.best_cost
        steps = 0
        while heap and heap[0][0] < frontier.bound:
            if steps > max_steps:
                return None
            cost, _, state, chain = heapq.heappop(heap)
            if cost > best_cost.get(state, cost):
                continue
            joint = concat_cost if chain else 0
            for piece_cost, value, program in frontier.pieces:
                total = cost + joint + piece_cost
                if total >= frontier.bound:
                    break
                steps += 1
                if not steps % self._check_every:
                    check_budget()
                after = concat(state, value)
                if total >= best_cost.get(after, frontier.bound) or not self._alive(after):
                    continue
                best_cost[after] = total
                extended = (*chain, program)
                if self._goal(after) and len(extended) > 1:
                    frontier.bound, frontier.answer = total, list(extended)
                    continue
                heapq.heappush(heap, (total, next(frontier.tie), after, extended))
        heap.clear()
        return frontier.answer


def _nonzero_rows_tests(rows: Sequence[int], width: int) -> list[tuple[int, int, int]]:
    """Tests that every one of `rows` (each a whole W-bit row of the layout) holds a bit of a
    value, two big-int additions in all: a W-bit field plus 2^W - 1 carries into the bit above it
    iff the field is non-zero. Rows go in two groups by the parity of their global row index, so
    the bit above a row (the first bit of the next row) is never in its own group's rows."""
    tests = []
    for parity in (0, 1):
        group = {row for row in rows if (row.bit_length() - width) // width % 2 == parity}
        if group:
            masks = sum(group)
            carries = sum(1 << row.bit_length() for row in group)
            tests.append((masks, masks, carries))
    return tests
