"""The exact check: a NAP query in QF_LRA for Z3, over the rational values of the grid-rounded weights.

Neurons whose sign bound propagation settled (with a safety gap) become linear; the rest stay
`If(z > 0, z, 0)`, and the branches case splitting left open are passed as one disjunction, so Z3
only ever sees what the float engine could not settle. One solver per query, with a timeout.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np
import z3

from solvers.nap.bounds import Bounds
from solvers.nap.network import OFF, ON, Phases, Region, ReluNetwork
from solvers.nap.verdict import COUNTEREXAMPLE, TIMEOUT, VERIFIED

SETTLED_GAP = 1e-9
"""A float bound must clear zero by this much before Z3 is told the sign (float rounding is far below)."""


def _real(value: float) -> z3.ArithRef:
    fraction = Fraction(float(value))
    return z3.RealVal(f"{fraction.numerator}/{fraction.denominator}")


def _linear(weights: np.ndarray, bias: float, terms: Sequence[z3.ArithRef]) -> z3.ArithRef:
    parts = [_real(w) * t for w, t in zip(weights, terms) if w != 0]
    parts.append(_real(bias))
    return z3.Sum(parts)


@dataclass(frozen=True)
class _Encoding:
    """The phase-independent part of a network's encoding: z = W a + b for every layer, built once
    per network (building the rational terms costs more than most checks) and shared by solvers."""

    inputs: list[z3.ArithRef]
    pre: list[list[z3.ArithRef]]
    post: list[list[z3.ArithRef]]
    logits: list[z3.ArithRef]
    definitions: list[z3.BoolRef]


_CACHE: dict[int, tuple[ReluNetwork, _Encoding]] = {}


def _encoding(network: ReluNetwork) -> _Encoding:
    cached = _CACHE.get(id(network))
    if cached is not None and cached[0] is network:
        return cached[1]
    inputs = [z3.Real(f"x{i}") for i in range(network.input_size)]
    terms, pre, post, definitions = inputs, [], [], []
    for k, layer in enumerate(network.layers):
        zs = [z3.Real(f"z{k}_{i}") for i in range(layer.weight.shape[0])]
        definitions += [z == _linear(layer.weight[i], layer.bias[i], terms) for i, z in enumerate(zs)]
        if k == len(network.layers) - 1:
            logits = zs
            break
        pre.append(zs)
        terms = [z3.Real(f"a{k}_{i}") for i in range(len(zs))]
        post.append(terms)
    if len(_CACHE) >= 4:
        _CACHE.clear()
    encoding = _Encoding(inputs, pre, post, logits, definitions)
    _CACHE[id(network)] = (network, encoding)
    return encoding


def z3_check(network: ReluNetwork, region: Region, phases: Phases, bounds: Bounds, weights: np.ndarray | None,
             branches: Sequence[Phases], timeout_s: float) -> tuple[str, np.ndarray | None]:
    """('unsat' | 'sat' | 'unknown', witness input or None) for: x in region, follows phases, objective >= 0,
    and x in one of the branches (each a set of extra required phases; empty means no restriction)."""
    encoding = _encoding(network)
    solver = z3.Solver()
    solver.set("timeout", max(1, int(timeout_s * 1000)))
    for x, lo, hi in zip(encoding.inputs, region.lo, region.hi):
        solver.add(x >= _real(lo), x <= _real(hi))
    solver.add(encoding.definitions)
    for k, (zs, activations) in enumerate(zip(encoding.pre, encoding.post)):
        phase, lo, hi = phases.layers[k], bounds.pre_lo[k], bounds.pre_hi[k]
        for i, (z, a) in enumerate(zip(zs, activations)):
            if phase[i] == ON:
                solver.add(z > 0)
            elif phase[i] == OFF:
                solver.add(z <= 0)
            if phase[i] == ON or lo[i] > SETTLED_GAP:
                solver.add(a == z)
            elif phase[i] == OFF or hi[i] < -SETTLED_GAP:
                solver.add(a == 0)
            else:
                solver.add(a == z3.If(z > 0, z, z3.RealVal(0)))
    if weights is not None:
        solver.add(z3.Sum([_real(w) * y for w, y in zip(weights, encoding.logits) if w != 0]) >= 0)
    restrictions = [_branch_condition(branch, encoding.pre) for branch in branches]
    if restrictions:
        solver.add(z3.Or(restrictions))
    answer = solver.check()
    if answer == z3.unsat:
        return VERIFIED, None
    if answer == z3.sat:
        model = solver.model()
        witness = np.array([_to_float(model.eval(x, model_completion=True)) for x in encoding.inputs])
        return COUNTEREXAMPLE, witness
    return TIMEOUT, None


def _branch_condition(branch: Phases, pre_terms: list[list[z3.ArithRef]]) -> z3.BoolRef:
    parts = []
    for zs, phase in zip(pre_terms, branch.layers):
        for i in np.nonzero(phase)[0]:
            parts.append(zs[i] > 0 if phase[i] == ON else zs[i] <= 0)
    return z3.And(parts) if parts else z3.BoolVal(True)


def _to_float(value: z3.ArithRef) -> float:
    if z3.is_rational_value(value):
        return float(Fraction(value.numerator_as_long(), value.denominator_as_long()))
    return float(value.approx(20).as_fraction())
