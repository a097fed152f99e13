"""A strong attack for output specifications: projected (signed) gradient ascent from many starts.

Each start targets one disjunct of the violation (all of its inequalities c @ y >= d) and climbs the
smallest slack min_i (c_i @ y - d_i) by signed gradient steps inside the input box, with a step size
that shrinks over the run and restarts from fresh random points while time remains. It proves
nothing when it fails; what it finds is checked by the caller on the real model.
"""
from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np

from solvers.nap.network import ReluNetwork

Disjunct = tuple[np.ndarray, np.ndarray]
"""(C, d): the violation C @ y >= d, row by row (C has shape (rows, outputs))."""


def slack(network: ReluNetwork, disjuncts: Sequence[Disjunct], x: np.ndarray) -> np.ndarray:
    """(points, disjuncts): the smallest c @ y - d of each disjunct at each point (>= 0: violated)."""
    y = network.logits(x)
    return np.stack([np.min(y @ c.T - d, axis=1) for c, d in disjuncts], axis=1)


def _gradients(network: ReluNetwork, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Gradient of rows[p] @ logits(x[p]) with respect to x[p], for every point p."""
    hidden, _ = network.preactivations(x)
    grad = rows
    for k in range(len(network.layers) - 1, 0, -1):
        grad = (grad @ network.layers[k].weight) * (hidden[k - 1] > 0)
    return grad @ network.layers[0].weight


def attack(network: ReluNetwork, lo: np.ndarray, hi: np.ndarray, disjuncts: Sequence[Disjunct],
           deadline: float, confirm: Callable[[np.ndarray], bool] | None = None, seed: int = 0,
           starts_per_disjunct: int = 8, steps: int = 60, rounds: int = 4,
           extra_starts: np.ndarray | None = None,
           clock: Callable[[], float] = time.perf_counter) -> tuple[np.ndarray | None, int]:
    """(a violating input accepted by `confirm`, or None; gradient steps taken).

    Rounds of `steps` steps from fresh starts (the box's center and corners-ish random points first);
    stops at the deadline. A point whose float64 slack reaches 0 is offered to `confirm` (the real
    model's check); a point it rejects is pushed further (a larger margin) in later steps."""
    rng = np.random.default_rng(seed)
    width = hi - lo
    targets = np.repeat(np.arange(len(disjuncts)), starts_per_disjunct)
    taken = 0
    margin = 0.0
    for round_index in range(rounds):
        if clock() > deadline:
            break
        count = len(targets)
        if round_index == 0:
            x = rng.uniform(lo, hi, size=(count, len(lo)))
            x[:: starts_per_disjunct] = (lo + hi) / 2
            if extra_starts is not None and len(extra_starts):
                x[1::starts_per_disjunct][: len(extra_starts)] = np.clip(extra_starts, lo, hi)[:count]
        else:
            x = np.where(rng.random((count, len(lo))) < 0.5, lo, hi)  # random vertices of the box
            x = np.clip(x + rng.normal(scale=0.1, size=x.shape) * width, lo, hi)
        for step in range(steps):
            s = slack(network, disjuncts, x)[np.arange(count), targets]
            for p in np.nonzero(s > margin)[0]:
                candidate = x[p].copy()
                if confirm is None or confirm(candidate):
                    return candidate, taken
                margin = max(margin * 2, 1e-6 * (1.0 + abs(float(s[p]))), 1e-7)
            if clock() > deadline:
                return None, taken
            rows = np.empty((count, network.output_size))
            y = network.logits(x)
            for p in range(count):
                c, d = disjuncts[targets[p]]
                rows[p] = c[int(np.argmin(y[p] @ c.T - d))]
            grad = _gradients(network, x, rows)
            rate = 0.3 * (0.01 ** (step / max(steps - 1, 1)))
            x = np.clip(x + rate * width * np.sign(grad), lo, hi)
            taken += 1
    return None, taken
