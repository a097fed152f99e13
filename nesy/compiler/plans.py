"""Exact tables for MLPs: every elementwise function the compiler emits is one of three plans.

- `LookupPlan`: categorical inputs only; one hidden unit per combination of input values.
- `StepPlan`: categorical inputs plus one number z (an affine form of the numerical inputs);
  z ranges over the finite set of values that can actually occur, and the output changes only
  at some points of it, so the plan keeps one sharp ReLU step per change (not per value).
- `AffinePlan`: a numerical output that is affine in numerical inputs: no discretisation at all.

Each plan is the whole truth about its MLP, in exact rationals (thresholds, slopes, z values);
`blocks.py` only turns it into float weights.
"""
from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from dsl.rasp import ir
from dsl.rasp.values import Value, canon, identity_key, is_number, sort_key

MAX_COMBINATIONS = 4096
MAX_Z_VALUES = 300_000
MAX_HIDDEN = 20_000


class PlanError(Exception):
    """The function cannot be compiled exactly within the size limits; the message says why."""


@dataclass(frozen=True)
class LookupPlan:
    leaves: tuple[int, ...]                       # leaf positions, all categorical
    rows: tuple[tuple[tuple[Value, ...], Value], ...]  # (leaf values, output)


Number = int | Fraction


@dataclass(frozen=True)
class Step:
    threshold: Number
    half_width: Number  # the ramp spans threshold +- half_width, inside the gap between values
    before: Value
    after: Value


@dataclass(frozen=True)
class StepRow:
    combo: tuple[Value, ...]
    base: Value           # the output at the smallest z
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class LinearRow:
    """A combination whose numerical output is affine in z: slope * z + intercept, computed
    exactly by two gated ReLUs (relu(z) - relu(-z)) instead of one step per value."""
    combo: tuple[Value, ...]
    slope: Number
    intercept: Number
    outputs: tuple[Value, ...]


@dataclass(frozen=True)
class StepPlan:
    leaves: tuple[int, ...]            # categorical leaf positions
    coefficients: dict[int, Number]    # z = sum(coef * numerical leaf) + constant
    constant: Number
    z_min: Number
    z_max: Number
    rows: tuple[StepRow | LinearRow, ...]


@dataclass(frozen=True)
class AffinePlan:
    coefficients: dict[int, Number]
    constant: Number


Plan = LookupPlan | StepPlan | AffinePlan


def plan_outputs(plan: Plan) -> list[Value]:
    """Every output the plan can produce, with multiplicity (to pick the implicit value)."""
    if isinstance(plan, LookupPlan):
        return [out for _, out in plan.rows]
    if isinstance(plan, StepPlan):
        return [v for row in plan.rows for v in
                (row.outputs if isinstance(row, LinearRow) else (row.base, *(s.after for s in row.steps)))]
    return []


def most_common(values: Sequence[Value]) -> Value:
    counts = Counter(identity_key(v) for v in values)
    by_key = {identity_key(v): v for v in values}
    return by_key[counts.most_common(1)[0][0]]


def make_plan(body: ir.Scalar, leaf_values: Sequence[tuple[Value, ...]], numerical: Sequence[bool],
              numerical_output: bool) -> Plan:
    """The plan computing `body` over leaves with these value sets and encodings."""
    categorical = tuple(i for i, n in enumerate(numerical) if not n)
    numeric = tuple(i for i, n in enumerate(numerical) if n)
    if not numeric:
        return _lookup(body, leaf_values, categorical, numerical_output)
    if numerical_output and not categorical:
        form = affine_form(body, set(numeric), set())
        if form is not None:
            return AffinePlan(*form)
    return _steps(body, leaf_values, categorical, numeric, numerical_output)


def _combinations(leaf_values: Sequence[tuple[Value, ...]], positions: tuple[int, ...]) -> list[tuple]:
    count = 1
    for i in positions:
        count *= len(leaf_values[i])
    if count > MAX_COMBINATIONS:
        raise PlanError(f"{count} combinations of categorical inputs (limit {MAX_COMBINATIONS})")
    return list(itertools.product(*(leaf_values[i] for i in positions)))


