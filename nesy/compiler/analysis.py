"""Static facts the compiler needs to stay exact: which values differ at every position, which
selectors pick at most one key, which aggregates select keys that all hold one value (statically,
or by running every input of the task), and which numbers a mean can produce (exactly)."""
from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Sequence

import numpy as np

from dsl.errors import NesyInputError
from dsl.rasp import ir
from dsl.rasp.interpreter import Interpreter
from dsl.rasp.values import Value, canon, identity_key, unique_sorted
from nesy.compiler.graph import CNode, Embedded, FusedMap, Term, View, WidthHead
from nesy.compiler.plans import PlanError

MAX_INJECTIVITY_CHECK = 50_000
MAX_MEAN_VALUES = 50_000
MAX_EXHAUSTIVE_PROOF = 20_000   # inputs run at compile time to prove an aggregate single-valued


def relation_matrix(term: Term) -> np.ndarray:
    """matrix[q, k]: does the term hold for query leaf value q and key leaf value k."""
    return term.matrix


def injective(node: CNode) -> bool:
    """True when two different positions of any input always hold different values."""
    if isinstance(node, Embedded):
        return node.source == "indices"
    if isinstance(node, FusedMap):
        if not any(injective(leaf) for leaf in node.leaves):
            return False
        return _injective_function(node)
    if isinstance(node, WidthHead):
        return _rank_like(node)
    return False


def _injective_function(node: FusedMap) -> bool:
    combos = 1
    for leaf in node.leaves:
        combos *= len(leaf.values)
    if combos > MAX_INJECTIVITY_CHECK:
        return False
    seen = set()
    for combo in itertools.product(*(leaf.values for leaf in node.leaves)):
        try:
            key = identity_key(ir.evaluate_scalar(node.body, combo))
        except (TypeError, ArithmeticError, ValueError):
            continue
        if key in seen:
            return False
        seen.add(key)
    return True


def _rank_like(node: WidthHead) -> bool:
    """selector_width of a strict (or reflexive) total order over an injective value is the rank
    of each position: different at every position."""
    if len(node.terms) != 1:
        return False
    term = node.terms[0]
    if term.key.leaf is None or term.key.leaf is not term.query.leaf or not injective(term.key.leaf):
        return False
    if term.key.body != term.query.body:
        return False
    matrix = relation_matrix(term)
    return is_total_order(matrix)


def is_total_order(matrix: np.ndarray) -> bool:
    """matrix[q, k]: does key k count for query q. Total order: the off-diagonal part is a strict
    total order (sorting by out-degree turns it into a triangle) and the diagonal is constant."""
    n = matrix.shape[0]
    diagonal = np.diag(matrix)
    if n and not (diagonal.all() or not diagonal.any()):
        return False
    strict = matrix & ~np.eye(n, dtype=bool)
    degrees = strict.sum(axis=1)
    if sorted(degrees.tolist()) != list(range(n)):
        return False
    return bool(np.array_equal(strict, degrees[:, None] > degrees[None, :]))


def selects_at_most_one(terms: Sequence[Term]) -> bool:
    """Some conjunct has an injective key and matches at most one key value per query value."""
    for term in terms:
        leaf = term.key.leaf
        if leaf is None or not injective(leaf):
            continue
        if (relation_matrix(term).sum(axis=1) <= 1).all():
            return True
    return False


def selects_one_value(terms: Sequence[Term], view: View) -> bool:
    """Every query's selected keys hold the same aggregated value, on any input: the value is a
    constant, or a function of some conjunct's key leaf whose every row (query value) selects key
    values that all map to one aggregated value (`select(tokens, 2, ==)` aggregating `tokens`)."""
    if view.leaf is None:
        return True
    for term in terms:
        value_of = _value_of_key(term.key.leaf, view)
        if value_of is None:
            continue
        codes = np.array(_codes([value_of(k) for k in term.key.leaf_values()]))
        matrix = relation_matrix(term)
        if all(len(set(codes[row].tolist())) <= 1 for row in matrix):
            return True
    return False


def _value_of_key(key_leaf: CNode | None, view: View):
    """The aggregated value as a function of the key leaf's value, when it is one: the same leaf,
    or a component of a joint key (a tuple built by an MLP)."""
    if key_leaf is None:
        return None
    if key_leaf is view.leaf:
        return view.apply
    if isinstance(key_leaf, FusedMap) and isinstance(key_leaf.body, ir.Apply) and key_leaf.body.op == "tuple" \
            and view.leaf in key_leaf.leaves:
        index = key_leaf.leaves.index(view.leaf)
        return lambda joint: view.apply(None if joint is None else joint[index])
    return None


def _codes(values: Sequence[Value]) -> list[int]:
    """Small ints standing for values, equal exactly when the values are identical."""
    numbering: dict = {}
    return [numbering.setdefault(identity_key(v), len(numbering)) for v in values]


class _Watcher(Interpreter):
    """The interpreter, noting the first query whose selected keys hold two different values, for
    each watched categorical aggregate."""

    def __init__(self, tokens: Sequence[Value], watched: dict[int, object], found: dict) -> None:
        super().__init__(tokens)
        self.watched, self.found = watched, found

    def aggregate_row(self, chosen: list[Value], node: ir.Aggregate) -> Value:
        if id(node) in self.watched and id(node) not in self.found:
            distinct = unique_sorted(chosen)
            if len(distinct) > 1:
                self.found[id(node)] = (list(self.tokens), distinct[:2])
        return super().aggregate_row(chosen, node)


def one_value_on_every_input(output: ir.SOp, aggregates: Sequence[ir.Aggregate], vocab: Sequence[Value],
                             max_len: int, limit: int = MAX_EXHAUSTIVE_PROOF) -> dict[int, tuple] | None:
    """Runs the program on every input of the task (None when there are more than `limit`) and
    returns, per aggregate (by id) that selected two different values somewhere, the input and
    the two values: aggregates absent from the answer are proved single-valued on this task."""
    if sum(len(vocab) ** n for n in range(1, max_len + 1)) > limit:
        return None
    watched = {id(a): a for a in aggregates}
    found: dict[int, tuple] = {}
    for n in range(1, max_len + 1):
        for tokens in itertools.product(vocab, repeat=n):
            try:
                _Watcher(tokens, watched, found).value(output)
            except NesyInputError:
                continue  # the program fails on this input: no model output to get wrong
            if len(found) == len(watched):
                return found
    return found


def mean_values(values: Sequence[Value], max_len: int) -> tuple[Value, ...]:
    """Every mean of 1..max_len values drawn (with repeats) from `values`, exactly (rationals)."""
    numbers = sorted({canon(Fraction(v)) for v in values})
    sums: set = {0}
    means: set = set()
    for count in range(1, max_len + 1):
        sums = {s + x for s in sums for x in numbers}
        means.update(canon(Fraction(s, 1) / count) for s in sums)
        if len(means) > MAX_MEAN_VALUES or len(sums) > MAX_MEAN_VALUES:
            raise PlanError(f"the mean can take more than {MAX_MEAN_VALUES} values")
    return unique_sorted(means)
