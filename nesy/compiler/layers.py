"""Stage 2: layer allocation. Every node goes to the earliest sublayer of its kind after all its
inputs (as soon as possible = the longest path from the embedding), so depth is minimal."""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from nesy.compiler.graph import CNode


@dataclass(frozen=True)
class Allocation:
    """`sublayer[node]`: -1 for the embedding, 2*l for layer l's attention, 2*l+1 for its MLP."""
    sublayer: dict[CNode, int]
    order: tuple[CNode, ...]   # topological: inputs first

    @property
    def n_layers(self) -> int:
        deepest = max(self.sublayer.values(), default=-1)
        return 0 if deepest < 0 else deepest // 2 + 1

    def at(self, sublayer: int) -> list[CNode]:
        return [n for n in self.order if self.sublayer[n] == sublayer]


def allocate_layers(graph: nx.DiGraph) -> Allocation:
    order = tuple(nx.lexicographical_topological_sort(graph, key=lambda n: n.label))
    sublayer: dict[CNode, int] = {}
    for node in order:
        earliest = max((sublayer[p] for p in graph.predecessors(node)), default=-1) + 1
        if node.sublayer == "embed":
            sublayer[node] = -1
        elif node.sublayer == "attention":
            sublayer[node] = earliest + (earliest % 2)
        else:
            sublayer[node] = earliest + (1 - earliest % 2)
    return Allocation(sublayer, order)
