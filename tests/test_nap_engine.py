"""Soundness of the NAP engine on networks whose answers are known by hand or by exhaustive grid search."""
from __future__ import annotations

import numpy as np
import pytest

from solvers.nap.network import OFF, ON, AffineLayer, Phases, Region, ReluNetwork
from solvers.nap.attack import violation_margin
from solvers.nap.decide import COUNTEREXAMPLE, VERIFIED, NapQuery, decide


def abs_network() -> ReluNetwork:
    """x in R -> (|x|, 0.5): hidden relu(x), relu(-x); logit 0 = |x|, logit 1 = 0.5."""
    return ReluNetwork((AffineLayer(np.array([[1.0], [-1.0]]), np.zeros(2)),
                        AffineLayer(np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([0.0, 0.5]))))


SECOND_BEATS_FIRST = np.array([-1.0, 1.0])


def phases(*layer: int) -> Phases:
    return Phases((np.array(layer, dtype=np.int8),))


@pytest.mark.parametrize("lo, hi, nap, expected", [
    (0.6, 1.0, (0, 0), VERIFIED),                # |x| >= 0.6 > 0.5 everywhere
    (-1.0, -0.6, (0, 0), VERIFIED),
    (-1.0, 1.0, (0, 0), COUNTEREXAMPLE),         # x = 0.1
    (-1.0, 1.0, (ON, 0), COUNTEREXAMPLE),        # x in (0, 0.5]
    (0.5 + 2 ** -10, 1.0, (ON, OFF), VERIFIED),  # just above the tie
    (-1.0, 1.0, (OFF, OFF), COUNTEREXAMPLE),     # only x = 0 follows: a boundary point Z3 must find
])
def test_abs_network_answers_known_by_hand(lo: float, hi: float, nap: tuple[int, int], expected: str) -> None:
    net = abs_network()
    outcome = decide(NapQuery(net, Region(np.array([lo]), np.array([hi])), phases(*nap), SECOND_BEATS_FIRST),
                     timeout_s=10)
    assert outcome.verdict == expected
    if expected == COUNTEREXAMPLE:
        hidden, logits = net.preactivations(outcome.witness[None, :])
        assert phases(*nap).followed_by(hidden)[0]
        assert logits[0, 1] >= logits[0, 0]


def test_boundary_counterexample_comes_from_z3() -> None:
    outcome = decide(NapQuery(abs_network(), Region(np.array([-1.0]), np.array([1.0])), phases(OFF, OFF),
                              SECOND_BEATS_FIRST), timeout_s=10)
    assert outcome.method == "z3" and outcome.witness[0] == 0.0


def test_disjoint_by_strictness_needs_the_exact_check() -> None:
    """relu(x) on and relu(-x) on: the LP closure meets at x = 0, strict Z3 shows no input does both."""
    outcome = decide(NapQuery(abs_network(), Region(np.array([-1.0]), np.array([1.0])), phases(ON, ON), None),
                     timeout_s=10)
    assert outcome.verdict == VERIFIED and outcome.method == "z3"


def random_network(rng: np.random.Generator, sizes: list[int]) -> ReluNetwork:
    return ReluNetwork(tuple(AffineLayer(rng.normal(size=(b, a)), rng.normal(size=b) * 0.5)
                             for a, b in zip(sizes, sizes[1:]))).rounded()


GRID = np.stack(np.meshgrid(np.linspace(0, 1, 201), np.linspace(0, 1, 201)), axis=-1).reshape(-1, 2)


@pytest.mark.parametrize("seed", range(8))
def test_verdicts_agree_with_exhaustive_grid(seed: int) -> None:
    rng = np.random.default_rng(seed)
    net = random_network(rng, [2, 6, 6, 3])
    region = Region(np.zeros(2), np.ones(2))
    hidden, _ = net.preactivations(rng.uniform(size=(1, 2)))
    mask = rng.uniform(size=6) < 0.4  # a NAP from one input's pattern on a few first-layer neurons
    nap = Phases((np.where(mask, np.where(hidden[0][0] > 0, ON, OFF), 0).astype(np.int8), np.zeros(6, np.int8)))
    for query_phases in (Phases.free(net), nap):
        for c, j in ((0, 1), (1, 2), (2, 0)):
            weights = np.zeros(3)
            weights[j], weights[c] = 1.0, -1.0
            outcome = decide(NapQuery(net, region, query_phases, weights), timeout_s=10)
            grid_margin = violation_margin(net, query_phases, weights, GRID).max()
            if outcome.verdict == VERIFIED:
                assert grid_margin <= 0
            else:
                assert outcome.verdict == COUNTEREXAMPLE
                assert violation_margin(net, query_phases, weights, outcome.witness[None, :])[0] >= 0
            if grid_margin > 1e-3:
                assert outcome.verdict == COUNTEREXAMPLE