def _evaluate(function, args: tuple[Value, ...], numerical_output: bool) -> Value | None:
    try:
        out = function(args)
    except (TypeError, ArithmeticError, ValueError):
        return _UNDEFINED
    if numerical_output:
        if out is None or not is_number(out):
            raise PlanError(f"a numerical map produces the non-number {out!r}")
        return canon(Fraction(out))  # a number, exactly (True counts as 1)
    return out


_UNDEFINED = object()  # the program itself fails on these inputs, so any output is as good


def _lookup(body, leaf_values, categorical, numerical_output) -> LookupPlan:
    rows = []
    function = ir.compile_scalar(body)
    for combo in _combinations(leaf_values, categorical):
        out = _evaluate(function, combo, numerical_output)
        if out is not _UNDEFINED:
            rows.append((combo, out))
    return LookupPlan(categorical, tuple(rows))


def affine_form(expr: ir.Scalar, numeric: set[int], categorical: set[int]) -> tuple[dict[int, Number], Number] | None:
    """(coefficients, constant), exact, when `expr` is affine in numerical args and uses no other args."""
    if isinstance(expr, ir.Const):
        return ({}, canon(Fraction(expr.value))) if is_number(expr.value) else None
    if isinstance(expr, ir.Arg):
        return ({expr.index: 1}, 0) if expr.index in numeric else None
    parts = [affine_form(a, numeric, categorical) for a in expr.args]
    if any(p is None for p in parts):
        return None
    if expr.op == "neg":
        (coefs, const), = parts
        return {k: -v for k, v in coefs.items()}, -const
    if expr.op in ("+", "-"):
        (ca, a), (cb, b) = parts
        sign = 1 if expr.op == "+" else -1
        coefs = dict(ca)
        for k, v in cb.items():
            coefs[k] = coefs.get(k, 0) + sign * v
        return coefs, a + sign * b
    if expr.op in ("*", "/"):
        (ca, a), (cb, b) = parts
        if expr.op == "*" and not ca:
            ca, a, cb, b = cb, b, ca, a
        if cb or (expr.op == "/" and b == 0):
            return None
        factor = b if expr.op == "*" else canon(1 / Fraction(b))
        return {k: canon(v * factor) for k, v in ca.items()}, canon(a * factor)
    return None


def _mentions(expr: ir.Scalar, args: set[int]) -> bool:
    return bool(ir.scalar_args(expr) & args)


def _abstract_z(body: ir.Scalar, numeric: tuple[int, ...], z_index: int):
    """Replace the numerical part of `body` by Arg(z_index); returns (new body, coefs, constant)."""
    if len(numeric) == 1:
        only = numeric[0]

        def swap(expr):
            if isinstance(expr, ir.Arg):
                return ir.Arg(z_index) if expr.index == only else expr
            if isinstance(expr, ir.Apply):
                return ir.Apply(expr.op, tuple(swap(a) for a in expr.args))
            return expr
        return swap(body), {only: 1}, 0
    forms: list[tuple[dict[int, Number], Number]] = []

    def replace(expr):
        if _mentions(expr, set(numeric)):
            form = affine_form(expr, set(numeric), set())
            if form is not None:
                forms.append(form)
                return ir.Arg(z_index)
            if isinstance(expr, ir.Apply):
                return ir.Apply(expr.op, tuple(replace(a) for a in expr.args))
            raise PlanError("the numerical inputs are used outside one affine combination")
        return expr
    new_body = replace(body)
    if any(f != forms[0] for f in forms):
        raise PlanError("the map combines numerical inputs in two different ways "
                        "(split it, or make one input categorical)")
    coefs, const = forms[0]
    return new_body, coefs, const


