"""Stage 3: the residual stream as named directions.

Each categorical value of a node owns one direction (`label:value`; the node's implicit value owns
none: it is "no direction set"), a numerical node one direction (`label`); `one` is 1 at every
position, `bos` only at the beginning-of-sequence position. A direction whose owner is dead (no
later sublayer reads it) is recycled for a node written later: an MLP at or before that write
cancels the old contents (`Cleanup`), so the stream is narrower than one subspace per variable.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from dsl.rasp import ir
from dsl.rasp.values import Value, format_value, identity_key
from nesy.compiler.graph import NO_VALUE, CNode
from nesy.compiler.layers import Allocation

FOREVER = 1 << 30


@dataclass(frozen=True)
class Direction:
    """One basis direction: a node's label and, for categorical nodes, one of its values."""
    name: str
    value: Value = None
    categorical: bool = False

    def __str__(self) -> str:
        return f"{self.name}:{format_value(self.value)}" if self.categorical else self.name

    @property
    def key(self) -> tuple:
        return (self.name, identity_key(self.value), self.categorical)


ONE = Direction("one")
BOS = Direction("bos")

Feature = dict[int, float]  # an affine function of the residual: dimension -> coefficient


@dataclass(frozen=True)
class Cleanup:
    """Cancel dimension `dim` (its owner is dead) in the MLP of sublayer `sublayer`."""
    dim: int
    sublayer: int
    numerical: bool


@dataclass
class ResidualSpace:
    owners: list[list[Direction]] = field(default_factory=lambda: [[ONE], [BOS]])
    index: dict[tuple, int] = field(default_factory=lambda: {ONE.key: 0, BOS.key: 1})
    cleanups: list[Cleanup] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.owners)

    def of(self, direction: Direction) -> int:
        return self.index[direction.key]

    def place(self, direction: Direction, dim: int | None) -> None:
        if dim is None:
            dim = len(self.owners)
            self.owners.append([])
        self.owners[dim].append(direction)
        self.index[direction.key] = dim

    def numeric(self, node: CNode) -> Feature:
        return {self.of(Direction(node.label)): 1.0}

    def indicator(self, node: CNode | None, value: Value) -> Feature:
        """1 exactly where `node` holds `value` (0 at BOS); `None` node: 1 at every token."""
        non_bos = {self.of(ONE): 1.0, self.of(BOS): -1.0}
        if node is None:
            return non_bos
        if node.implicit is not NO_VALUE and identity_key(value) == identity_key(node.implicit):
            feature = dict(non_bos)
            for other in node.explicit_values:
                feature[self.of(Direction(node.label, other, True))] = -1.0
            return feature
        return {self.of(Direction(node.label, value, True)): 1.0}

    def labels(self) -> list[str]:
        """One label per dimension: its owners in order, joined by ' > ' when recycled."""
        return [" > ".join(str(d) for d in owners) for owners in self.owners]

    def cleanups_at(self, sublayer: int) -> list[Cleanup]:
        return [c for c in self.cleanups if c.sublayer == sublayer]


def directions(node: CNode) -> list[Direction]:
    if node.encoding == ir.NUMERICAL:
        return [Direction(node.label)]
    return [Direction(node.label, value, True) for value in node.explicit_values]


def build_residual(graph: nx.DiGraph, allocation: Allocation, output: CNode, recycle: bool = True) -> ResidualSpace:
    """Give every node its directions, reusing those of dead nodes when `recycle`."""
    space = ResidualSpace()
    death = {n: max((allocation.sublayer[s] for s in graph.successors(n)), default=-1) for n in graph}
    death[output] = FOREVER
    free: list[tuple[int, int, bool]] = []   # (dimension, last read at sublayer, numerical owner)
    order = sorted(allocation.order, key=lambda n: allocation.sublayer[n])
    pending: list[tuple[int, CNode]] = []
    for node in order:
        birth = allocation.sublayer[node]
        # nodes born before this one release their dimensions when they die
        cleanup_at = birth if birth % 2 else birth - 1
        for owner_death, owner in list(pending):
            if owner_death <= cleanup_at:
                pending.remove((owner_death, owner))
                numerical = owner.encoding == ir.NUMERICAL
                free.extend((space.of(d), owner_death, numerical) for d in directions(owner))
        for direction in directions(node):
            reuse = recycle and birth >= 1 and bool(free)
            if reuse:
                dim, _, numerical = free.pop(0)
                space.cleanups.append(Cleanup(dim, cleanup_at, numerical))
                space.place(direction, dim)
            else:
                space.place(direction, None)
        pending.append((death[node], node))
    return space
