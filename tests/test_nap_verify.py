"""The properties on top of the engine: epsilon bisection brackets a radius known by hand, and a
solver witness the real model does not confirm is never reported as a counterexample."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from nesy.nap.mining import NapSet
from nesy.nap.model import LoadedModel, from_torch
from nesy.nap.verify import max_epsilon, unit_box, verify_robust
from solvers.nap.network import Phases


def distance_model() -> LoadedModel:
    """x in [0,1]: logit 0 = 0.375, logit 1 = |x - 0.25|; class 0 holds exactly on |x - 0.25| < 0.375.
    Every weight is on the 2^-16 grid, so the verifier's network is the model itself."""
    model = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 2))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0], [-1.0]]))
        model[0].bias.copy_(torch.tensor([-0.25, 0.25]))
        model[2].weight.copy_(torch.tensor([[0.0, 0.0], [1.0, 1.0]]))
        model[2].bias.copy_(torch.tensor([0.375, 0.0]))
    return from_torch(model.double())


def test_epsilon_bisection_brackets_the_radius_known_by_hand() -> None:
    result = max_epsilon(distance_model(), None, np.array([0.25]), 0, timeout_s=5)
    assert 0.375 - 1 / 128 <= result.epsilon < 0.375 <= result.refuted_at <= 0.375 + 1 / 128
    assert result.undecided == 0


def test_nap_that_excludes_the_violating_side_enlarges_the_radius() -> None:
    """NAP 'relu(x - 0.25) off' keeps x <= 0.25, where |x - 0.25| never reaches 0.375 inside [0, 1]."""
    model = distance_model()
    right_side_off = Phases((np.array([-1, 0], dtype=np.int8),))
    plain = max_epsilon(model, None, np.array([0.25]), 0, timeout_s=5)
    with_nap = max_epsilon(model, right_side_off, np.array([0.25]), 0, timeout_s=5, lower=plain.epsilon)
    assert with_nap.epsilon >= 0.5 - 1 / 128 and with_nap.refuted_at == float("inf")
    assert with_nap.undecided == 0


def test_witness_that_does_not_replay_is_not_reported() -> None:
    honest = distance_model()

    def lying_run(x: np.ndarray):
        pre, logits = honest.run(x)
        return pre, logits + np.array([10.0, 0.0])   # the "real" model never picks class 1

    model = LoadedModel(honest.network, "torch", "lying model", lying_run)
    naps = NapSet(1.0, {0: Phases.free(honest.network)})
    [report] = verify_robust(model, naps, 0, unit_box(1), timeout_s=5)
    assert report.verdict == "timeout" and report.replayed is False
    assert report.counterexample["violates"] is False