def z_values(coefs: dict[int, Number], const: Number, leaf_values: Sequence[tuple[Value, ...]]) -> list[Number]:
    """Every value z = sum(coef * leaf) + const can take, exactly, in increasing order."""
    sets = [sorted({canon(Fraction(v)) for v in leaf_values[i] if is_number(v)}) for i in coefs]
    total = 1
    for s in sets:
        total *= len(s)
    if total > MAX_Z_VALUES:
        raise PlanError(f"{total} combinations of numerical inputs (limit {MAX_Z_VALUES})")
    keys = list(coefs)
    values = {canon(sum(coefs[k] * x for k, x in zip(keys, combo)) + const) for combo in itertools.product(*sets)}
    return sorted(values, key=sort_key)


def _steps(body, leaf_values, categorical, numeric, numerical_output) -> StepPlan:
    z_index = len(leaf_values)
    new_body, coefs, const = _abstract_z(body, numeric, z_index)
    zs = z_values(coefs, const, leaf_values)
    rows = []
    hidden = 0
    function = ir.compile_scalar(new_body)
    for combo in _combinations(leaf_values, categorical):
        line = _affine_row(new_body, categorical, combo, z_index) if numerical_output and zs else None
        if line is not None:
            slope, intercept = line
            rows.append(LinearRow(combo, slope, intercept, tuple(canon(slope * z + intercept) for z in zs)))
            hidden += 3
            continue
        args = [None] * (z_index + 1)
        for i, v in zip(categorical, combo):
            args[i] = v
        outputs = []
        for z in zs:
            args[z_index] = z
            outputs.append(_evaluate(function, tuple(args), numerical_output))
        defined = [(z, out) for z, out in zip(zs, outputs) if out is not _UNDEFINED]
        if not defined:
            continue
        line = _line_through(defined) if numerical_output else None
        if line is not None:
            rows.append(LinearRow(combo, *line, tuple(out for _, out in defined)))
            hidden += 3
            continue
        steps = []
        for (z0, out0), (z1, out1) in zip(defined, defined[1:]):
            if identity_key(out0) != identity_key(out1):
                steps.append(Step(canon(Fraction(z0 + z1) / 2), canon(Fraction(z1 - z0) / 4), out0, out1))
        rows.append(StepRow(combo, defined[0][1], tuple(steps)))
        hidden += 1 + 2 * len(steps)
        if hidden > MAX_HIDDEN:
            raise PlanError(f"more than {MAX_HIDDEN} hidden units to discretise a numerical input "
                            f"with {len(zs)} possible values")
    return StepPlan(categorical, coefs, const, zs[0] if zs else 0, zs[-1] if zs else 0, tuple(rows))


def _affine_row(body: ir.Scalar, categorical: tuple[int, ...], combo: tuple[Value, ...],
                z_index: int) -> tuple[Number, Number] | None:
    """(slope, intercept) when `body`, with this combination's values put in, is affine in z by
    its form (`mean * (indices + 1)`): exact by construction, with no point to evaluate."""
    constants = dict(zip(categorical, combo))

    def bind(expr: ir.Scalar) -> ir.Scalar:
        if isinstance(expr, ir.Arg) and expr.index in constants:
            return ir.Const(constants[expr.index])
        if isinstance(expr, ir.Apply):
            return ir.Apply(expr.op, tuple(bind(a) for a in expr.args))
        return expr
    form = affine_form(bind(body), {z_index}, set())
    if form is None:
        return None
    coefficients, intercept = form
    return coefficients.get(z_index, 0), intercept


def _line_through(points: list[tuple[Number, Value]]) -> tuple[Number, Number] | None:
    """(slope, intercept) when every (z, out) lies exactly on one line, else None (a float test
    first: most rows that are not lines fail it at once)."""
    (z0, y0), (z1, y1) = points[0], points[-1]
    slope = canon(Fraction(y1 - y0) / (z1 - z0)) if z1 != z0 else 0
    intercept = canon(y0 - slope * z0)
    fast_slope, fast_intercept = float(slope), float(intercept)
    if any(abs(fast_slope * float(z) + fast_intercept - float(y)) > 1e-6 * max(1.0, abs(float(y)))
           for z, y in points):
        return None
    if any(slope * z + intercept != y for z, y in points):
        return None
    return slope, intercept
