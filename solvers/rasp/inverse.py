"""Aggregate inverses: given a selector and the target, what must the aggregated sequence be?

Categorical: every key a query selects must hold the query's target value (a query that selects
nothing must want None). Numerical: the selected values' mean (or sum) must be the target; the
values are a function of a base sequence (tokens, indices), so the unknowns are that function's
values, one per distinct key, and every query of every example is one equation of a linear
system solved exactly over the rationals; an answer is given only when it is unique.
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


def numerical_table(selector: Sequence[Sequence[int]], target: Sequence[Sequence[Value]],
                    keys: Sequence[Sequence[Value]], mean: bool) -> dict[tuple, tuple[Value, Value]] | None:
    """The function f with f(keys[k]) the aggregated value at key k, such that the mean (`mean`)
    or the sum of f over each query's selection is the target in every example: one linear
    system over all examples (an unknown per distinct key), solved exactly. None when there is no
    such f, more than one, or a selected key is None (RASP maps None to None)."""
    column: dict[tuple, int] = {}
    shown: dict[tuple, Value] = {}
    equations: dict[tuple, None] = {}
    for rows, outputs, row_keys in zip(selector, target, keys):
        for row, out in zip(rows, outputs):
            if not is_number(out) or isinstance(out, bool):
                return None
            chosen = [row_keys[k] for k in range(len(row_keys)) if row >> k & 1]
            if not chosen:
                if out != 0:
                    return None
                continue
            if any(key is None for key in chosen):
                return None
            counts: dict[int, int] = {}
            for key in chosen:
                identity = identity_key(key)
                if identity not in column:
                    column[identity], shown[identity] = len(column), key
                counts[column[identity]] = counts.get(column[identity], 0) + 1
            total = Fraction(out) * (len(chosen) if mean else 1)
            equations[(tuple(sorted(counts.items())), total)] = None   # one equation per distinct row
    rows = [_equation(counts, total, len(column)) for counts, total in equations]
    solution = _solve(rows, len(column))
    if solution is None:
        return None
    return {identity: (shown[identity], solution[index]) for identity, index in column.items()}


def _equation(counts: tuple[tuple[int, int], ...], total: Fraction, width: int) -> list[Fraction]:
    equation = [Fraction(0)] * (width + 1)
    for index, count in counts:
        equation[index] = Fraction(count)
    equation[-1] = total
    return equation


def _solve(equations: list[list[Fraction]], unknowns: int) -> list[Value] | None:
    """Gauss-Jordan elimination over Fractions: the unique solution, or None."""
    rank = 0
    for col in range(unknowns):
        pivot = next((r for r in range(rank, len(equations)) if equations[r][col] != 0), None)
        if pivot is None:
            return None          # this unknown is not determined
        equations[rank], equations[pivot] = equations[pivot], equations[rank]
        lead = equations[rank][col]
        equations[rank] = [x / lead for x in equations[rank]]
        for r in range(len(equations)):
            if r != rank and equations[r][col] != 0:
                factor = equations[r][col]
                equations[r] = [x - factor * y for x, y in zip(equations[r], equations[rank])]
        rank += 1
    if any(eq[-1] != 0 for eq in equations[rank:]):
        return None              # inconsistent
    return [canon(equations[i][-1]) for i in range(unknowns)]
