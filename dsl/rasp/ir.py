"""The RASP program as a DAG of sequence operations (SOps) and selectors, after names, functions
and lambdas are resolved. The interpreter runs it; the compiler lowers it to transformer blocks.

Nodes compare by identity: two `select` calls with equal arguments are still two nodes, exactly as
two equal-looking lines of a program are two computations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterator, Union

from dsl.rasp.ast import Pos
from dsl.rasp.values import OPERATIONS, Value, apply_op

CATEGORICAL = "categorical"
NUMERICAL = "numerical"
ARITHMETIC_OPS = frozenset({"+", "-", "*", "/", "%", "neg", "abs"})


# Scalar expressions: the body of a map, over the values of its input sequences at one position.

@dataclass(frozen=True)
class Arg:
    """The value of the map's `index`-th input sequence."""
    index: int


@dataclass(frozen=True)
class Const:
    value: Value


@dataclass(frozen=True)
class Apply:
    op: str
    args: tuple["Scalar", ...]
    # how deeply the expression nests: evaluating it recurses this deep, so its builders bound it
    depth: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", 1 + max((scalar_depth(a) for a in self.args), default=0))


Scalar = Union[Arg, Const, Apply]


def scalar_depth(expr: Scalar) -> int:
    return expr.depth if isinstance(expr, Apply) else 0


def evaluate_scalar(expr: Scalar, args: tuple[Value, ...]) -> Value:
    if isinstance(expr, Arg):
        return args[expr.index]
    if isinstance(expr, Const):
        return expr.value
    return apply_op(expr.op, tuple(evaluate_scalar(a, args) for a in expr.args))


def compile_scalar(expr: Scalar) -> Callable[[tuple[Value, ...]], Value]:
    """`evaluate_scalar` as nested closures: the interpreter calls a map's body once per position
    of every input, so the tree is walked once instead."""
    if isinstance(expr, Arg):
        index = expr.index
        return lambda args: args[index]
    if isinstance(expr, Const):
        value = expr.value
        return lambda args: value
    parts = tuple(compile_scalar(a) for a in expr.args)
    operation = OPERATIONS[expr.op]
    if len(parts) == 1:
        (first,) = parts
        return lambda args: operation((first(args),))
    if len(parts) == 2:
        first, second = parts
        return lambda args: operation((first(args), second(args)))
    return lambda args: operation(tuple(part(args) for part in parts))


def scalar_args(expr: Scalar) -> set[int]:
    if isinstance(expr, Arg):
        return {expr.index}
    if isinstance(expr, Const):
        return set()
    return set().union(*(scalar_args(a) for a in expr.args))


# Sequence operations and selectors.

@dataclass(eq=False)
class Node:
    pos: Pos
    label: str = field(default="", kw_only=True)


@dataclass(eq=False)
class SOp(Node):
    encoding: str = field(default=CATEGORICAL, kw_only=True)

    def children(self) -> tuple["Node", ...]:
        return ()


@dataclass(eq=False)
class Tokens(SOp):
    pass


@dataclass(eq=False)
class Indices(SOp):
    pass


@dataclass(eq=False)
class Map(SOp):
    """An elementwise function of zero or more sequences (zero: a constant sequence)."""
    body: Scalar = Const(None)
    inputs: tuple[SOp, ...] = ()

    def children(self) -> tuple[Node, ...]:
        return self.inputs

    @cached_property
    def function(self) -> Callable[[tuple[Value, ...]], Value]:
        return compile_scalar(self.body)


@dataclass(eq=False)
class Selector(Node):
    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(eq=False)
class Select(Selector):
    """Selects key position k for query position q when `predicate(keys[k], queries[q])`."""
    keys: SOp = None  # type: ignore[assignment]
    queries: SOp = None  # type: ignore[assignment]
    predicate: str = "=="

    def children(self) -> tuple[Node, ...]:
        return (self.keys, self.queries)


@dataclass(eq=False)
class SelectorAnd(Selector):
    left: Selector = None  # type: ignore[assignment]
    right: Selector = None  # type: ignore[assignment]

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(eq=False)
class SelectorOr(Selector):
    left: Selector = None  # type: ignore[assignment]
    right: Selector = None  # type: ignore[assignment]

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(eq=False)
class SelectorNot(Selector):
    operand: Selector = None  # type: ignore[assignment]

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(eq=False)
class Aggregate(SOp):
    """Numerical: the mean of the selected values (default when none). Categorical: the most
    frequent selected value, ties going to the smallest in `sort_key` order."""
    selector: Selector = None  # type: ignore[assignment]
    values: SOp = None  # type: ignore[assignment]
    default: Value = None

    def children(self) -> tuple[Node, ...]:
        return (self.selector, self.values)


@dataclass(eq=False)
class SelectorWidth(SOp):
    """How many key positions each query position selects."""
    selector: Selector = None  # type: ignore[assignment]

    def children(self) -> tuple[Node, ...]:
        return (self.selector,)


def walk(root: Node) -> Iterator[Node]:
    """Every node reachable from `root`, each once, inputs before the nodes that use them."""
    seen: set[int] = set()
    order: list[Node] = []
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for child in reversed(node.children()):
            if id(child) not in seen:
                stack.append((child, False))
    return iter(order)


PREDICATES = {
    "==": lambda k, q: k == q, "!=": lambda k, q: k != q, "<": lambda k, q: k < q,
    "<=": lambda k, q: k <= q, ">": lambda k, q: k > q, ">=": lambda k, q: k >= q,
    "TRUE": lambda k, q: True, "FALSE": lambda k, q: False,
}


def predicate_holds(predicate: str, key: Value, query: Value) -> bool:
    """`key predicate query`; a comparison with None (nothing aggregated) never holds."""
    if predicate in ("TRUE", "FALSE"):
        return predicate == "TRUE"
    if key is None or query is None:
        return False
    try:
        return bool(PREDICATES[predicate](key, query))
    except TypeError:
        return False
