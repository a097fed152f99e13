"""The LP relaxation of a NAP query (HiGHS through scipy): fixed ReLUs are exact, free ones get the
triangle enclosure. Its optimum bounds the objective on one branch, and its maximizer is a candidate
counterexample; once every ReLU is fixed the LP is the exact problem.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from solvers.bounds import Bounds
from solvers.nap_network import OFF, ON, Phases, Region, ReluNetwork


@dataclass(frozen=True)
class LpResult:
    """Status 'infeasible' or 'optimal' (or 'error'); value = max objective; x = the maximizing input;
    gaps = per hidden layer a - relu(z) at the optimum (how much each relaxation was used)."""

    status: str
    value: float
    x: np.ndarray | None
    gaps: tuple[np.ndarray, ...] = ()


class _Rows:
    """Sparse A_ub / A_eq rows collected one at a time."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.rhs: list[float] = []

    def add(self, cols: np.ndarray, vals: np.ndarray, rhs: float) -> None:
        row = len(self.rhs)
        self.rows.extend([row] * len(cols))
        self.cols.extend(cols.tolist())
        self.vals.extend(vals.tolist())
        self.rhs.append(rhs)

    def matrix(self, width: int):
        if not self.rhs:
            return None, None
        return coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.rhs), width)).tocsr(), np.array(self.rhs)


def solve_relaxation(network: ReluNetwork, region: Region, phases: Phases, bounds: Bounds,
                     weights: np.ndarray | None, margin: float = 0.0) -> LpResult:
    """Maximize weights @ logits (or just test feasibility) over the relaxation.

    With margin > 0 every required phase must hold with that slack (ON: z >= margin, OFF: z <= -margin).
    """
    sizes = [network.input_size, *network.hidden_sizes]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    width = int(offsets[-1])
    lower = np.concatenate([region.lo, *[np.maximum(lo, 0.0) for lo in bounds.pre_lo]])
    upper = np.concatenate([region.hi, *[np.maximum(hi, 0.0) for hi in bounds.pre_hi]])
    ub, eq = _Rows(), _Rows()
    for k, (lo, hi, phase) in enumerate(zip(bounds.pre_lo, bounds.pre_hi, phases.layers)):
        layer = network.layers[k]
        prev = np.arange(offsets[k], offsets[k + 1])
        for i in range(len(lo)):
            w, b, a = layer.weight[i], layer.bias[i], int(offsets[k + 1] + i)
            z_lo = max(lo[i], margin) if phase[i] == ON else lo[i]
            z_hi = min(hi[i], -margin) if phase[i] == OFF else hi[i]
            ub.add(prev, -w, b - z_lo)                      # z >= z_lo
            ub.add(prev, w, z_hi - b)                       # z <= z_hi
            if phase[i] == ON or lo[i] >= 0:
                eq.add(np.append(prev, a), np.append(-w, 1.0), b)      # a = z
            elif phase[i] == OFF or hi[i] <= 0:
                upper[a] = 0.0                                          # a = 0
            else:
                slope = hi[i] / (hi[i] - lo[i])
                ub.add(np.append(prev, a), np.append(w, -1.0), -b)     # a >= z
                ub.add(np.append(prev, a), np.append(-slope * w, 1.0), slope * (b - lo[i]))  # a <= slope (z - lo)
    cost = np.zeros(width)
    constant = 0.0
    if weights is not None:
        last = network.layers[-1]
        cost[offsets[-2]:] = -(weights @ last.weight)
        constant = float(weights @ last.bias)
    a_ub, b_ub = ub.matrix(width)
    a_eq, b_eq = eq.matrix(width)
    if np.any(lower > upper):
        return LpResult("infeasible", -np.inf, None)
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=np.column_stack([lower, upper]),
                  method="highs")
    if res.status == 2:
        return LpResult("infeasible", -np.inf, None)
    if res.status != 0:
        return LpResult("error", np.inf, None)
    x = res.x[:network.input_size]
    gaps = tuple(res.x[offsets[k + 1]:offsets[k + 2]] - np.maximum(_pre(network, res.x, offsets, k), 0.0)
                 for k in range(len(network.hidden_sizes)))
    return LpResult("optimal", -float(res.fun) + constant, x, gaps)


def _pre(network: ReluNetwork, solution: np.ndarray, offsets: np.ndarray, k: int) -> np.ndarray:
    layer = network.layers[k]
    return layer.weight @ solution[offsets[k]:offsets[k + 1]] + layer.bias
