"""The LP relaxation of a NAP query (HiGHS through scipy): fixed ReLUs are exact, free ones get the
triangle enclosure. Its optimum bounds the objective on one branch, and its maximizer is a candidate
counterexample; once every ReLU is fixed the LP is the exact problem.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from solvers.nap.bounds import Bounds
from solvers.nap.network import OFF, ON, Phases, Region, ReluNetwork


@dataclass(frozen=True)
class LpResult:
    """Status 'infeasible' or 'optimal' (or 'error'); value = max objective as the solver reports it;
    bound = an upper bound of it from the duals that does not trust the solver's tolerances;
    x = the maximizing input; gaps = per hidden layer a - relu(z) at the optimum."""

    status: str
    value: float
    x: np.ndarray | None
    gaps: tuple[np.ndarray, ...] = ()
    bound: float = np.inf


def solve_relaxation(network: ReluNetwork, region: Region, phases: Phases, bounds: Bounds,
                     weights: np.ndarray | None, margin: float = 0.0) -> LpResult:
    """Maximize weights @ logits (or just test feasibility) over the relaxation.

    With margin > 0 every required phase must hold with that slack (ON: z >= margin, OFF: z <= -margin).
    Variables are the input and each hidden layer's activations; a pre-activation is never a variable
    (z = W a + b is substituted), and rows the variable bounds already imply are left out.
    """
    sizes = [network.input_size, *network.hidden_sizes]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    width = int(offsets[-1])
    lower = [region.lo]
    upper = [region.hi]
    ub_rows, ub_rhs, eq_rows, eq_rhs = [], [], [], []
    for k, (lo, hi, phase) in enumerate(zip(bounds.pre_lo, bounds.pre_hi, phases.layers)):
        layer = network.layers[k]
        active = (phase == ON) | (lo >= 0)
        inactive = ~active & ((phase == OFF) | (hi <= 0))
        unstable = ~active & ~inactive
        a_lo = np.where(active, np.maximum(lo, np.where(phase == ON, margin, 0.0)), 0.0)
        a_hi = np.where(inactive, 0.0, np.maximum(hi, 0.0))
        lower.append(a_lo)
        upper.append(a_hi)

        def rows(select: np.ndarray, prev_coeff: np.ndarray, own_coeff: np.ndarray) -> np.ndarray:
            block = np.zeros((int(select.sum()), width))
            block[:, offsets[k]:offsets[k + 1]] = prev_coeff
            block[:, offsets[k + 1]:offsets[k + 2]] = own_coeff
            return block

        w, b = layer.weight, layer.bias
        eye = np.eye(len(lo))
        eq_rows.append(rows(active, -w[active], eye[active]))                     # a = z
        eq_rhs.append(b[active])
        off_limit = np.where(phase == OFF, np.minimum(hi, -margin), hi)
        ub_rows.append(rows(inactive, w[inactive], 0.0))                          # z <= hi (<= 0)
        ub_rhs.append(off_limit[inactive] - b[inactive])
        ub_rows.append(rows(unstable, w[unstable], -eye[unstable]))               # a >= z
        ub_rhs.append(-b[unstable])
        slope = np.where(unstable, hi / np.where(unstable, hi - lo, 1.0), 0.0)[unstable]
        ub_rows.append(rows(unstable, -slope[:, None] * w[unstable], eye[unstable]))  # a <= slope (z - lo)
        ub_rhs.append(slope * (b[unstable] - lo[unstable]))
    lower_all, upper_all = np.concatenate(lower), np.concatenate(upper)
    if np.any(lower_all > upper_all):
        return LpResult("infeasible", -np.inf, None)
    cost = np.zeros(width)
    constant = 0.0
    if weights is not None:
        last = network.layers[-1]
        cost[offsets[-2]:] = -(weights @ last.weight)
        constant = float(weights @ last.bias)
    a_ub, a_eq = np.vstack(ub_rows), np.vstack(eq_rows)
    b_ub, b_eq = np.concatenate(ub_rhs), np.concatenate(eq_rhs)
    res = linprog(cost, A_ub=csr_matrix(a_ub) if len(a_ub) else None, b_ub=b_ub if len(a_ub) else None,
                  A_eq=csr_matrix(a_eq) if len(a_eq) else None, b_eq=b_eq if len(a_eq) else None,
                  bounds=np.column_stack([lower_all, upper_all]), method="highs",
                  options={"presolve": False})  # presolve costs more than it saves on these small LPs
    if res.status == 2:
        return LpResult("infeasible", -np.inf, None)
    if res.status != 0:
        return LpResult("error", np.inf, None)
    x = res.x[:network.input_size]
    gaps = tuple(res.x[offsets[k + 1]:offsets[k + 2]] - np.maximum(_pre(network, res.x, offsets, k), 0.0)
                 for k in range(len(network.hidden_sizes)))
    dual_ub = np.minimum(res.ineqlin.marginals, 0.0) if len(a_ub) else np.zeros(0)
    dual_eq = res.eqlin.marginals if len(a_eq) else np.zeros(0)
    lowest = _safe_lower_bound(cost, a_ub, b_ub, dual_ub, a_eq, b_eq, dual_eq, lower_all, upper_all)
    return LpResult("optimal", -float(res.fun) + constant, x, gaps, -lowest + constant)


def _safe_lower_bound(cost: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray, y_ub: np.ndarray, a_eq: np.ndarray,
                      b_eq: np.ndarray, y_eq: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """A lower bound on min cost @ v that holds for *any* multipliers y_ub <= 0, y_eq (Neumaier and
    Shcherbina's safe bound): the solver's tolerances cannot make it wrong, only loose. For every
    feasible v, cost @ v = y_ub @ A_ub v + y_eq @ A_eq v + r @ v >= y_ub @ b_ub + y_eq @ b_eq + min(r @ v)."""
    reduced = cost - a_ub.T @ y_ub - a_eq.T @ y_eq
    box = np.minimum(reduced * lower, reduced * upper).sum()
    return float(y_ub @ b_ub + y_eq @ b_eq + box) - SAFETY * (1.0 + abs(float(y_ub @ b_ub + y_eq @ b_eq)))


SAFETY = 1e-9
"""Slack for the float rounding in computing the safe bound itself (its terms are ~1e-12 accurate)."""


def _pre(network: ReluNetwork, solution: np.ndarray, offsets: np.ndarray, k: int) -> np.ndarray:
    layer = network.layers[k]
    return layer.weight @ solution[offsets[k]:offsets[k + 1]] + layer.bias
