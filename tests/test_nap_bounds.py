"""Bound propagation never excludes a reachable value: random networks, boxes, phases and samples."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers.nap.bounds import objective_upper, propagate
from solvers.nap.network import OFF, ON, AffineLayer, Phases, Region, ReluNetwork
from solvers.nap.lp import solve_relaxation


@st.composite
def problems(draw):
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    sizes = [draw(st.integers(1, 5))] + [draw(st.integers(1, 8)) for _ in range(draw(st.integers(1, 3)))] + [3]
    net = ReluNetwork(tuple(AffineLayer(rng.normal(size=(b, a)), rng.normal(size=b))
                            for a, b in zip(sizes, sizes[1:]))).rounded()
    center = rng.uniform(-1, 1, size=sizes[0])
    radius = rng.uniform(0.01, 1.0, size=sizes[0])
    region = Region(center - radius, center + radius)
    hidden, _ = net.preactivations(center)
    # Phases taken from the pattern at the center on a random subset of neurons: never empty.
    phases = Phases(tuple(np.where(rng.uniform(size=len(h[0])) < draw(st.floats(0, 1)),
                                   np.where(h[0] > 0, ON, OFF), 0).astype(np.int8) for h in hidden))
    samples = rng.uniform(region.lo, region.hi, size=(400, sizes[0]))
    return net, region, phases, np.vstack([center, region.lo, region.hi, samples])


@settings(max_examples=150, deadline=None)
@given(problems())
def test_bounds_contain_every_sampled_value(problem) -> None:
    net, region, phases, samples = problem
    hidden, logits = net.preactivations(samples)
    keep = phases.followed_by(hidden)
    bounds = propagate(net, region, phases)
    if keep.any():
        assert not bounds.infeasible
    tol = 1e-9
    for pre, lo, hi in zip(hidden, bounds.pre_lo, bounds.pre_hi):
        assert np.all(pre[keep] >= lo - tol) and np.all(pre[keep] <= hi + tol)
    assert np.all(logits[keep] >= bounds.out_lo - tol) and np.all(logits[keep] <= bounds.out_hi + tol)
    if keep.any() and not bounds.infeasible:
        weights = np.array([1.0, -1.0, 0.5])
        reached = float((logits[keep] @ weights).max())
        assert objective_upper(net, bounds, region, weights) >= reached - tol
        lp = solve_relaxation(net, region, phases, bounds, weights)
        assert lp.status == "optimal" and lp.value >= reached - 1e-6 and lp.bound >= reached - 1e-9


def test_symbolic_bounds_are_tighter_than_intervals_on_cancellation() -> None:
    """y = relu(x) - relu(x) is 0: intervals give [-1, 1], back-substitution sees the cancellation."""
    net = ReluNetwork((AffineLayer(np.array([[1.0], [1.0]]), np.zeros(2)),
                       AffineLayer(np.array([[1.0, -1.0]]), np.zeros(1))))
    bounds = propagate(net, Region(np.array([0.0]), np.array([1.0])))
    assert bounds.out_lo[0] == 0.0 and bounds.out_hi[0] == 0.0


def test_contradictory_phases_make_the_region_empty() -> None:
    net = ReluNetwork((AffineLayer(np.array([[1.0]]), np.array([-2.0])), AffineLayer(np.ones((1, 1)), np.zeros(1))))
    assert propagate(net, Region(np.array([0.0]), np.array([1.0])), Phases((np.array([ON], np.int8),))).infeasible
