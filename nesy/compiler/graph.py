"""The compiler's graph: what each residual-stream value is and how it is computed.

A `CNode` is one value that may live in the residual stream: an embedding, an MLP (`FusedMap`:
one elementwise function of its leaves, after consecutive maps were merged), or an attention head
(`AggregateHead`, `WidthHead`). Attention reads its inputs through `View`s, so a map of a single
categorical value is folded into the head's weights instead of costing an MLP.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import networkx as nx
import numpy as np

from dsl.rasp import ir
from dsl.rasp.ast import Pos
from dsl.rasp.values import Value


class _NoValue:
    """Marks a categorical node with no implicit value (every value has a direction)."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()


@dataclass(eq=False)
class CNode:
    label: str
    pos: Pos
    encoding: str
    values: tuple[Value, ...]            # every value the node can take (an over-approximation)
    implicit: Value = field(default=NO_VALUE, kw_only=True)  # the value stored as "no direction set"

    @property
    def explicit_values(self) -> tuple[Value, ...]:
        if self.implicit is NO_VALUE:
            return self.values
        return tuple(v for v in self.values if not _same(v, self.implicit))

    def dependencies(self) -> tuple["CNode", ...]:
        return ()

    @property
    def sublayer(self) -> str:
        return "embed"


def _same(a: Value, b: Value) -> bool:
    from dsl.rasp.values import identity_key
    return identity_key(a) == identity_key(b)


@dataclass(eq=False)
class Embedded(CNode):
    """`tokens` or `indices`, written by the embedding."""
    source: str = "tokens"


@dataclass(eq=False)
class FusedMap(CNode):
    """An MLP computing `body` of its leaves' values; `plan` is its exact lookup/step table."""
    body: ir.Scalar = ir.Const(None)
    leaves: tuple[CNode, ...] = ()
    plan: object = None
    plan_error: str = ""

    def dependencies(self) -> tuple[CNode, ...]:
        return self.leaves

    @property
    def sublayer(self) -> str:
        return "mlp"


@dataclass(eq=False)
class View:
    """How attention reads a value: `body` of `leaf`'s value (leaf None: a constant)."""
    leaf: CNode | None
    body: ir.Scalar = ir.Arg(0)

    def leaf_values(self) -> tuple[Value, ...]:
        return (None,) if self.leaf is None else self.leaf.values

    def apply(self, leaf_value: Value) -> Value:
        return ir.evaluate_scalar(self.body, (leaf_value,) if self.leaf is not None else ())


@dataclass(eq=False)
class Term:
    """One conjunct of a selector (`formula`: and/or/not over selects), read through one key leaf
    and one query leaf: `key_of(select, key leaf value)` is what that select compares on the key
    side (a component of a joint key, mapped by its view), `query_of` likewise.
    A head selects where all its terms hold."""
    key: View
    query: View
    formula: ir.Selector
    key_of: Callable[[ir.Select, Value], Value]
    query_of: Callable[[ir.Select, Value], Value]

    def leaves(self) -> tuple[CNode, ...]:
        return tuple(v.leaf for v in (self.key, self.query) if v.leaf is not None)

    @cached_property
    def matrix(self) -> np.ndarray:
        """matrix[q, k]: does the term hold for query leaf value q and key leaf value k."""
        return self._evaluate(self.formula)

    def _evaluate(self, selector: ir.Selector) -> np.ndarray:
        if isinstance(selector, ir.Select):
            return self._select_matrix(selector)
        if isinstance(selector, ir.SelectorAnd):
            return self._evaluate(selector.left) & self._evaluate(selector.right)
        if isinstance(selector, ir.SelectorOr):
            return self._evaluate(selector.left) | self._evaluate(selector.right)
        return ~self._evaluate(selector.operand)

    def _select_matrix(self, select: ir.Select) -> np.ndarray:
        """Compare only distinct compared values, then spread the small table by indexing."""
        keys = [self.key_of(select, v) for v in self.key.leaf_values()]
        queries = [self.query_of(select, v) for v in self.query.leaf_values()]
        distinct_keys, key_index = _distinct(keys)
        distinct_queries, query_index = _distinct(queries)
        table = np.array([[ir.predicate_holds(select.predicate, k, q) for k in distinct_keys]
                          for q in distinct_queries], dtype=bool).reshape(len(distinct_queries), len(distinct_keys))
        return table[np.ix_(query_index, key_index)]


def _distinct(values: list[Value]) -> tuple[list[Value], np.ndarray]:
    from dsl.rasp.values import identity_key
    positions: dict = {}
    distinct: list[Value] = []
    index = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        key = identity_key(value)
        if key not in positions:
            positions[key] = len(distinct)
            distinct.append(value)
        index[i] = positions[key]
    return distinct, index


@dataclass(eq=False)
class AggregateHead(CNode):
    terms: tuple[Term, ...] = ()
    value_view: View = None  # type: ignore[assignment]
    single_valued: bool = True   # every query's selected keys hold one value (so a one-hot mean)
    source: "ir.Aggregate | None" = None  # the program's aggregate, for proofs over every input

    def dependencies(self) -> tuple[CNode, ...]:
        leaves = [leaf for term in self.terms for leaf in term.leaves()]
        if self.value_view.leaf is not None:
            leaves.append(self.value_view.leaf)
        return tuple(dict.fromkeys(leaves))

    @property
    def sublayer(self) -> str:
        return "attention"


@dataclass(eq=False)
class WidthHead(CNode):
    """selector_width's attention half: attends to BOS and the selected keys, so the BOS share
    of the attention, 1/(width+1), lands in one numerical direction."""
    terms: tuple[Term, ...] = ()

    def dependencies(self) -> tuple[CNode, ...]:
        return tuple(dict.fromkeys(leaf for term in self.terms for leaf in term.leaves()))

    @property
    def sublayer(self) -> str:
        return "attention"


def to_networkx(output: CNode) -> nx.DiGraph:
    """The nodes the output needs, with an edge from each input to each node that reads it."""
    graph = nx.DiGraph()
    stack = [output]
    graph.add_node(output)
    while stack:
        node = stack.pop()
        for dependency in node.dependencies():
            if dependency not in graph:
                graph.add_node(dependency)
                stack.append(dependency)
            graph.add_edge(dependency, node)
    return graph
