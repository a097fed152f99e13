"""Mining by hand: which neurons a NAP fixes for a delta, and its recall and precision."""
from __future__ import annotations

import numpy as np
import pytest

from dsl.errors import NesyInputError
from nesy.nap.mining import NapSet, mine_naps, nap_stats
from solvers.nap.network import OFF, ON, AffineLayer, ReluNetwork

# Hidden neurons are the inputs themselves (identity first layer): activations are the data.
NET = ReluNetwork((AffineLayer(np.eye(2), np.zeros(2)), AffineLayer(np.eye(2), np.zeros(2))))
X = np.array([[1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [1.0, -1.0],      # class 0: n0 always on, n1 on 1/4
              [-1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0]])    # class 1: n0 off, n1 on
Y = np.array([0, 0, 0, 0, 1, 1, 1, 1])


def test_delta_decides_which_neurons_are_fixed() -> None:
    strict = mine_naps(NET, X, Y, 1.0)
    assert strict.naps[0].layers[0].tolist() == [ON, 0]
    assert strict.naps[1].layers[0].tolist() == [OFF, ON]
    loose = mine_naps(NET, X, Y, 0.75)
    assert loose.naps[0].layers[0].tolist() == [ON, OFF]


def test_recall_and_precision_by_hand() -> None:
    naps = mine_naps(NET, X, Y, 0.75)
    stats = {s.cls: s for s in nap_stats(NET, naps, X, Y)}
    assert stats[0].recall == 0.75 and stats[0].precision == 1.0     # [1, 1] breaks n1 off
    assert stats[1].recall == 1.0 and stats[1].precision == 1.0
    strict = {s.cls: s for s in nap_stats(NET, mine_naps(NET, X, Y, 1.0), X, Y)}
    assert strict[0].recall == 1.0 and strict[0].precision == 1.0
    assert strict[1].fixed == 2


def test_json_round_trip_and_bad_delta(tmp_path) -> None:
    naps = mine_naps(NET, X, Y, 0.75)
    naps.save(tmp_path / "n.json")
    again = NapSet.load(tmp_path / "n.json")
    assert again.delta == 0.75 and all(np.array_equal(a, b) for c in naps.naps
                                       for a, b in zip(naps.naps[c].layers, again.naps[c].layers))
    with pytest.raises(NesyInputError, match="delta"):
        mine_naps(NET, X, Y, 0.5)
