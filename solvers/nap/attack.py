"""Cheap counterexample search: signed-gradient descent on a hinge loss, in numpy, from many starts.

A violation needs every required phase to hold with a margin and the objective (a weighted sum of
logits) to reach the margin. Search runs before any solver because on these queries most satisfiable
ones are found in milliseconds; it proves nothing when it fails.
"""
from __future__ import annotations

import numpy as np

from solvers.nap.network import OFF, ON, Phases, Region, ReluNetwork

MARGIN = 1e-4
"""How far from every decision boundary a counterexample must be, so float32 replay agrees with it."""


def violation_margin(network: ReluNetwork, phases: Phases, weights: np.ndarray | None, x: np.ndarray) -> np.ndarray:
    """Per row of x: the smallest slack over required phases and the objective (> 0 means a violation)."""
    hidden, logits = network.preactivations(x)
    slack = np.full(len(logits), np.inf)
    for pre, phase in zip(hidden, phases.layers):
        if np.any(phase == ON):
            slack = np.minimum(slack, pre[:, phase == ON].min(axis=1))
        if np.any(phase == OFF):
            slack = np.minimum(slack, (-pre[:, phase == OFF]).min(axis=1))
    if weights is not None:
        slack = np.minimum(slack, logits @ weights)
    return slack


def _loss_gradient(network: ReluNetwork, phases: Phases, weights: np.ndarray | None, x: np.ndarray,
                   target: float) -> np.ndarray:
    """Gradient of sum of hinge(target - slack_i) over every phase constraint and the objective."""
    hidden, logits = network.preactivations(x)
    grad = np.zeros_like(logits)
    if weights is not None:
        grad = -np.outer((logits @ weights) < target, weights).astype(np.float64)
    for k in range(len(network.layers) - 1, 0, -1):
        grad_a = grad @ network.layers[k].weight
        pre, phase = hidden[k - 1], phases.layers[k - 1]
        grad = grad_a * (pre > 0)
        grad -= ((phase == ON) & (pre < target)).astype(np.float64)
        grad += ((phase == OFF) & (pre > -target)).astype(np.float64)
    return grad @ network.layers[0].weight


def search_violation(network: ReluNetwork, region: Region, phases: Phases, weights: np.ndarray | None,
                     starts: np.ndarray, steps: int = 60,
                     margin: float = MARGIN) -> tuple[np.ndarray | None, np.ndarray]:
    """(a point of the region violating with at least `margin` or None, the point that came closest);
    starts has shape (n, inputs)."""
    x = np.clip(np.atleast_2d(starts).astype(np.float64), region.lo, region.hi)
    width = region.hi - region.lo
    target = 10 * margin
    for step in range(steps + 1):
        slack = violation_margin(network, phases, weights, x)
        best = int(np.argmax(slack))
        if slack[best] >= margin:
            return x[best], x[best]
        if step == steps:
            return None, x[best]
        rate = 0.2 * (0.02 ** (step / steps))
        x = np.clip(x - rate * width * np.sign(_loss_gradient(network, phases, weights, x, target)),
                    region.lo, region.hi)
    raise AssertionError("unreachable: the loop returns at the last step")


def random_starts(region: Region, count: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform points of the region, plus its center."""
    points = rng.uniform(region.lo, region.hi, size=(count, len(region.lo)))
    return np.vstack([(region.lo + region.hi) / 2, points])
