"""Aggregate inverses: given a selector and the target, what must the aggregated sequence be?

Categorical: every key a query selects must hold the query's target value (a query that selects
nothing must want None). Numerical: the selected values' mean (or sum) must be the target, a
linear system per example, solved exactly over the rationals; an answer is given only when the
selected positions are determined uniquely.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from dsl.rasp.values import Value, canon, identity_key, is_number

Spec = tuple[list[list[Value]], list[list[bool]]]   # (value wanted at each key, is it constrained)


def categorical_spec(selector: Sequence[Sequence[int]], target: Sequence[Sequence[Value]]) -> Spec | None:
    """What a single-valued aggregate's values must be at each key, or None if no values can do."""
    wanted: list[list[Value]] = []
    constrained: list[list[bool]] = []
    for rows, outputs in zip(selector, target):
        n = len(outputs)
        values: list[Value] = [None] * n
        fixed = [False] * n
        for row, out in zip(rows, outputs):
            if row == 0:
                if out is not None:
                    return None
                continue
            if out is None:
                return None
            for key in range(n):
                if row >> key & 1:
                    if fixed[key] and identity_key(values[key]) != identity_key(out):
                        return None
                    values[key], fixed[key] = out, True
        wanted.append(values)
        constrained.append(fixed)
    return wanted, constrained


def numerical_spec(selector: Sequence[Sequence[int]], target: Sequence[Sequence[Value]], mean: bool) -> Spec | None:
    """The values whose mean (`mean`) or sum over each query's selection is the target, when the
    selected keys' values are determined (None: no solution, or more than one)."""
    wanted: list[list[Value]] = []
    constrained: list[list[bool]] = []
    for rows, outputs in zip(selector, target):
        solved = _solve(rows, outputs, mean)
        if solved is None:
            return None
        n = len(outputs)
        wanted.append([solved.get(k) for k in range(n)])
        constrained.append([k in solved for k in range(n)])
    return wanted, constrained


def _solve(rows: Sequence[int], outputs: Sequence[Value], mean: bool) -> dict[int, Value] | None:
    """Gauss-Jordan elimination over Fractions: key -> value, or None."""
    n = len(outputs)
    equations: list[list[Fraction]] = []
    unknowns = sorted({k for row in rows for k in range(n) if row >> k & 1})
    column = {k: i for i, k in enumerate(unknowns)}
    for row, out in zip(rows, outputs):
        if not is_number(out) or isinstance(out, bool):
            return None
        width = bin(row).count("1")
        if width == 0:
            if out != 0:
                return None
            continue
        equation = [Fraction(0)] * (len(unknowns) + 1)
        for k in range(n):
            if row >> k & 1:
                equation[column[k]] = Fraction(1)
        equation[-1] = Fraction(out) * (width if mean else 1)
        equations.append(equation)
    rank = 0
    for col in range(len(unknowns)):
        pivot = next((r for r in range(rank, len(equations)) if equations[r][col] != 0), None)
        if pivot is None:
            return None          # this key's value is not determined
        equations[rank], equations[pivot] = equations[pivot], equations[rank]
        lead = equations[rank][col]
        equations[rank] = [x / lead for x in equations[rank]]
        for r in range(len(equations)):
            if r != rank and equations[r][col] != 0:
                factor = equations[r][col]
                equations[r] = [x - factor * y for x, y in zip(equations[r], equations[rank])]
        rank += 1
    if any(all(x == 0 for x in eq[:-1]) and eq[-1] != 0 for eq in equations[rank:]):
        return None              # inconsistent
    return {k: canon(equations[i][-1]) for i, k in enumerate(unknowns)}
