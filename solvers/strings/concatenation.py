"""Target-directed concatenation: build the output from pieces search already has.

Most string outputs are concatenations of small parts (a slice of an input, a separator, another
slice). Enumerating `(str.++ a (str.++ b (str.++ c d)))` bottom-up costs the product of the pools;
instead, every value that occurs inside the target output on *every* example is indexed as a piece,
and a shortest-path search over "how much of each output is covered so far" (one position per
example) strings pieces together. A piece fits at a state when, on every example, the output
continues with that piece's string there.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from dsl.core import Program
from solvers.search.value_pool import Vector

MAX_EXPANSIONS = 20_000


@dataclass(frozen=True)
class Piece:
    vector: Vector
    program: Program
    cost: int


@dataclass
class PieceIndex:
    """Values that occur in the target on every example, keyed by their string on example 0.

    With `near_misses`, values that occur in the target on all examples but one are kept too
    (by that example), so a join can be redone without any one example (`without`)."""

    target: Vector
    by_first: dict[str, list[Piece]] = field(default_factory=lambda: defaultdict(list))
    count: int = 0
    near_misses: dict[int, list[Piece]] | None = None

    def offer(self, vector: Vector, program: Program, cost: int) -> bool:
        """Index the value if it could be a piece of the target; True when indexed."""
        if not any(vector):
            return False
        missed = -1
        for i, (value, want) in enumerate(zip(vector, self.target)):
            if value not in want:
                if self.near_misses is None or missed >= 0:
                    return False
                missed = i
        if missed >= 0:
            self.near_misses.setdefault(missed, []).append(Piece(vector, program, cost))
            return False
        self.by_first[vector[0]].append(Piece(vector, program, cost))
        self.count += 1
        return True

    def uncoverable(self) -> list[int]:
        """The examples whose output no sequence of the pieces' strings there spells, even one
        chosen for that example alone (near misses count where they fit): a concatenation that
        leaves one example out can only succeed by leaving out one of these, when there are any."""
        pieces = [p for group in self.by_first.values() for p in group]
        near = [p for group in (self.near_misses or {}).values() for p in group]
        blocked = []
        for index, text in enumerate(self.target):
            strings = {p.vector[index] for p in pieces} | {p.vector[index] for p in near if p.vector[index] in text}
            reachable = [False] * (len(text) + 1)
            reachable[0] = True
            for start in range(len(text)):
                if reachable[start]:
                    for end in range(start + 1, len(text) + 1):
                        if not reachable[end] and text[start:end] in strings:
                            reachable[end] = True
            if not reachable[-1]:
                blocked.append(index)
        return blocked

    def without(self, left_out: int) -> "PieceIndex":
        """The index search would have built for the target without example `left_out`."""
        def drop(vector: Vector) -> Vector:
            return vector[:left_out] + vector[left_out + 1:]

        index = PieceIndex(drop(self.target))
        near = (self.near_misses or {}).get(left_out, [])
        for piece in [p for pieces in self.by_first.values() for p in pieces] + near:
            vector = drop(piece.vector)
            if any(vector):
                index.by_first[vector[0]].append(Piece(vector, piece.program, piece.cost))
        return index


def join_pieces(index: PieceIndex, concat_cost: int, make_concat: Callable[[Program, Program], Program],
                check_budget: Callable[[], None] = lambda: None,
                max_expansions: int = MAX_EXPANSIONS) -> tuple[Program, int] | None:
    """The cheapest concatenation of indexed pieces equal to the target on every example (with
    its cost), found by uniform-cost search over position vectors; None if there is none.
    `check_budget` is called now and then, and may raise to stop the search.

    A target empty on every example (an output "" alone, or every example but an empty one left
    out) has no concatenation: it is made of no pieces, and the empty string is a constant search
    offers itself."""
    target = index.target
    goal = tuple(len(t) for t in target)
    start = tuple(0 for _ in target)
    if goal == start:
        return None
    frontier: list[tuple[int, int, tuple[int, ...]]] = [(0, 0, start)]
    best_cost = {start: 0}
    came_from: dict[tuple[int, ...], tuple[tuple[int, ...], Piece]] = {}
    expansions, tie = 0, 0
    first_target = target[0]
    while frontier and expansions < max_expansions:
        cost, _, state = heapq.heappop(frontier)
        if state == goal:
            return _rebuild(state, came_from, make_concat), cost
        if cost > best_cost.get(state, cost):
            continue
        expansions += 1
        if not expansions & 255:
            check_budget()
        p0 = state[0]
        for end in range(p0, len(first_target) + 1):
            if not (end - p0 + 1) & 4095:
                check_budget()   # a long output: each expansion tries every prefix of its rest
            for piece in index.by_first.get(first_target[p0:end], ()):
                following = _advance(state, piece.vector, target)
                if following is None or following == state:
                    continue
                step = piece.cost + (concat_cost if state != start else 0)
                new_cost = cost + step
                if new_cost < best_cost.get(following, 1 << 60):
                    best_cost[following] = new_cost
                    came_from[following] = (state, piece)
                    tie += 1
                    heapq.heappush(frontier, (new_cost, tie, following))
    return None


def _advance(state: tuple[int, ...], vector: Vector, target: Vector) -> tuple[int, ...] | None:
    positions = []
    for position, value, want in zip(state, vector, target):
        if not want.startswith(value, position):
            return None
        positions.append(position + len(value))
    return tuple(positions)


def _rebuild(state: tuple[int, ...], came_from: dict, make_concat: Callable[[Program, Program], Program]) -> Program:
    pieces: list[Program] = []
    while state in came_from:
        state, piece = came_from[state]
        pieces.append(piece.program)
    program = pieces[0]  # pieces are collected last-first, so fold into a right-nested chain
    for earlier in pieces[1:]:
        program = make_concat(earlier, program)
    return program
