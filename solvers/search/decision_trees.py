"""Conditional solutions by divide and conquer (EUSolver / cvc5 unification).

When no single expression fits every example, search still finds terms that are right on *some*
examples. If a few such terms cover all examples, a decision tree over the Boolean values search
has built (the predicates) picks the right term per example, giving `(ite p t1 (ite q t2 t3))`.
Examples are bitmasks: bit i set means the term is right on (or the predicate holds for) example i.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from dsl.core import Program

MAX_DEPTH = 6


@dataclass(frozen=True)
class Masked:
    """A term or predicate with the examples it covers (as a bitmask) and its cost."""

    mask: int
    cost: int
    program: Program


def useful_terms(terms: Sequence[Masked]) -> list[Masked]:
    """Drop terms whose examples a cheaper (or equal-cost earlier) term already covers."""
    kept: list[Masked] = []
    for term in sorted(terms, key=lambda t: (t.cost, -t.mask.bit_count())):
        if not any(term.mask & ~k.mask == 0 for k in kept):
            kept.append(term)
    return kept


def covers_all(terms: Sequence[Masked], all_examples: int) -> bool:
    union = 0
    for term in terms:
        union |= term.mask
    return union & all_examples == all_examples


def learn_decision_tree(examples: int, terms: Sequence[Masked], predicates: Sequence[Masked],
                        make_ite: Callable[[Program, Program, Program], Program],
                        check_budget: Callable[[], None] = lambda: None, depth: int = 0) -> Program | None:
    """A decision tree that is right on every example in `examples`, or None.

    A leaf is the cheapest term right on all remaining examples; otherwise split on the predicate
    after which the best single term on each side covers the most examples (ties: cheaper predicate).
    """
    for term in terms:
        if term.mask & examples == examples:
            return term.program
    if depth >= MAX_DEPTH:
        return None
    check_budget()
    best: tuple[int, int, Masked] | None = None
    for predicate in predicates:
        yes, no = examples & predicate.mask, examples & ~predicate.mask
        if not yes or not no:
            continue
        score = (max((t.mask & yes).bit_count() for t in terms)
                 + max((t.mask & no).bit_count() for t in terms))
        if best is None or (score, -predicate.cost) > (best[0], -best[1]):
            best = (score, predicate.cost, predicate)
    if best is None:
        return None
    predicate = best[2]
    then = learn_decision_tree(examples & predicate.mask, terms, predicates, make_ite, check_budget, depth + 1)
    if then is None:
        return None
    otherwise = learn_decision_tree(examples & ~predicate.mask, terms, predicates, make_ite, check_budget,
                                    depth + 1)
    if otherwise is None:
        return None
    return make_ite(predicate.program, then, otherwise)


def leave_one_out_errors(examples: int, terms: Sequence[Masked], predicates: Sequence[Masked],
                         make_ite: Callable[[Program, Program, Program], Program],
                         right_on: Callable[[Program, int], bool],
                         check_budget: Callable[[], None] = lambda: None) -> int:
    """How many examples a tree learned without them gets wrong: a tree that only fits because
    each example steered its own split (over-fitting) predicts its left-out examples badly, one
    that found the task's real condition predicts them. `right_on(program, i)` runs a tree on
    example i. Cheap next to enumeration: no new values, n more tree learnings."""
    errors = 0
    index, rest = 0, examples
    while rest:
        if rest & 1:
            tree = learn_decision_tree(examples & ~(1 << index), terms, predicates, make_ite, check_budget)
            if tree is None or not right_on(tree, index):
                errors += 1
        rest >>= 1
        index += 1
    return errors
