"""The interface between search and whatever advises it.

Search never knows whether a guide is neural: it asks for per-task op costs before it starts, and
for extra cost on the new values of each cost level (BUSTLE-style re-weighting, in one batch).
"""
from __future__ import annotations

from typing import Mapping, Protocol, Sequence

from dsl.core import Op, Program, Task, Type
from solvers.search.value_pool import Vector


class Guide(Protocol):
    def op_costs(self, task: Task, ops: Sequence[Op]) -> Mapping[Op, int]:
        """Integer base cost for each op on this task (>= 1)."""
        ...

    def value_penalties(self, task: Task, type_: Type, vectors: Sequence[Vector],
                        programs: Sequence[Program]) -> Sequence[int]:
        """Extra cost (>= 0) for each new value: 0 keeps its cost, more delays it."""
        ...


class UniformGuide:
    """Plain enumeration: every op keeps its base cost, no value is delayed."""

    def op_costs(self, task: Task, ops: Sequence[Op]) -> Mapping[Op, int]:
        return {op: op.cost for op in ops}

    def value_penalties(self, task: Task, type_: Type, vectors: Sequence[Vector],
                        programs: Sequence[Program]) -> Sequence[int]:
        return [0] * len(vectors)
