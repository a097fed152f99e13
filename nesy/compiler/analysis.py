"""Static facts the compiler needs to stay exact: which values differ at every position, which
selectors pick at most one key, and which numbers a mean can produce."""
from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np

from dsl.rasp.values import Value, canon, identity_key, unique_sorted
from nesy.compiler.graph import CNode, Embedded, FusedMap, Term, WidthHead
from nesy.compiler.plans import PlanError

MAX_INJECTIVITY_CHECK = 50_000
MAX_MEAN_VALUES = 50_000


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
    from dsl.rasp import ir
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


def mean_values(values: Sequence[Value], max_len: int) -> tuple[Value, ...]:
    """Every mean of 1..max_len values drawn (with repeats) from `values`."""
    numbers = sorted({float(v) for v in values})
    sums = {0.0}
    means: set = set()
    for count in range(1, max_len + 1):
        sums = {canon(s + x) for s in sums for x in numbers}
        means.update(canon(s / count) for s in sums)
        if len(means) > MAX_MEAN_VALUES or len(sums) > MAX_MEAN_VALUES:
            raise PlanError(f"the mean can take more than {MAX_MEAN_VALUES} values")
    return unique_sorted(means)
