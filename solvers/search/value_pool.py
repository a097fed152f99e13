"""Typed, cost-levelled value pools with observational equivalence.

A value is the vector of a program's outputs on the examples. Two programs with the same vector are
interchangeable for the examples, so only the first (cheapest) one is kept.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

from dsl.core import Program, Type

Vector = tuple[Any, ...]


@dataclass
class Level:
    """The values of one type at one cost: parallel lists so the hot loop iterates plain lists."""

    vectors: list[Vector] = field(default_factory=list)
    programs: list[Program] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.vectors)


class ValuePool:
    """All values search has kept, by type and by cost; one program per distinct vector."""

    def __init__(self) -> None:
        self.seen: dict[Type, dict[Vector, Program]] = defaultdict(dict)
        self._levels: dict[Type, dict[int, Level]] = defaultdict(dict)
        self.size = 0

    def add(self, type_: Type, vector: Vector, program: Program, cost: int) -> bool:
        """Keep `program` unless a value with the same vector is already kept."""
        seen = self.seen[type_]
        if vector in seen:
            return False
        seen[vector] = program
        self.place(type_, vector, program, cost)
        return True

    def place(self, type_: Type, vector: Vector, program: Program, cost: int) -> None:
        """Put an already-seen value at a cost level (used when a guide delays a value)."""
        level = self._levels[type_].get(cost)
        if level is None:
            level = self._levels[type_][cost] = Level()
        level.vectors.append(vector)
        level.programs.append(program)
        self.size += 1

    def delay(self, type_: Type, cost: int, penalties: Sequence[int]) -> None:
        """Move values of one level up by their penalties (a guide's verdict on them)."""
        current = self._levels[type_].get(cost)
        if current is None:
            return
        stay = Level()
        for vector, program, penalty in zip(current.vectors, current.programs, penalties):
            if penalty <= 0:
                stay.vectors.append(vector)
                stay.programs.append(program)
            else:
                self.size -= 1
                self.place(type_, vector, program, cost + int(penalty))
        self._levels[type_][cost] = stay

    def types(self) -> list[Type]:
        return list(self._levels)

    def highest_level(self) -> int:
        """The highest cost at which any value is kept (0 when empty)."""
        return max((c for levels in self._levels.values() for c, lv in levels.items() if lv.vectors), default=0)

    def level(self, type_: Type, cost: int) -> Level | None:
        return self._levels[type_].get(cost)
