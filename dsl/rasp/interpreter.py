"""The reference semantics of RASP (Weiss et al. 2021) on one input sequence.

Numbers are exact rationals (`dsl.rasp.values`). Aggregates: numerical ones average the selected
values exactly (default, 0 unless given, when nothing is selected); categorical ones return the most frequent selected value, ties going to the smallest in
`sort_key` order (the value a mean of one-hot vectors decodes to), default (None) when nothing is
selected. Runtime errors (`"a" + 1`) name the program line and column.
"""
from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Sequence

from dsl.errors import NesyInputError
from dsl.rasp import ir
from dsl.rasp.values import Value, canon, format_value, identity_key, is_number, sort_key

Matrix = list[list[bool]]  # matrix[query][key]


class Interpreter:
    """Evaluates IR nodes on one input, each node once, inputs first (no recursion: a program may
    chain thousands of statements)."""

    def __init__(self, tokens: Sequence[Value], path: str = "<rasp>") -> None:
        if not tokens:
            raise NesyInputError("the input sequence is empty")
        try:
            self.tokens = [canon(t) for t in tokens]
        except ArithmeticError as error:
            raise NesyInputError(f"bad input token: {error}") from None
        self.path = path
        self.memo: dict[int, object] = {}

    def error(self, message: str, node: ir.Node) -> NesyInputError:
        return NesyInputError(message, path=self.path, line=node.pos.line or None, column=node.pos.column or None)

    def value(self, node: ir.Node):
        if id(node) not in self.memo:
            for each in ir.walk(node):
                if id(each) not in self.memo:
                    self.memo[id(each)] = getattr(self, "_" + type(each).__name__.lower())(each)
        return self.memo[id(node)]

    def _tokens(self, node: ir.Tokens) -> list[Value]:
        return list(self.tokens)

    def _indices(self, node: ir.Indices) -> list[Value]:
        return list(range(len(self.tokens)))

    def _map(self, node: ir.Map) -> list[Value]:
        columns = [self.value(s) for s in node.inputs]
        function = node.function
        out = []
        for position in range(len(self.tokens)):
            args = tuple(column[position] for column in columns)
            try:
                out.append(function(args))
            except (TypeError, ArithmeticError, ValueError) as error:
                shown = ", ".join(format_value(a) for a in args)
                raise self.error(f"cannot compute this map at position {position} (inputs {shown}): {error}",
                                 node) from None
        return out

    def _select(self, node: ir.Select) -> Matrix:
        keys, queries = self.value(node.keys), self.value(node.queries)
        return [[ir.predicate_holds(node.predicate, k, q) for k in keys] for q in queries]

    def _selectorand(self, node: ir.SelectorAnd) -> Matrix:
        a, b = self.value(node.left), self.value(node.right)
        return [[x and y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]

    def _selectoror(self, node: ir.SelectorOr) -> Matrix:
        a, b = self.value(node.left), self.value(node.right)
        return [[x or y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]

    def _selectornot(self, node: ir.SelectorNot) -> Matrix:
        return [[not x for x in row] for row in self.value(node.operand)]

    def _selectorwidth(self, node: ir.SelectorWidth) -> list[Value]:
        return [sum(row) for row in self.value(node.selector)]

    def _aggregate(self, node: ir.Aggregate) -> list[Value]:
        matrix, values = self.value(node.selector), self.value(node.values)
        return [self.aggregate_row([v for v, selected in zip(values, row) if selected], node)
                for row in matrix]

    def aggregate_row(self, chosen: list[Value], node: ir.Aggregate) -> Value:
        """One query position's result from the values it selected."""
        if not chosen:
            return node.default
        if node.encoding == ir.NUMERICAL:
            return self.mean(chosen, node)
        return most_frequent(chosen)

    def mean(self, chosen: list[Value], node: ir.Aggregate) -> Value:
        bad = [v for v in chosen if not is_number(v)]
        if bad:
            raise self.error(f"numerical aggregate of a non-numerical value {format_value(bad[0])!r}", node)
        return canon(Fraction(sum(chosen)) / len(chosen))


def most_frequent(chosen: list[Value]) -> Value:
    counts = Counter(identity_key(v) for v in chosen)
    by_key = {identity_key(v): v for v in chosen}
    best = max(counts.values())
    return min((by_key[k] for k, c in counts.items() if c == best), key=sort_key)


def run(output: ir.SOp, tokens: Sequence[Value], path: str = "<rasp>") -> list[Value]:
    """The output sequence of the program whose output node is `output`, on `tokens`."""
    return Interpreter(tokens, path).value(output)  # type: ignore[return-value]


def trace(output: ir.SOp, tokens: Sequence[Value], path: str = "<rasp>") -> dict[str, list[Value]]:
    """Every named sequence of the program on `tokens` (what `nesy rasp run --trace` prints)."""
    interpreter = Interpreter(tokens, path)
    interpreter.value(output)
    return {node.label: interpreter.value(node) for node in ir.walk(output)
            if isinstance(node, ir.SOp) and node.label}
